// Mints a Honcho-compatible bearer token, signed with AUTH_JWT_SECRET.
//   npm run token -- --workspace acme --session s1
//   npm run token -- --admin
//   npm run token -- --workspace acme --peer alice --expires 7d
// --expires takes an ISO 8601 instant or a duration: 30m, 12h, 7d.
import { parseArgs } from "node:util";
import { mintToken, type Claims } from "../src/domain/auth/index.js";

const USAGE = "usage: npm run token -- [--admin] [--workspace W [--session S | --peer P]] [--expires ISO|30m|12h|7d]";

function expiry(value: string, now: Date): string {
  const d = /^(\d+)([smhd])$/.exec(value);
  if (d) return new Date(now.getTime() + Number(d[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[d[2] as "s"]).toISOString();
  if (Number.isNaN(Date.parse(value))) throw new Error(`--expires: not an ISO 8601 instant or a duration like 30m, 12h, 7d: ${value}`);
  return value;
}

try {
  const { values } = parseArgs({
    options: {
      admin: { type: "boolean" },
      workspace: { type: "string" },
      session: { type: "string" },
      peer: { type: "string" },
      expires: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const secret = process.env.AUTH_JWT_SECRET;
  if (!secret) throw new Error("AUTH_JWT_SECRET is not set: tokens are signed with it");
  if (!values.admin && !values.workspace) throw new Error("name a --workspace (or give --admin)");
  if ((values.session || values.peer) && !values.workspace) throw new Error("--session and --peer need --workspace");
  const claims: Claims = { t: new Date().toISOString() };
  if (values.admin) claims.ad = true;
  if (values.workspace) claims.w = values.workspace;
  if (values.session) claims.s = values.session;
  if (values.peer) claims.p = values.peer;
  if (values.expires) claims.exp = expiry(values.expires, new Date());
  console.log(await mintToken(claims, secret));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
