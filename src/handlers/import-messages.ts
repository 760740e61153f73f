// ImportMessages (not in Honcho): a client stream of messages stored in
// batches of 100 through the CreateMessages write path (validation,
// store-messages.ts), so an imported message is stored, queued and answered
// exactly like a created one. Batch n (messages 100n to 100n + 99 of the
// stream, however the client grouped them) is idempotent under the key
// "<import key>#<n>": a client that lost its stream sends everything again
// under the same import key, the batches already stored are answered from
// their keys, and only the rest is stored. Keys are remembered for
// IDEMPOTENCY_TTL_SECONDS, which bounds how late an import can be resumed.
// The last request carries `end`: over HTTP/2 a stream the client reset
// ends like a finished one, so without it the messages after the last whole
// batch are not stored (stored under batch n's key as a shorter batch, they
// would make the resumed import's batch n a conflict).
import {
  CreateMessagesRequestSchema,
  ImportMessagesResponseSchema,
  type CreateMessagesRequest,
  type ImportMessagesRequest,
  type ImportMessagesResponse,
  type MessageCreate,
} from "../../gen/honcho/v3/messages_pb.js";
import { DomainError, ValidationFailed } from "../domain/errors.js";
import { issue, type ValidationIssue } from "../domain/validation/index.js";
import { name } from "../domain/validation/fields.js";
import type { CallContext } from "./context.js";
import { createMessagesRpc, hashBatch } from "./create-messages.js";
import { scopesCannotAuthor, vetPeerNames } from "./peer-names.js";
import { storeMessages } from "./store-messages.js";
import type { Dependencies } from "./types.js";

export const IMPORT_BATCH = 100;
const MAX_IMPORT_KEY = 200;

export interface ImportOptions {
  /** a progress line every this many batches */
  logEveryBatches?: number;
}

export function importMessagesHandler(deps: Dependencies, { logEveryBatches = 10 }: ImportOptions = {}) {
  // its own: it validates protobuf requests only (no REST decoder to share with)
  const rpc = createMessagesRpc(deps.honcho.maxCustomInstructionsTokens);
  return async function importMessages(requests: AsyncIterable<ImportMessagesRequest>, ctx: CallContext): Promise<ImportMessagesResponse> {
    const out: ImportMessagesResponse = {
      $typeName: ImportMessagesResponseSchema.typeName,
      messages: 0n,
      messagesStored: 0n,
      messagesReplayed: 0n,
      batches: 0,
      batchesStored: 0,
      batchesReplayed: 0,
      firstMessageId: "",
      lastMessageId: "",
    };
    let target: { workspaceId: string; sessionId: string; key: string } | undefined;
    let pending: MessageCreate[] = [];
    let ended = false;
    const started = Date.now();
    const progress = (msg: string) =>
      deps.log?.info(
        {
          requestId: ctx.requestId,
          import: target?.key,
          workspace: target?.workspaceId,
          session: target?.sessionId,
          batches: out.batches,
          batchesStored: out.batchesStored,
          batchesReplayed: out.batchesReplayed,
          messages: Number(out.messages),
          messagesStored: Number(out.messagesStored),
          messagesReplayed: Number(out.messagesReplayed),
          messagesPerSecond: Math.round(Number(out.messages) / Math.max((Date.now() - started) / 1000, 0.001)),
        },
        msg,
      );

    // One batch through CreateMessages' validation and write path, under its key.
    const flush = async (messages: MessageCreate[]) => {
      const t = target!;
      const n = out.batches;
      let batch;
      try {
        const req: CreateMessagesRequest = { $typeName: CreateMessagesRequestSchema.typeName, workspaceId: t.workspaceId, sessionId: t.sessionId, messages };
        batch = rpc.valueOf(req);
        // authors under names the pattern refuses: taken when such peers exist, as in CreateMessages
        await vetPeerNames(deps.resources, batch.workspaceId, batch, scopesCannotAuthor);
      } catch (err) {
        // a message's place in the whole import, not in its batch
        if (err instanceof ValidationFailed) throw new ValidationFailed(err.issues.map((i) => (i.loc[1] === "messages" && typeof i.loc[2] === "number" ? { ...i, loc: ["body", "messages", n * IMPORT_BATCH + i.loc[2], ...i.loc.slice(3)] } : i)));
        throw err;
      }
      const outcome = await storeMessages(deps, batch, { scope: `ImportMessages:${t.workspaceId}/${t.sessionId}`, key: `${t.key}#${n}`, requestHash: hashBatch(batch) });
      if (outcome.kind === "conflict") throw new DomainError("conflict", `Import ${t.key}: batch ${n} was stored before with other messages`);
      const ids = outcome.kind === "stored" ? outcome.messages.map((m) => m.id) : outcome.publicIds;
      out.batches++;
      out.messages += BigInt(messages.length);
      if (outcome.kind === "stored") {
        out.batchesStored++;
        out.messagesStored += BigInt(ids.length);
      } else {
        out.batchesReplayed++;
        out.messagesReplayed += BigInt(ids.length);
      }
      if (out.firstMessageId === "") out.firstMessageId = ids[0] ?? "";
      out.lastMessageId = ids[ids.length - 1] ?? out.lastMessageId;
      if (out.batches % logEveryBatches === 0) progress("import progress");
    };

    for await (const req of requests) {
      if (ended) throw new DomainError("invalid_argument", "No request may follow the one marked end");
      ended = req.end;
      if (!target) target = startOf(req);
      else if ((req.workspaceId && req.workspaceId !== target.workspaceId) || (req.sessionId && req.sessionId !== target.sessionId) || (req.importKey && req.importKey !== target.key)) {
        throw new DomainError("invalid_argument", "Every request of an import names the workspace, session and import key of its first request (or none)");
      }
      pending.push(...req.messages);
      while (pending.length >= IMPORT_BATCH) {
        await flush(pending.slice(0, IMPORT_BATCH));
        pending = pending.slice(IMPORT_BATCH);
      }
    }
    if (!target) target = startOf(undefined);
    if (!ended) {
      progress("import cut off");
      throw new DomainError(
        "invalid_argument",
        `The stream closed without a request marked end: ${pending.length} message(s) after the last whole batch were not stored; send the import again under the same key, its last request marked end`,
      );
    }
    if (pending.length > 0) await flush(pending);
    progress("import done");
    return out;
  };
}

// The first request names the import.
function startOf(req: ImportMessagesRequest | undefined): { workspaceId: string; sessionId: string; key: string } {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(req?.workspaceId ?? "", ["body", "workspace_id"], issues);
  const sessionId = name(req?.sessionId ?? "", ["body", "session_id"], issues);
  const key = req?.importKey ?? "";
  if (key.length === 0) issues.push(issue.missing(["body", "import_key"], null));
  else if ([...key].length > MAX_IMPORT_KEY) issues.push(issue.tooLongString(["body", "import_key"], key, MAX_IMPORT_KEY));
  if (issues.length > 0 || workspaceId === undefined || sessionId === undefined) throw new ValidationFailed(issues);
  return { workspaceId, sessionId, key };
}
