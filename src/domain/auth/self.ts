// Honcho's self-authorizing get-or-create routes: their dependency only
// checks that the token is valid (require_auth() names nothing), and the
// handler, once the body is validated, compares the claims with what the body
// names (src/routers/workspaces.py, peers.py, sessions.py). Hence these 401s
// come after a 422, unlike every other route's.
import { DomainError } from "../errors.js";
import type { Claims } from "./tokens.js";

const unauthorized = () => new DomainError("unauthenticated", "Unauthorized access to resource");

/** POST /v3/workspaces: the token's workspace must be the one named (any peer or session token of it passes). */
export function authorizeWorkspaceCreate(claims: Claims, id: string): void {
  if (!claims.ad && claims.w !== id) throw unauthorized();
}

/** POST .../peers: a workspace claim must be the path's; a peer claim must be the peer named (session tokens pass). */
export function authorizePeerCreate(claims: Claims, workspaceId: string, id: string): void {
  if (claims.ad) return;
  if (claims.w !== undefined && claims.w !== workspaceId) throw unauthorized();
  if (claims.p !== undefined && claims.p !== id) throw unauthorized();
}

/** POST .../sessions: a workspace claim must be the path's; a session claim the session named; scopes need a workspace-level key. */
export function authorizeSessionCreate(claims: Claims, workspaceId: string, id: string, withScopes: boolean): void {
  if (claims.ad) return;
  if (claims.w !== undefined && claims.w !== workspaceId) throw unauthorized();
  if (claims.s !== undefined && claims.s !== id) throw unauthorized();
  if (withScopes && (claims.p !== undefined || claims.s !== undefined)) {
    throw new DomainError("unauthenticated", "Scope membership requires a workspace-level key");
  }
}
