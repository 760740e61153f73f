// CreateMessages: the only place that holds the RPC's logic. Every protocol
// reaches it with a CreateMessagesRequest; it validates, counts tokens,
// stores the batch and answers the stored messages.
import { create, toJson, type JsonObject } from "@bufbuild/protobuf";
import {
  CreateMessagesRequestSchema,
  CreateMessagesResponseSchema,
  type CreateMessagesRequest,
  type CreateMessagesResponse,
} from "../../gen/honcho/v3/messages_pb.js";
import { ValidationFailed, notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { microsToIso, validateCreateMessages, type ValidBatch } from "../domain/validation/index.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./index.js";
import { timestampFromMicros } from "./shapes.js";

// Requests decoded from REST JSON were validated on the raw JSON already;
// remembering their batch spares a second pass (and keeps pydantic's lax
// coercions, which protobuf cannot express, e.g. a date-only created_at).
const prevalidated = new WeakMap<CreateMessagesRequest, ValidBatch>();

export function createMessagesHandler({ messages: store, tokens, onIngested }: Dependencies) {
  return async function createMessages(req: CreateMessagesRequest, _ctx: CallContext): Promise<CreateMessagesResponse> {
    const batch = prevalidated.get(req) ?? validateRequest(req);
    const peers = [...new Set(batch.messages.map((m) => m.peerId))].map((name) => ({ name, newId: newId() }));
    const counts = await tokens.countAll(batch.messages.map((m) => m.content));
    const rows = batch.messages.map((m, i) => ({
      publicId: newId(),
      peerName: m.peerId,
      content: m.content,
      metadata: m.metadata,
      tokenCount: counts[i]!,
      createdAt: m.createdAtMicros === null ? null : microsToIso(m.createdAtMicros),
    }));
    const stored = await store.insertBatch({
      workspaceName: batch.workspaceId,
      sessionName: batch.sessionId,
      newWorkspaceId: newId(),
      newSessionId: newId(),
      peers,
      rows,
    });
    if (!stored) throw notFound(`Session ${batch.sessionId} not found in workspace ${batch.workspaceId}`);
    onIngested?.(rows.length, rows.reduce((sum, r) => sum + r.tokenCount, 0));
    return create(CreateMessagesResponseSchema, {
      messages: rows.map((r, i) => ({
        id: r.publicId,
        content: r.content,
        peerId: r.peerName,
        sessionId: batch.sessionId,
        metadata: r.metadata as JsonObject,
        createdAt: timestampFromMicros(stored[i]!.createdAtMicros),
        workspaceId: batch.workspaceId,
        tokenCount: r.tokenCount,
      })),
    });
  };
}

/** REST decoding: FastAPI semantics on the raw JSON text, before any protobuf. */
export function decodeCreateMessagesJson(path: Record<string, string>, body: unknown): CreateMessagesRequest {
  const result = validateCreateMessages({ workspace_id: path.workspace_id ?? "", session_id: path.session_id ?? "" }, body);
  if (!result.ok) throw new ValidationFailed(result.issues);
  const batch = result.value;
  const req = create(CreateMessagesRequestSchema, {
    workspaceId: batch.workspaceId,
    sessionId: batch.sessionId,
    messages: batch.messages.map((m) => ({
      content: m.content,
      peerId: m.peerId,
      metadata: m.metadata as JsonObject,
      createdAt: m.createdAtMicros === null ? undefined : timestampFromMicros(m.createdAtMicros),
    })),
  });
  prevalidated.set(req, batch);
  return req;
}

// Binary and Connect-JSON requests: run the same validator over the JSON view
// of the message, with path fields under "path" as FastAPI reports them.
function validateRequest(req: CreateMessagesRequest): ValidBatch {
  const view = toJson(CreateMessagesRequestSchema, req, { useProtoFieldName: true, alwaysEmitImplicit: true }) as {
    workspace_id: string;
    session_id: string;
    messages: unknown[];
  };
  const result = validateCreateMessages(
    { workspace_id: view.workspace_id, session_id: view.session_id },
    { messages: view.messages },
  );
  if (!result.ok) throw new ValidationFailed(result.issues);
  return result.value;
}
