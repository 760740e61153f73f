// Workspaces whose names Honcho's pattern no longer admits: an app named
// before the pattern ("acme.prod"), kept as its workspace's name by Honcho's
// peer-paradigm migration. Honcho's paths are plain `str`, and its
// get_or_create_session (behind POST …/sessions and PUT …/sessions/{s})
// creates the workspace only for a new session, where its WorkspaceCreate
// refuses the name (a 422 in pydantic's words; the update's 404). So it gets
// and updates a session that exists in such a workspace, and the service
// does too. For a session that does not exist the pattern's 422 stands: the
// conformance file's answer to a path the pattern refuses, on a route that
// would create a row under that name. (The members routes take such a
// workspace's name as it is: session-peers.ts.)
import { ValidationFailed } from "../domain/errors.js";
import type { Loc } from "../domain/validation/index.js";
import type { ResourceStore } from "../store/resource-store.js";
import { namesVetted, unvettedNames } from "./validated-rpc.js";

/** The position: the workspace in a path (`legacyNamesAt`, validated-rpc.ts). */
export const pathWorkspace = (loc: Loc) => loc.length === 2 && loc[0] === "path" && loc[1] === "workspace_id";

/**
 * Throws the 422 validation would have answered for an admitted workspace
 * name, unless the workspace holds the session (active or not: an inactive
 * one is the handler's not-found, as in Honcho). A session deleted for good
 * between this look and the write would be created in the workspace, which
 * exists; Honcho would have failed there.
 */
export async function vetSessionWorkspace(resources: ResourceStore, value: { workspaceId: string }, session: string): Promise<void> {
  const issues = unvettedNames(value);
  if (issues === undefined) return;
  if (!(await resources.sessionExists(value.workspaceId, session))) throw new ValidationFailed(issues);
  namesVetted(value);
}
