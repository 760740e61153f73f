// The write path every way of adding messages shares (Create Messages, Upload
// Messages, Import Messages): validated messages → token counts and
// embedding chunks → one write_batches call (store/message-store.ts) → the
// stored messages as Honcho answers them. So a message is stored, queued
// and answered the same whichever RPC brought it.
import type { JsonObject } from "@bufbuild/protobuf";
import type { Message } from "../../gen/honcho/v3/messages_pb.js";
import { notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { microsToIso, type NewMessage } from "../domain/validation/index.js";
import { keepDatetimeText } from "../json/datetime-text.js";
import type { IdempotencyKey } from "../store/message-store.js";
import { messageOf } from "./shapes.js";
import { unvettedNames } from "./validated-rpc.js";
import type { Dependencies } from "./types.js";

export interface MessageToStore extends NewMessage {
  /** written to messages.internal_metadata with the message */
  internalMetadata?: Record<string, unknown>;
}

export interface MessagesToStore {
  workspaceId: string;
  sessionId: string;
  messages: MessageToStore[];
}

export type StoreOutcome =
  | { kind: "stored"; messages: Message[] }
  /** the key was used before by the same request: the ids it stored */
  | { kind: "replay"; publicIds: string[] }
  /** the key was used before by another request: nothing written */
  | { kind: "conflict" };

/** Stores the messages in one transaction (at most once per key); an inactive session is Honcho's 404. */
export async function storeMessages(
  { messages: store, tokens, idempotencyTtlSeconds, embeddingChunkTokens, onIngested }: Dependencies,
  batch: MessagesToStore,
  once?: Omit<IdempotencyKey, "ttlSeconds">,
): Promise<StoreOutcome> {
  // an author admitted by validation only to be vetted must have been (a handler's duty): never create such a peer
  if (unvettedNames(batch) !== undefined) throw new Error("storeMessages: authors not vetted (vetPeerNames)");
  const peers = [...new Set(batch.messages.map((m) => m.peerId))].map((name) => ({ name, newId: newId() }));
  const { counts, chunks } = await tokens.analyse(batch.messages.map((m) => m.content), embeddingChunkTokens);
  const rows = batch.messages.map((m, i) => ({
    publicId: newId(),
    peerName: m.peerId,
    content: m.content,
    metadata: m.metadata,
    tokenCount: counts[i]!,
    // a naive created_at goes as a wall clock, for PostgreSQL to read in its TimeZone
    createdAt: m.createdAtMicros === null ? null : m.createdAtNaive ? microsToIso(m.createdAtMicros).slice(0, -1) : microsToIso(m.createdAtMicros),
    createdAtText: m.createdAtText,
    configuration: configurationJson(m.configuration),
    chunks: chunks ? chunks[i]! : [],
    ...(m.internalMetadata ? { internalMetadata: m.internalMetadata } : {}),
  }));
  const outcome = await store.write({
    workspaceName: batch.workspaceId,
    sessionName: batch.sessionId,
    newWorkspaceId: newId(),
    newSessionId: newId(),
    peers,
    rows,
    once: once && { ...once, ttlSeconds: idempotencyTtlSeconds },
  });
  if (outcome.kind === "inactive") throw notFound(`Session ${batch.sessionId} not found in workspace ${batch.workspaceId}`);
  if (outcome.kind !== "stored") return outcome;
  const stored = outcome.rows;
  onIngested?.(rows.length, rows.reduce((sum, r) => sum + r.tokenCount, 0));
  return {
    kind: "stored",
    messages: rows.map((r, i) => {
      const message = messageOf(r.publicId, r.content, r.peerName, batch.sessionId, r.metadata as JsonObject, stored[i]!.createdAtMicros, batch.workspaceId, r.tokenCount);
      // Honcho answers with the datetime it parsed, in the offset it was written with
      const text = batch.messages[i]!.createdAtText;
      if (text) keepDatetimeText(message.createdAt!, text);
      return message;
    }),
  };
}

// The message's configuration as Honcho stores it (snake_case JSON).
function configurationJson(c: NewMessage["configuration"]): Record<string, unknown> | null {
  if (!c) return null;
  if (!c.reasoning) return {};
  const { enabled, customInstructions } = c.reasoning;
  return { reasoning: { ...(enabled !== undefined ? { enabled } : {}), ...(customInstructions !== undefined ? { custom_instructions: customInstructions } : {}) } };
}
