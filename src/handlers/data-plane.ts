// The rest of Honcho's data plane, bound: workspaces, peers and sessions
// beyond get-or-create (lists, updates, deletes, clone, peer cards,
// summaries, queue status).
import { peerBindings } from "./peers.js";
import { sessionBindings } from "./sessions.js";
import type { Dependencies, ServiceBinding } from "./types.js";
import { workspaceBindings } from "./workspaces.js";

export function dataPlaneBindings(deps: Dependencies): ServiceBinding[] {
  return [...workspaceBindings(deps), ...peerBindings(deps), ...sessionBindings(deps)];
}
