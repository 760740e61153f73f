// Bearer auth on every protocol, checked in one place: every claim
// combination × path × protocol, with tokens minted independently.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { hs256, unsigned } from "../support/jwt.js";

const SECRET = "matrix-secret";
let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, { authUseAuth: true, authJwtSecret: SECRET });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const DENIED = "JWT not permissioned for this resource";
const tokens: [string, string | null, { own: string; otherSession: string; otherWorkspace: string }][] = [
  ["admin", hs256({ t: "", ad: true }, SECRET), { own: "ok", otherSession: "ok", otherWorkspace: "ok" }],
  ["workspace acme", hs256({ w: "acme" }, SECRET), { own: "ok", otherSession: "ok", otherWorkspace: DENIED }],
  ["workspace other", hs256({ w: "other" }, SECRET), { own: DENIED, otherSession: DENIED, otherWorkspace: "ok" }],
  ["session acme/s1", hs256({ w: "acme", s: "s1" }, SECRET), { own: "ok", otherSession: DENIED, otherWorkspace: DENIED }],
  ["peer acme/alice", hs256({ w: "acme", p: "alice" }, SECRET), { own: DENIED, otherSession: DENIED, otherWorkspace: DENIED }],
  ["peer without workspace", hs256({ p: "alice" }, SECRET), { own: "Invalid JWT scope: peer/session token missing workspace", otherSession: "Invalid JWT scope: peer/session token missing workspace", otherWorkspace: "Invalid JWT scope: peer/session token missing workspace" }],
  ["expired", hs256({ w: "acme", exp: "2020-01-01T00:00:00Z" }, SECRET), { own: "JWT expired", otherSession: "JWT expired", otherWorkspace: "JWT expired" }],
  ["wrong secret", hs256({ ad: true }, "not-the-secret"), { own: "Invalid JWT", otherSession: "Invalid JWT", otherWorkspace: "Invalid JWT" }],
  ["alg none", unsigned({ ad: true }), { own: "Invalid JWT", otherSession: "Invalid JWT", otherWorkspace: "Invalid JWT" }],
  ["no token", null, { own: "No access token provided", otherSession: "No access token provided", otherWorkspace: "No access token provided" }],
];
const paths = [
  ["own", "acme", "s1"],
  ["otherSession", "acme", "s2"],
  ["otherWorkspace", "other", "s1"],
] as const;

const cases = tokens.flatMap(([name, token, want]) => paths.map(([which, ws, ss]) => [`${name} → ${ws}/${ss}`, token, ws, ss, want[which]] as const));
const headersFor = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

describe("REST", () => {
  it.each(cases)("%s", async (_n, token, ws, ss, want) => {
    const res = await postMessages(app.url, ws, ss, { messages: [{ content: "hi", peer_id: "alice" }] }, { headers: { "content-type": "application/json", ...headersFor(token) } });
    if (want === "ok") expect(res.status).toBe(201);
    else {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ detail: want });
    }
  });

  it("checks the token before validating the body, after parsing it (as FastAPI)", async () => {
    const invalid = await postMessages(app.url, "acme", "s1", { messages: [] });
    expect(invalid.status).toBe(401);
    const malformed = await postMessages(app.url, "acme", "s1", "{");
    expect(malformed.status).toBe(422);
    expect((malformed.json as { detail: { type: string }[] }).detail[0]!.type).toBe("json_invalid");
  });

  it("redirects a trailing slash before it looks for a token, as Starlette's router does", async () => {
    const res = await fetch(`${app.url}/v3/workspaces/acme/peers/list/`, { method: "POST", redirect: "manual" });
    expect([res.status, res.headers.get("location")]).toEqual([307, `${app.url}/v3/workspaces/acme/peers/list`]);
  });
});

describe.each(Object.entries(rpcProtocols))("%s", (_protocol, transport) => {
  it.each(cases)("%s", async (_n, token, ws, ss, want) => {
    const client = messageClient(transport(app.url));
    const out = await client.createMessages({ workspaceId: ws, sessionId: ss, messages: [{ content: "hi", peerId: "alice" }] }, { headers: headersFor(token) }).then(
      () => "ok",
      (e: ConnectError) => (expect(e.code).toBe(Code.Unauthenticated), e.rawMessage),
    );
    expect(out).toBe(want);
  });
});

describe("settings", () => {
  it("with auth off: bind to loopback by default and warn once", async () => {
    const mem = memoryLogger();
    const open = await startTestApp(db.url, { host: loadConfig({}).host }, mem.log);
    try {
      expect(new URL(open.url).hostname).toBe("127.0.0.1");
      const warnings = mem.lines().filter((l) => l.level === 40 && String(l.msg).includes("authentication is off"));
      expect(warnings).toHaveLength(1);
      expect((await postMessages(open.url, "acme", "open", { messages: [{ content: "hi", peer_id: "a" }] })).status).toBe(201);
    } finally {
      await open.stop();
    }
  });

  it("refuse to start with auth on and no secret, saying why", async () => {
    await expect(startTestApp(db.url, { authUseAuth: true, authJwtSecret: undefined })).rejects.toThrow(/AUTH_JWT_SECRET/);
  });
});
