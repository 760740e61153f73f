// Peers whose names Honcho's pattern no longer admits. Honcho's models lost
// the name pattern where a peer is named (a message's author, the peer of an
// upload, the peer in a path): its crud refuses only a *new* name that does
// not match it, so a peer that exists under a legacy name ("alice.smith") or
// in the scope namespace ("scope.x") is written to and read like any other.
// The service keeps pydantic's refusal of such a name (the conformance
// file's), unless that peer exists: validation admits the names it
// refused only by the pattern at these positions (validated-rpc.ts,
// legacyNamesAt), and the handler vets them here before it acts.
import { DomainError, ValidationFailed } from "../domain/errors.js";
import { pyListRepr, pySorted } from "../domain/filters/python.js";
import type { Loc } from "../domain/validation/index.js";
import type { ResourceStore } from "../store/resource-store.js";
import { namesVetted, unvettedNames } from "./validated-rpc.js";

/** The positions: a message's author, an upload's peer, the peer in a path. */
export const messageAuthors = (loc: Loc) => loc.length === 4 && loc[0] === "body" && loc[1] === "messages" && loc[3] === "peer_id";
export const uploadPeer = (loc: Loc) => loc.length === 2 && loc[0] === "body" && loc[1] === "peer_id";
export const pathPeer = (loc: Loc) => loc.length === 2 && loc[0] === "path" && loc[1] === "peer_id";

/**
 * Throws the 422 validation would have answered for each admitted name that
 * is no peer of the workspace, then `refuse` (where given) for the real
 * scopes among them: a scope may not author messages nor be updated as a peer.
 */
export async function vetPeerNames(resources: ResourceStore, workspace: string, value: object, refuse?: (scopes: string[]) => DomainError): Promise<void> {
  const issues = unvettedNames(value);
  if (issues === undefined) return;
  const kinds = await resources.peerKinds(workspace, [...new Set(issues.map((i) => i.input as string))]);
  const missing = issues.filter((i) => !kinds.has(i.input as string));
  if (missing.length > 0) throw new ValidationFailed(missing);
  const scopes = [...kinds].filter(([, kind]) => kind === "scope").map(([n]) => n);
  if (refuse && scopes.length > 0) throw refuse(pySorted(scopes));
  namesVetted(value);
}

/** Honcho's reject_scope_peers for a message's author (src/crud/message.py). */
export const scopesCannotAuthor = (scopes: string[]) => new DomainError("invalid_argument", `Peer name(s) ${pyListRepr(scopes)} are scopes. Scope peers cannot author messages.`);

/** Honcho's update_peer on a scope (src/crud/peer.py). */
export const scopeIsNoPeerToUpdate = (scopes: string[]) => new DomainError("invalid_argument", `Peer '${scopes[0]}' is a scope. Use the scopes routes to manage scopes.`);
