// The admin access kind (Honcho's require_auth(admin=True)): only a token with
// `ad: true` passes, whatever else it names; everyone else is told the route
// needs admin privileges, before any workspace, session or peer is compared.
import { describe, expect, it } from "vitest";
import { authenticate, authorize, type Access } from "../../src/domain/auth/index.js";
import { hs256 } from "../support/jwt.js";

const SECRET = "admin-secret";
const NOW = new Date("2026-01-01T00:00:00Z");
const admin: Access = { kind: "admin" };

async function decide(claims: Record<string, unknown>, target = { workspace: "" }): Promise<string> {
  const parsed = await authenticate(`Bearer ${hs256(claims, SECRET)}`, SECRET, NOW);
  return authorize(parsed, admin, target, async () => true).then(
    () => "ok",
    (e: Error) => e.message,
  );
}

describe("admin access", () => {
  it.each([
    ["admin", { ad: true }, "ok"],
    ["admin with a workspace", { ad: true, w: "acme" }, "ok"],
    ["admin with a peer", { ad: true, w: "acme", p: "alice" }, "ok"],
    ["admin false", { ad: false }, "Resource requires admin privileges"],
    ["workspace", { w: "acme" }, "Resource requires admin privileges"],
    ["session", { w: "acme", s: "s1" }, "Resource requires admin privileges"],
    ["peer", { w: "acme", p: "alice" }, "Resource requires admin privileges"],
    ["no scope", { t: "x" }, "Resource requires admin privileges"],
  ])("%s %j: %s", async (_n, claims, want) => {
    expect(await decide(claims)).toBe(want);
  });

  it("is decided before the workspace: a token of the route's own workspace is still refused", async () => {
    expect(await decide({ w: "acme" }, { workspace: "acme" })).toBe("Resource requires admin privileges");
  });
});
