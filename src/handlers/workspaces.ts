// ListWorkspaces, UpdateWorkspace, DeleteWorkspace and GetQueueStatus
// (Honcho's src/routers/workspaces.py W2-W5).
import { create } from "@bufbuild/protobuf";
import {
  DeleteWorkspaceRequestSchema,
  DeleteWorkspaceResponseSchema,
  GetQueueStatusRequestSchema,
  GetQueueStatusResponseSchema,
  ListWorkspacesRequestSchema,
  ListWorkspacesResponseSchema,
  UpdateWorkspaceRequestSchema,
  UpdateWorkspaceResponseSchema,
  WorkspaceService,
  type DeleteWorkspaceRequest,
  type GetQueueStatusRequest,
  type ListWorkspacesRequest,
  type UpdateWorkspaceRequest,
} from "../../gen/honcho/v3/resources_pb.js";
import { DomainError, notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { validateWorkspaceList } from "../domain/validation/lists.js";
import { validateQueueStatus, validateWorkspaceRef } from "../domain/validation/session-ops.js";
import { validateWorkspaceUpdate } from "../domain/validation/updates.js";
import type { Counts } from "../store/queue-status.js";
import { answeredRow } from "./answered-values.js";
import { workspaceOf } from "./data-plane-shapes.js";
import { offsetOf, pageOf } from "./pages.js";
import { workspaceTarget, type Dependencies, type ServiceBinding } from "./types.js";
import { validatedRpc } from "./validated-rpc.js";

const m = WorkspaceService.method;
const str = (v: unknown) => v as string;

export const listWorkspacesRpc = validatedRpc(
  m.listWorkspaces,
  ({ query, body }) => validateWorkspaceList(query, body),
  (v) => create(ListWorkspacesRequestSchema, { page: v.page, size: v.size, reverse: v.reverse }),
);
export const deleteWorkspaceRpc = validatedRpc(
  m.deleteWorkspace,
  ({ path }) => validateWorkspaceRef({ workspace_id: str(path.workspace_id) }),
  (v) => create(DeleteWorkspaceRequestSchema, { workspaceId: v.workspaceId }),
);
export const queueStatusRpc = validatedRpc(
  m.getQueueStatus,
  ({ path, query }) => validateQueueStatus({ workspace_id: path.workspace_id }, query),
  (v) => create(GetQueueStatusRequestSchema, { workspaceId: v.workspaceId }),
);

const counts = (c: Counts) => ({ totalWorkUnits: c.total, completedWorkUnits: c.completed, inProgressWorkUnits: c.inProgress, pendingWorkUnits: c.pending });

export function workspaceBindings(deps: Dependencies): ServiceBinding[] {
  const store = deps.dataPlane;
  const updateWorkspaceRpc = validatedRpc(
    m.updateWorkspace,
    ({ path, body }) => validateWorkspaceUpdate({ workspace_id: path.workspace_id }, body, deps.honcho.maxCustomInstructionsTokens),
    (v) => create(UpdateWorkspaceRequestSchema, { workspaceId: v.workspaceId }),
  );
  return [
    {
      service: WorkspaceService,
      handlers: {
        async listWorkspaces(req: ListWorkspacesRequest) {
          const v = listWorkspacesRpc.valueOf(req);
          const { rows, total } = await store.lists.workspaces(v.filter, { offset: offsetOf(v), limit: v.size, newestFirst: v.reverse });
          return create(ListWorkspacesResponseSchema, pageOf(rows, total, v, workspaceOf));
        },
        async updateWorkspace(req: UpdateWorkspaceRequest) {
          const v = updateWorkspaceRpc.valueOf(req);
          const { row, prior } = await store.updates.workspace(v.workspaceId, newId(), v);
          return create(UpdateWorkspaceResponseSchema, { workspace: workspaceOf(answeredRow(row, v, prior)) });
        },
        async deleteWorkspace(req: DeleteWorkspaceRequest) {
          const v = deleteWorkspaceRpc.valueOf(req);
          const outcome = await store.deletes.workspace(v.workspaceId);
          if (outcome === "missing") throw notFound(`Workspace ${v.workspaceId} not found`);
          if (outcome === "active_sessions") {
            throw new DomainError("conflict", `Cannot delete workspace '${v.workspaceId}': active session(s) remain. Delete all sessions first.`);
          }
          return create(DeleteWorkspaceResponseSchema, { message: "Workspace deletion accepted" });
        },
        async getQueueStatus(req: GetQueueStatusRequest) {
          const v = queueStatusRpc.valueOf(req);
          const { totals, sessions } = await store.queueStatus.status(v.workspaceId, { session: v.session, observer: v.observer, sender: v.sender });
          // with a session filter Honcho answers no per-session map (null), and
          // null too when no counted row has a session (an empty map is written as null)
          const bySession = v.session !== null ? [] : sessions;
          return create(GetQueueStatusResponseSchema, {
            ...counts(totals),
            sessions: Object.fromEntries(bySession.map(([id, c]) => [id, { sessionId: id, ...counts(c) }])),
          });
        },
      },
      jsonDecoders: {
        listWorkspaces: listWorkspacesRpc.decode,
        updateWorkspace: updateWorkspaceRpc.decode,
        deleteWorkspace: deleteWorkspaceRpc.decode,
        getQueueStatus: queueStatusRpc.decode,
      },
      policies: {
        listWorkspaces: { access: { kind: "admin" }, target: () => ({ workspace: "" }) },
        updateWorkspace: { access: { kind: "workspace_write" }, target: workspaceTarget },
        deleteWorkspace: { access: { kind: "workspace_write" }, target: workspaceTarget },
        // session_id (a query filter) is not what is authorized: Honcho names the workspace only
        getQueueStatus: { access: { kind: "workspace_read" }, target: workspaceTarget },
      },
    },
  ];
}
