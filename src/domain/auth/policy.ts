// Who may do what, in the order Honcho's require_auth decides it: admin
// tokens may do anything, and only they reach admin routes; otherwise the
// token's workspace must be the route's; a session token only its own
// session; a peer token only its own peer routes, plus reads of sessions it
// is an active member of; a workspace token anything inside its workspace.
import { DomainError } from "../errors.js";
import type { Claims } from "./tokens.js";

export type Access =
  | { kind: "session_write" }
  | { kind: "session_read" }
  | { kind: "workspace_write" }
  | { kind: "workspace_read" }
  /** admin tokens only (Honcho's require_auth(admin=True), e.g. listing every workspace) */
  | { kind: "admin" }
  /** any valid token: the route names nothing (Honcho's require_auth()) and its handler authorizes against the body */
  | { kind: "token" }
  /** session_read, where a member peer may read only what concerns itself (target.peer) */
  | { kind: "session_read_own" };

export interface Target {
  workspace: string;
  session?: string;
  peer?: string;
}

const denied = () => new DomainError("unauthenticated", "JWT not permissioned for this resource");

export async function authorize(claims: Claims, access: Access, target: Target, isActiveMember?: (peer: string) => Promise<boolean>): Promise<void> {
  // GET .../peers/{peer_id}/config refuses a token naming another peer, whatever else it carries (Honcho's handler, after require_auth, same text)
  if (access.kind === "session_read_own" && claims.p !== undefined && claims.p !== target.peer) throw denied();
  if (claims.ad) return;
  if (access.kind === "admin") throw new DomainError("unauthenticated", "Resource requires admin privileges");
  if (access.kind === "token") return;
  if (claims.w !== target.workspace) throw denied();
  if (claims.s !== undefined) {
    if (target.session === undefined || claims.s !== target.session) throw denied();
    return;
  }
  if (claims.p !== undefined) {
    if (access.kind === "session_read_own") {
      // member read (the peer is target.peer, checked above)
      if (target.session !== undefined && isActiveMember !== undefined && (await isActiveMember(claims.p))) return;
      throw denied();
    }
    if (target.peer !== undefined && claims.p === target.peer) return;
    const memberRead = access.kind === "session_read" && target.session !== undefined && isActiveMember !== undefined;
    if (memberRead && (await isActiveMember(claims.p))) return;
    throw denied();
  }
  if (claims.w !== undefined) return;
  throw denied();
}
