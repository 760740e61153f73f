// Stored rows → contract messages.
import type { JsonObject } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { MessageSchema, type Message } from "../../gen/honcho/v3/messages_pb.js";
import { splitMicros } from "../domain/validation/index.js";
import type { MessageRow } from "../store/message-reads.js";

// Messages on the hot paths are written as complete literals: protobuf-es
// messages are plain objects, and create() over an init object (field by
// field, through reflection) was ~7 % of the CPU of a 100-message batch.
export function timestampFromMicros(micros: bigint): Timestamp {
  const [seconds, rest] = splitMicros(micros, 1_000_000n);
  return { $typeName: TimestampSchema.typeName, seconds, nanos: Number(rest) * 1000 };
}

export function messageFromRow(r: MessageRow): Message {
  return messageOf(r.public_id, r.content, r.peer_name, r.session_name, r.metadata as JsonObject, BigInt(r.micros), r.workspace_name, r.token_count);
}

export function messageOf(
  id: string,
  content: string,
  peerId: string,
  sessionId: string,
  metadata: JsonObject,
  createdAtMicros: bigint,
  workspaceId: string,
  tokenCount: number,
): Message {
  return { $typeName: MessageSchema.typeName, id, content, peerId, sessionId, metadata, createdAt: timestampFromMicros(createdAtMicros), workspaceId, tokenCount };
}
