// ListSessions, UpdateSession, DeleteSession, CloneSession and
// GetSessionSummaries (Honcho's src/routers/sessions.py S1, S3-S5, S12).
import { create } from "@bufbuild/protobuf";
import {
  CloneSessionRequestSchema,
  CloneSessionResponseSchema,
  DeleteSessionRequestSchema,
  DeleteSessionResponseSchema,
  GetSessionSummariesRequestSchema,
  GetSessionSummariesResponseSchema,
  ListSessionsRequestSchema,
  ListSessionsResponseSchema,
  SessionService,
  UpdateSessionRequestSchema,
  UpdateSessionResponseSchema,
  type CloneSessionRequest,
  type DeleteSessionRequest,
  type GetSessionSummariesRequest,
  type ListSessionsRequest,
  type Summary,
  type UpdateSessionRequest,
} from "../../gen/honcho/v3/resources_pb.js";
import { notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { validateSessionList } from "../domain/validation/lists.js";
import { validateClone, validateSessionRef } from "../domain/validation/session-ops.js";
import { validateSessionUpdate } from "../domain/validation/updates.js";
import type { StoredSummary } from "../store/summaries.js";
import { answeredRow } from "./answered-values.js";
import { sessionOf } from "./data-plane-shapes.js";
import { offsetOf, pageOf } from "./pages.js";
import { sessionRead, sessionTarget, sessionWrite, type Dependencies, type ServiceBinding } from "./types.js";
import { validatedRpc } from "./validated-rpc.js";
import { pathWorkspace, vetSessionWorkspace } from "./workspace-names.js";

const m = SessionService.method;

export const listSessionsRpc = validatedRpc(
  m.listSessions,
  ({ path, query, body }) => validateSessionList({ workspace_id: path.workspace_id }, query, body),
  (v) => create(ListSessionsRequestSchema, { workspaceId: v.workspaceId, page: v.page, size: v.size, reverse: v.reverse }),
);
export const deleteSessionRpc = validatedRpc(
  m.deleteSession,
  ({ path }) => validateSessionRef({ workspace_id: path.workspace_id, session_id: path.session_id }),
  (v) => create(DeleteSessionRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId }),
);
export const cloneSessionRpc = validatedRpc(
  m.cloneSession,
  ({ path, query }) => validateClone({ workspace_id: path.workspace_id, session_id: path.session_id }, query),
  (v) => create(CloneSessionRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId }),
);
export const summariesRpc = validatedRpc(
  m.getSessionSummaries,
  ({ path }) => validateSessionRef({ workspace_id: path.workspace_id, session_id: path.session_id }),
  (v) => create(GetSessionSummariesRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId }),
);

// summarizer.to_schema_summary: the public id of the last message covered
// ("" for summaries stored before Honcho kept it), the rest as stored
function summaryOf(s: StoredSummary | null): Summary | undefined {
  if (!s) return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
  return {
    $typeName: "honcho.v3.Summary",
    content: text(s.content),
    messageId: text(s.message_public_id),
    summaryType: text(s.summary_type),
    createdAt: text(s.created_at),
    tokenCount: typeof s.token_count === "number" ? Math.trunc(s.token_count) : Number(s.token_count ?? 0) || 0,
  };
}

export function sessionBindings(deps: Dependencies): ServiceBinding[] {
  const store = deps.dataPlane;
  const updateSessionRpc = validatedRpc(
    m.updateSession,
    ({ path, body }) => validateSessionUpdate({ workspace_id: path.workspace_id, session_id: path.session_id }, body, deps.honcho.maxCustomInstructionsTokens),
    (v) => create(UpdateSessionRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId }),
    pathWorkspace,
  );
  return [
    {
      service: SessionService,
      handlers: {
        async listSessions(req: ListSessionsRequest) {
          const v = listSessionsRpc.valueOf(req);
          const { rows, total } = await store.lists.sessions(v.workspaceId, v.filter, { offset: offsetOf(v), limit: v.size, newestFirst: v.reverse });
          return create(ListSessionsResponseSchema, pageOf(rows, total, v, sessionOf));
        },
        async updateSession(req: UpdateSessionRequest) {
          const v = updateSessionRpc.valueOf(req);
          await vetSessionWorkspace(deps.resources, v, v.sessionId);
          const updated = await store.updates.session(v.workspaceId, v.sessionId, { workspace: newId(), session: newId() }, v);
          if (!updated) throw notFound(`Session ${v.sessionId} not found in workspace ${v.workspaceId}`);
          const { row, prior } = updated;
          return create(UpdateSessionResponseSchema, { session: sessionOf(answeredRow(row, v, prior)) });
        },
        async deleteSession(req: DeleteSessionRequest) {
          const v = deleteSessionRpc.valueOf(req);
          if (!(await store.deletes.session(v.workspaceId, v.sessionId))) throw notFound(`Session ${v.sessionId} not found in workspace ${v.workspaceId}`);
          return create(DeleteSessionResponseSchema, { message: "Session deleted successfully" });
        },
        async cloneSession(req: CloneSessionRequest) {
          const v = cloneSessionRpc.valueOf(req);
          const result = await store.clones.clone(v.workspaceId, v.sessionId, v.messageId, { session: newId(), name: newId() }, newId);
          if (!result.ok) throw notFound(result.missing === "session" ? "Original session not found" : "Session not found");
          return create(CloneSessionResponseSchema, { session: sessionOf(result.session) });
        },
        async getSessionSummaries(req: GetSessionSummariesRequest) {
          const v = summariesRpc.valueOf(req);
          const { short, long } = await store.summaries.both(v.workspaceId, v.sessionId);
          return create(GetSessionSummariesResponseSchema, { id: v.sessionId, shortSummary: summaryOf(short), longSummary: summaryOf(long) });
        },
      },
      jsonDecoders: {
        listSessions: listSessionsRpc.decode,
        updateSession: updateSessionRpc.decode,
        deleteSession: deleteSessionRpc.decode,
        cloneSession: cloneSessionRpc.decode,
        getSessionSummaries: summariesRpc.decode,
      },
      policies: {
        listSessions: { access: { kind: "workspace_read" }, target: (f) => ({ workspace: f.workspace_id ?? "" }) },
        updateSession: { access: sessionWrite, target: sessionTarget },
        deleteSession: { access: sessionWrite, target: sessionTarget },
        cloneSession: { access: sessionWrite, target: sessionTarget },
        // members of the session may read its summaries
        getSessionSummaries: { access: sessionRead, target: sessionTarget },
      },
    },
  ];
}
