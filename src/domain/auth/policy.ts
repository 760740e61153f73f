// Who may do what, in the order Honcho's require_auth decides it: admin
// tokens may do anything; otherwise the token's workspace must be the
// route's; a session token only its own session; a peer token only its own
// peer routes, plus reads of sessions it is an active member of; a workspace
// token anything inside its workspace.
import { DomainError } from "../errors.js";
import type { Claims } from "./tokens.js";

export type Access = { kind: "session_write" } | { kind: "session_read" } | { kind: "workspace_write" } | { kind: "workspace_read" };

export interface Target {
  workspace: string;
  session?: string;
  peer?: string;
}

const denied = () => new DomainError("unauthenticated", "JWT not permissioned for this resource");

export async function authorize(claims: Claims, access: Access, target: Target, isActiveMember?: (peer: string) => Promise<boolean>): Promise<void> {
  if (claims.ad) return;
  if (claims.w !== target.workspace) throw denied();
  if (claims.s !== undefined) {
    if (target.session === undefined || claims.s !== target.session) throw denied();
    return;
  }
  if (claims.p !== undefined) {
    if (target.peer !== undefined && claims.p === target.peer) return;
    const memberRead = access.kind === "session_read" && target.session !== undefined && isActiveMember !== undefined;
    if (memberRead && (await isActiveMember(claims.p))) return;
    throw denied();
  }
  if (claims.w !== undefined) return;
  throw denied();
}
