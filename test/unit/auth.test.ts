// Honcho's token rules, checked against tokens minted independently
// (test/support/jwt.ts), and the operators' token command.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { authenticate, authorize, checkAuthSettings, type Access } from "../../src/domain/auth/index.js";
import { hs256, unsigned, verifyHs256 } from "../support/jwt.js";

const SECRET = "unit-secret";
const bearer = (t: string) => `Bearer ${t}`;
const NOW = new Date("2026-01-01T00:00:00Z");

async function outcome(header: string | null): Promise<string> {
  try {
    await authenticate(header, SECRET, NOW);
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("authenticate", () => {
  it.each([
    ["no header", null, "No access token provided"],
    ["empty header", "", "No access token provided"],
    ["Basic scheme", "Basic dXNlcjpwYXNz", "No access token provided"],
    ["Bearer with nothing", "Bearer", "No access token provided"],
    ["Bearer and a space", "Bearer ", "No access token provided"],
    ["lower-case bearer", `bearer ${hs256({ w: "acme" }, SECRET)}`, "ok"],
    ["upper-case BEARER", `BEARER ${hs256({ w: "acme" }, SECRET)}`, "ok"],
    ["a good token", bearer(hs256({ t: "x", w: "acme" }, SECRET)), "ok"],
    ["alg none", bearer(unsigned({ ad: true })), "Invalid JWT"],
    ["HS384", bearer(hs256({ ad: true }, SECRET, { alg: "HS384", typ: "JWT" })), "Invalid JWT"],
    ["HS512", bearer(hs256({ ad: true }, SECRET, { alg: "HS512", typ: "JWT" })), "Invalid JWT"],
    ["RS256 header", bearer(hs256({ ad: true }, SECRET, { alg: "RS256", typ: "JWT" })), "Invalid JWT"],
    ["another secret", bearer(hs256({ ad: true }, "other")), "Invalid JWT"],
    ["tampered payload", bearer(hs256({ w: "acme" }, SECRET).replace(/\.[^.]+\./, `.${Buffer.from('{"ad":true}').toString("base64url")}.`)), "Invalid JWT"],
    ["one part", bearer("abc"), "Invalid JWT"],
    ["two parts", bearer("abc.def"), "Invalid JWT"],
    ["bad base64", bearer("!!!.@@@.###"), "Invalid JWT"],
    ["payload not JSON", bearer(`${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from("nope").toString("base64url")}.${createHmac("sha256", SECRET).update(`${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from("nope").toString("base64url")}`).digest("base64url")}`), "Invalid JWT"],
    ["payload a JSON array", bearer(hs256([1, 2], SECRET)), "Invalid JWT"],
    ["past exp", bearer(hs256({ w: "acme", exp: "2025-12-31T23:59:59Z" }, SECRET)), "JWT expired"],
    ["past naive exp", bearer(hs256({ w: "acme", exp: "2025-12-31T23:59:59" }, SECRET)), "JWT expired"],
    ["future exp", bearer(hs256({ w: "acme", exp: "2026-01-02T00:00:00+00:00" }, SECRET)), "ok"],
    // as Honcho's POST /v3/keys?expires_at= mints a key (format_datetime_utc); Honcho's own
    // server refuses it (PyJWT 2.12.1, as Honcho pins it, takes exp as a number only: docs/deployment.md)
    ["a key of Honcho's keys route", bearer(hs256({ t: "2025-12-31T00:00:00Z", exp: "2026-01-02T00:00:00Z", w: "acme" }, SECRET)), "ok"],
    ["past exp in unix seconds", bearer(hs256({ w: "acme", exp: 1 }, SECRET)), "JWT expired"],
    ["future exp in unix seconds", bearer(hs256({ w: "acme", exp: Date.parse("2026-01-02T00:00:00Z") / 1000 }, SECRET)), "ok"],
    ["exp neither text nor number", bearer(hs256({ w: "acme", exp: true }, SECRET)), "Invalid JWT"],
    ["garbage exp", bearer(hs256({ w: "acme", exp: "soon" }, SECRET)), "Invalid JWT"],
    ["empty exp", bearer(hs256({ w: "acme", exp: "" }, SECRET)), "ok"],
    ["p without w", bearer(hs256({ p: "alice" }, SECRET)), "Invalid JWT scope: peer/session token missing workspace"],
    ["s without w", bearer(hs256({ s: "s1" }, SECRET)), "Invalid JWT scope: peer/session token missing workspace"],
    ["s with empty w", bearer(hs256({ s: "s1", w: "" }, SECRET)), "Invalid JWT scope: peer/session token missing workspace"],
    ["empty p and s", bearer(hs256({ p: "", s: "", w: "" }, SECRET)), "ok"],
  ])("%s", async (_name, header, want) => {
    expect(await outcome(header)).toBe(want);
  });

  it("reads empty-string claims as absent", async () => {
    expect(await authenticate(bearer(hs256({ w: "acme", p: "", s: "" }, SECRET)), SECRET, NOW)).toEqual({ w: "acme" });
  });
});

describe("authorize", () => {
  const write: Access = { kind: "session_write" };
  const read: Access = { kind: "session_read" };
  const target = { workspace: "acme", session: "s1" };
  const claimsCases: [string, Record<string, unknown>, { own: boolean; otherSession: boolean; otherWorkspace: boolean; memberRead: boolean }][] = [
    ["admin", { ad: true }, { own: true, otherSession: true, otherWorkspace: true, memberRead: true }],
    ["admin false + workspace", { ad: false, w: "acme" }, { own: true, otherSession: true, otherWorkspace: false, memberRead: true }],
    ["workspace", { w: "acme" }, { own: true, otherSession: true, otherWorkspace: false, memberRead: true }],
    ["session", { w: "acme", s: "s1" }, { own: true, otherSession: false, otherWorkspace: false, memberRead: true }],
    ["peer", { w: "acme", p: "alice" }, { own: false, otherSession: false, otherWorkspace: false, memberRead: true }],
    ["peer and session", { w: "acme", p: "alice", s: "s1" }, { own: true, otherSession: false, otherWorkspace: false, memberRead: true }],
    ["no scope at all", { t: "x" }, { own: false, otherSession: false, otherWorkspace: false, memberRead: false }],
  ];
  const decide = async (claims: Record<string, unknown>, access: Access, t: { workspace: string; session?: string }, member = false) =>
    authorize(await authenticate(bearer(hs256(claims, SECRET)), SECRET, NOW), access, t, async () => member).then(
      () => true,
      (e: Error) => (expect(e.message).toBe("JWT not permissioned for this resource"), false),
    );

  it.each(claimsCases)("%s", async (_n, claims, want) => {
    expect(await decide(claims, write, target)).toBe(want.own);
    expect(await decide(claims, write, { workspace: "acme", session: "s2" })).toBe(want.otherSession);
    expect(await decide(claims, write, { workspace: "other", session: "s1" })).toBe(want.otherWorkspace);
    expect(await decide(claims, read, target, true)).toBe(want.memberRead);
    if (claims.p && !claims.s) expect(await decide(claims, read, target, false)).toBe(false); // not a member
  });
});

describe("settings", () => {
  it("refuse auth without a secret, with a reason", () => {
    expect(() => checkAuthSettings({ useAuth: true })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => checkAuthSettings({ useAuth: false })).not.toThrow();
    expect(() => checkAuthSettings({ useAuth: true, jwtSecret: "s" })).not.toThrow();
  });
});

describe("npm run token", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const run = (args: string[], env: Record<string, string> = { AUTH_JWT_SECRET: SECRET }) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "scripts/token.ts", ...args], { cwd: root, env: { ...process.env, ...env } }, (e, out, err) =>
        resolve({ code: e ? (e.code as number) : 0, out, err }),
      ),
    );

  it.each([
    [["--workspace", "acme", "--session", "s1"], { w: "acme", s: "s1" }],
    [["--admin"], { ad: true }],
    [["--workspace", "acme", "--peer", "alice"], { w: "acme", p: "alice" }],
  ])("mints %j", async (args, claims) => {
    const { code, out } = await run(args as string[]);
    expect(code).toBe(0);
    const payload = verifyHs256(out.trim(), SECRET);
    expect(payload).toMatchObject(claims);
    expect(typeof payload.t).toBe("string");
    expect(await authenticate(bearer(out.trim()), SECRET)).toMatchObject(claims);
  });

  it("sets an expiry from a duration", async () => {
    const { out } = await run(["--workspace", "acme", "--expires", "1h"]);
    const exp = Date.parse(verifyHs256(out.trim(), SECRET).exp as string);
    expect(Math.abs(exp - (Date.now() + 3_600_000))).toBeLessThan(60_000);
  });

  it("explains what is missing", async () => {
    expect((await run(["--workspace", "acme"], { AUTH_JWT_SECRET: "" })).err).toMatch(/AUTH_JWT_SECRET is not set/);
    const noScope = await run([]);
    expect(noScope.code).toBe(2);
    expect(noScope.err).toMatch(/--workspace/);
  });
});
