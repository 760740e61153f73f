// CreateMessages: the only place that holds the RPC's logic. Every protocol
// reaches it with a CreateMessagesRequest; it validates, and stores the batch
// through the shared write path (store-messages.ts), which answers the stored messages.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  CreateMessagesRequestSchema,
  CreateMessagesResponseSchema,
  MessageCreateSchema,
  MessageService,
  type CreateMessagesRequest,
  type CreateMessagesResponse,
} from "../../gen/honcho/v3/messages_pb.js";
import { createHash } from "node:crypto";
import { DomainError } from "../domain/errors.js";
import { validateCreateMessages, type ValidBatch } from "../domain/validation/index.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./types.js";
import { messageAuthors, scopesCannotAuthor, vetPeerNames } from "./peer-names.js";
import { messageFromRow, timestampFromMicros } from "./shapes.js";
import { storeMessages } from "./store-messages.js";
import { validatedRpc, type ValidatedRpc } from "./validated-rpc.js";

// REST requests are validated on the raw JSON (keeping pydantic's lax
// coercions, which protobuf cannot express, e.g. a date-only created_at);
// protobuf requests are split into the same path and body and validated alike.
// maxInstructionTokens: DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS. The REST
// decoder remembers each request's validated value for the handler, so the
// bindings make one and give it to both.
export const createMessagesRpc = (maxInstructionTokens: number): ValidatedRpc<ValidBatch> =>
  validatedRpc(
    MessageService.methods.find((m) => m.name === "CreateMessages")!,
    ({ path, body }) => validateCreateMessages({ workspace_id: path.workspace_id as string, session_id: path.session_id as string }, body, maxInstructionTokens),
    (batch) => ({
      $typeName: CreateMessagesRequestSchema.typeName,
      workspaceId: batch.workspaceId,
      sessionId: batch.sessionId,
      messages: batch.messages.map((m) => ({
        $typeName: MessageCreateSchema.typeName,
        content: m.content,
        peerId: m.peerId,
        metadata: m.metadata as JsonObject,
        createdAt: m.createdAtMicros === null ? undefined : timestampFromMicros(m.createdAtMicros),
        configuration: undefined,
      })),
    }),
    messageAuthors,
  );

export function createMessagesHandler(deps: Dependencies, rpc: ValidatedRpc<ValidBatch>) {
  return async function createMessages(req: CreateMessagesRequest, ctx: CallContext): Promise<CreateMessagesResponse> {
    const batch: ValidBatch = rpc.valueOf(req);
    await vetPeerNames(deps.resources, batch.workspaceId, batch, scopesCannotAuthor);
    const key = idempotencyKeyOf(ctx.headers);
    const once = key === undefined ? undefined : { scope: `CreateMessages:${batch.workspaceId}/${batch.sessionId}`, key, requestHash: hashBatch(batch) };
    const outcome = await storeMessages(deps, batch, once);
    if (outcome.kind === "conflict") throw new DomainError("conflict", `Idempotency-Key ${key} was already used with a different request`);
    if (outcome.kind === "replay") return create(CreateMessagesResponseSchema, { messages: (await deps.reads.byIds(outcome.publicIds)).map(messageFromRow) });
    return { $typeName: CreateMessagesResponseSchema.typeName, messages: outcome.messages };
  };
}

// Idempotency-Key: an HTTP header on REST, metadata on gRPC and Connect.
export function idempotencyKeyOf(headers: Headers): string | undefined {
  const key = headers.get("idempotency-key");
  if (key === null) return undefined;
  if (key.length < 1 || key.length > 255) throw new DomainError("bad_request", "Idempotency-Key must be 1 to 255 characters");
  return key;
}

/** created_at in a request's hash: the instant, marked when naive (whose instant is the database's TimeZone's) */
export const createdAtKey = (m: { createdAtMicros: bigint | null; createdAtNaive?: boolean }): string | null =>
  m.createdAtMicros === null ? null : m.createdAtNaive ? `${m.createdAtMicros} naive` : m.createdAtMicros.toString();

// What makes two requests "the same": the validated batch, not its spelling.
export function hashBatch(batch: ValidBatch): string {
  const canonical = batch.messages.map((m) => [m.content, m.peerId, m.metadata, m.configuration, createdAtKey(m)]);
  return createHash("sha256").update(JSON.stringify([batch.workspaceId, batch.sessionId, canonical])).digest("hex");
}
