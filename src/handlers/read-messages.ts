// GetMessage, UpdateMessage and ListMessages: stored messages back out, with
// Honcho's shapes (a fastapi-pagination page for lists).
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  GetMessageRequestSchema,
  GetMessageResponseSchema,
  ListMessagesRequestSchema,
  ListMessagesResponseSchema,
  MessageService,
  UpdateMessageRequestSchema,
  UpdateMessageResponseSchema,
  type GetMessageRequest,
  type ListMessagesRequest,
  type UpdateMessageRequest,
} from "../../gen/honcho/v3/messages_pb.js";
import { notFound } from "../domain/errors.js";
import { validateMessageList, validateMessageRef, validateMessageUpdate } from "../domain/validation/index.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./types.js";
import { offsetOf, pageOf } from "./pages.js";
import { messageFromRow } from "./shapes.js";
import { validatedRpc } from "./validated-rpc.js";

const method = (name: string) => MessageService.methods.find((m) => m.name === name)!;
const str = (v: unknown) => v as string;

export const getMessageRpc = validatedRpc(
  method("GetMessage"),
  ({ path }) => validateMessageRef({ workspace_id: str(path.workspace_id), session_id: str(path.session_id), message_id: str(path.message_id) }),
  (v) => create(GetMessageRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, messageId: v.messageId }),
);

export const updateMessageRpc = validatedRpc(
  method("UpdateMessage"),
  ({ path, body }) => validateMessageUpdate({ workspace_id: str(path.workspace_id), session_id: str(path.session_id), message_id: str(path.message_id) }, body),
  (v) => create(UpdateMessageRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, messageId: v.messageId, metadata: (v.metadata ?? undefined) as never }),
);

export const listMessagesRpc = validatedRpc(
  method("ListMessages"),
  ({ path, query, body }) => validateMessageList({ workspace_id: str(path.workspace_id), session_id: str(path.session_id) }, query, body),
  (v) => create(ListMessagesRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, page: v.page, size: v.size, reverse: v.reverse }),
);

export function readMessageHandlers({ reads }: Dependencies) {
  return {
    async getMessage(req: GetMessageRequest, _ctx: CallContext) {
      const v = getMessageRpc.valueOf(req);
      const row = await reads.get(v.workspaceId, v.sessionId, v.messageId);
      if (!row) throw notFound(`Message with ID ${v.messageId} not found`);
      return create(GetMessageResponseSchema, { message: messageFromRow(row) });
    },
    async updateMessage(req: UpdateMessageRequest, _ctx: CallContext) {
      const v = updateMessageRpc.valueOf(req);
      const row = v.metadata === null ? await reads.get(v.workspaceId, v.sessionId, v.messageId) : await reads.setMetadata(v.workspaceId, v.sessionId, v.messageId, v.metadata);
      if (!row) throw notFound("Message not found");
      // Honcho answers with the metadata it was given (its order, its numbers), not the row read back (answered-values.ts)
      const message = messageFromRow(row);
      if (v.metadata !== null) message.metadata = v.metadata as JsonObject;
      return create(UpdateMessageResponseSchema, { message });
    },
    async listMessages(req: ListMessagesRequest, _ctx: CallContext) {
      const v = listMessagesRpc.valueOf(req);
      const { rows, total } = await reads.page(v.workspaceId, v.sessionId, v.filter, offsetOf(v), v.size, v.reverse);
      return create(ListMessagesResponseSchema, pageOf(rows, total, v, messageFromRow));
    },
  };
}
