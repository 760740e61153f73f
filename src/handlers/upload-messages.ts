// UploadMessages (Honcho's create_messages_with_file, POST .../messages/upload):
// a file turned into messages as Honcho turns it (src/utils/files.py): its
// text by media type, cut into chunks of at most 25 000 characters, one
// message per chunk with the form's peer, metadata, configuration and
// created_at, each carrying the file's facts in internal_metadata. The
// messages are stored through the write path of CreateMessages
// (store-messages.ts), file facts included, in one transaction (Honcho adds
// them in a third commit, after the messages are visible without them).
import { create, toJson, type JsonObject } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import {
  MessageConfigurationSchema,
  UploadMessagesRequestSchema,
  UploadMessagesResponseSchema,
  type UploadMessagesRequest,
  type UploadMessagesResponse,
} from "../../gen/honcho/v3/messages_pb.js";
import { DomainError } from "../domain/errors.js";
import { extractText } from "../domain/files/extract.js";
import { splitTextIntoChunks } from "../domain/files/chunks.js";
import { newId } from "../domain/ids.js";
import { hasLoneSurrogate, stripNul } from "../domain/validation/strings.js";
import { validateUploadForm, validateUploadRequest, type ValidUpload } from "../domain/validation/upload.js";
import type { CallContext } from "./context.js";
import { createdAtKey, idempotencyKeyOf } from "./create-messages.js";
import { scopesCannotAuthor, uploadPeer, vetPeerNames } from "./peer-names.js";
import { messageFromRow, timestampFromMicros } from "./shapes.js";
import { storeMessages } from "./store-messages.js";
import { settled } from "./validated-rpc.js";
import type { Dependencies, JsonDecoder } from "./types.js";

/** Honcho's MAX_MESSAGE_SIZE, the longest chunk (and MessageCreate's content limit). */
const MAX_CHUNK = 25_000;

// REST forms are validated as FastAPI validates them (validateUploadForm);
// the request message built from a form remembers its validated value, so
// the handler does not validate twice, and a file that was too large to keep
// is known by its size alone.
const seen = new WeakMap<object, ValidUpload>();

interface UploadRpc {
  decode: JsonDecoder;
  valueOf(req: UploadMessagesRequest): ValidUpload;
}

/** maxInstructionTokens: DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS */
export const uploadMessagesRpc = (maxInstructionTokens: number): UploadRpc => ({
  decode(path, body) {
    const v = settled(() => validateUploadForm({ workspace_id: path.workspace_id, session_id: path.session_id }, body, maxInstructionTokens), uploadPeer);
    const req = create(UploadMessagesRequestSchema, {
      workspaceId: v.workspaceId,
      sessionId: v.sessionId,
      peerId: v.fields.peerId,
      file: v.file.bytes ?? new Uint8Array(),
      filename: v.file.filename ?? undefined,
      contentType: v.file.contentType ?? undefined,
      metadata: v.fields.metadata as JsonObject,
      createdAt: v.fields.createdAtMicros === null ? undefined : timestampFromMicros(v.fields.createdAtMicros),
    });
    seen.set(req, v);
    return req;
  },
  valueOf(req) {
    const known = seen.get(req);
    if (known) return known;
    return settled(() => validateUploadRequest(
      { workspace_id: req.workspaceId, session_id: req.sessionId },
      {
        peerId: req.peerId,
        ...(req.metadata !== undefined ? { metadata: req.metadata } : {}),
        ...(req.configuration !== undefined ? { configuration: toJson(MessageConfigurationSchema, req.configuration, { useProtoFieldName: true }) } : {}),
        createdAtMicros: req.createdAt ? req.createdAt.seconds * 1_000_000n + BigInt(Math.floor(req.createdAt.nanos / 1000)) : null,
      },
      { bytes: req.file, size: req.file.length, filename: req.filename ?? null, contentType: req.contentType ?? null },
      maxInstructionTokens,
    ), uploadPeer);
  },
});

export function uploadMessagesHandler(deps: Dependencies, rpc: UploadRpc) {
  const maxFileBytes = deps.honcho.maxFileSize;
  return async function uploadMessages(req: UploadMessagesRequest, ctx: CallContext): Promise<UploadMessagesResponse> {
    const v = rpc.valueOf(req);
    const key = idempotencyKeyOf(ctx.headers);
    const { file } = v;
    if (file.size > maxFileBytes || file.bytes === undefined) {
      throw new DomainError("payload_too_large", `File size (${file.size} bytes) exceeds maximum allowed size (${maxFileBytes} bytes)`);
    }
    const text = await extractText(file.bytes, file.contentType);
    // JSON can spell lone surrogates ("\ud800"); no message can hold one
    // (Honcho fails on it with a 500)
    if (hasLoneSurrogate(text)) throw new DomainError("invalid_argument", "The file's text holds a lone surrogate, which is not valid Unicode");
    // Honcho's crud looks at the peer after the file was read
    await vetPeerNames(deps.resources, v.workspaceId, v, scopesCannotAuthor);
    const { chunks, length } = splitTextIntoChunks(text, MAX_CHUNK);
    const fileId = newId();
    const messages = chunks.map((chunk, i) => ({
      ...v.fields,
      content: stripNul(chunk.text),
      internalMetadata: {
        file_id: fileId,
        filename: file.filename,
        chunk_index: i,
        total_chunks: chunks.length,
        original_file_size: file.size,
        content_type: file.contentType,
        // Honcho's nominal range: i * 25000 to (i + 1) * 25000, whatever the
        // chunk's real bounds after breaking at a delimiter
        chunk_character_range: [i * MAX_CHUNK, Math.min((i + 1) * MAX_CHUNK, length)],
      },
    }));
    const once = key === undefined ? undefined : { scope: `UploadMessages:${v.workspaceId}/${v.sessionId}`, key, requestHash: hashUpload(v) };
    const outcome = await storeMessages(deps, { workspaceId: v.workspaceId, sessionId: v.sessionId, messages }, once);
    if (outcome.kind === "conflict") throw new DomainError("conflict", `Idempotency-Key ${key} was already used with a different request`);
    if (outcome.kind === "replay") return create(UploadMessagesResponseSchema, { messages: (await deps.reads.byIds(outcome.publicIds)).map(messageFromRow) });
    return { $typeName: UploadMessagesResponseSchema.typeName, messages: outcome.messages };
  };
}

// What makes two uploads "the same": the validated fields and the file.
function hashUpload(v: ValidUpload): string {
  const f = v.fields;
  return createHash("sha256")
    .update(JSON.stringify([v.workspaceId, v.sessionId, f.peerId, f.metadata, f.configuration, createdAtKey(f), v.file.filename, v.file.contentType]))
    .update(v.file.bytes ?? new Uint8Array())
    .digest("hex");
}
