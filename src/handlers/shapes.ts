// Stored rows → contract messages.
import { create, type JsonObject } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { MessageSchema, type Message } from "../../gen/honcho/v3/messages_pb.js";
import { splitMicros } from "../domain/validation/index.js";
import type { MessageRow } from "../store/message-reads.js";

export function timestampFromMicros(micros: bigint): Timestamp {
  const [seconds, rest] = splitMicros(micros, 1_000_000n);
  return create(TimestampSchema, { seconds, nanos: Number(rest) * 1000 });
}

export function messageFromRow(r: MessageRow): Message {
  return create(MessageSchema, {
    id: r.public_id,
    content: r.content,
    peerId: r.peer_name,
    sessionId: r.session_name,
    metadata: r.metadata as JsonObject,
    createdAt: timestampFromMicros(BigInt(r.micros)),
    workspaceId: r.workspace_name,
    tokenCount: r.token_count,
  });
}
