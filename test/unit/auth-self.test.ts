// The access kinds of the get-or-create and session-peer routes: `token`
// (Honcho's require_auth() naming nothing: any valid token, the handler
// decides) with the handlers' own rules (src/domain/auth/self.ts), and
// `session_read_own` (GET .../peers/{peer_id}/config: a member peer reads
// only its own configuration).
import { describe, expect, it } from "vitest";
import { authenticate, authorize, type Access, type Claims } from "../../src/domain/auth/index.js";
import { authorizePeerCreate, authorizeSessionCreate, authorizeWorkspaceCreate } from "../../src/domain/auth/self.js";
import { hs256 } from "../support/jwt.js";

const SECRET = "self-secret";
const NOW = new Date("2026-01-01T00:00:00Z");
const claimsOf = (c: Record<string, unknown>) => authenticate(`Bearer ${hs256(c, SECRET)}`, SECRET, NOW);
const outcome = (f: () => void) => {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
};
const U = "Unauthorized access to resource";

describe("token access", () => {
  it.each([[{ ad: true }], [{ w: "a" }], [{ w: "a", p: "x" }], [{ w: "a", s: "y" }], [{ t: "only" }]])("lets %j through whatever the target", async (c) => {
    await expect(authorize(await claimsOf(c), { kind: "token" }, { workspace: "elsewhere" })).resolves.toBeUndefined();
  });
});

describe("session_read_own access", () => {
  const own: Access = { kind: "session_read_own" };
  const target = { workspace: "w", session: "s", peer: "alice" };
  it.each([
    ["admin", { ad: true }, true, "ok"],
    ["workspace", { w: "w" }, false, "ok"],
    ["the session", { w: "w", s: "s" }, false, "ok"],
    ["another session", { w: "w", s: "s2" }, true, "JWT not permissioned for this resource"],
    ["the peer, a member", { w: "w", p: "alice" }, true, "ok"],
    ["the peer, not a member", { w: "w", p: "alice" }, false, "JWT not permissioned for this resource"],
    ["another member peer", { w: "w", p: "bob" }, true, "JWT not permissioned for this resource"],
    ["another workspace", { w: "x" }, true, "JWT not permissioned for this resource"],
    // Honcho's handler refuses a token naming another peer even when require_auth let it in
    ["the session, naming another peer", { w: "w", s: "s", p: "bob" }, true, "JWT not permissioned for this resource"],
    ["the session, naming the peer", { w: "w", s: "s", p: "alice" }, false, "ok"],
    ["admin naming another peer", { ad: true, w: "w", p: "bob" }, true, "JWT not permissioned for this resource"],
  ])("%s", async (_n, c, member, want) => {
    const got = await authorize(await claimsOf(c), own, target, async () => member).then(
      () => "ok",
      (e: Error) => e.message,
    );
    expect(got).toBe(want);
  });
});

describe("the handlers' own rules", () => {
  const cases: [string, Claims, string, string, string][] = [
    // name, claims, W1 (id "w"), P2 (w/"alice"), S2 (w/"s")
    ["admin", { ad: true }, "ok", "ok", "ok"],
    ["workspace", { w: "w" }, "ok", "ok", "ok"],
    ["another workspace", { w: "x" }, U, U, U],
    ["peer alice", { w: "w", p: "alice" }, "ok", "ok", "ok"],
    ["peer bob", { w: "w", p: "bob" }, "ok", U, "ok"],
    ["session s", { w: "w", s: "s" }, "ok", "ok", "ok"],
    ["session t", { w: "w", s: "t" }, "ok", "ok", U],
    ["no scope at all", { t: "x" }, U, "ok", "ok"],
  ];
  it.each(cases)("%s", (_n, claims, w1, p2, s2) => {
    expect(outcome(() => authorizeWorkspaceCreate(claims, "w"))).toBe(w1);
    expect(outcome(() => authorizePeerCreate(claims, "w", "alice"))).toBe(p2);
    expect(outcome(() => authorizeSessionCreate(claims, "w", "s", false))).toBe(s2);
  });

  it("lets only workspace-level keys (and admins) ask for scopes", () => {
    const scopes = (c: Claims) => outcome(() => authorizeSessionCreate(c, "w", "s", true));
    expect([scopes({ ad: true }), scopes({ w: "w" }), scopes({ w: "w", p: "a" }), scopes({ w: "w", s: "s" })]).toEqual([
      "ok",
      "ok",
      "Scope membership requires a workspace-level key",
      "Scope membership requires a workspace-level key",
    ]);
  });
});
