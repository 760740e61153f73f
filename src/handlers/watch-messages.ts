// WatchMessages: a session's messages from after_seq on, then each new one
// as it commits, each once and in order. Sequence numbers are taken under the
// session row's lock until commit, so they commit in order and "after the
// last one sent" never skips one.
import { create } from "@bufbuild/protobuf";
import { WatchMessagesResponseSchema, type WatchMessagesRequest } from "../../gen/honcho/v3/queue_pb.js";
import { validateWatch } from "../domain/validation/index.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./types.js";
import { valid } from "./queue.js";
import { messageFromRow } from "./shapes.js";

const PAGE = 500;
// Notifications wake the stream at once; this also catches any that were missed.
const POLL_MS = 5_000;

export function watchMessagesHandler({ reads, commits }: Dependencies) {
  return async function* watchMessages(req: WatchMessagesRequest, ctx: CallContext) {
    const v = valid(validateWatch(req));
    let last = v.afterSeq;
    let dirty = true;
    let wake: (() => void) | undefined;
    const unsubscribe = commits.subscribe(v.workspaceId, v.sessionId, () => {
      dirty = true;
      wake?.();
    });
    try {
      while (!ctx.signal.aborted) {
        if (dirty) {
          dirty = false;
          for (let more = true; more; ) {
            const rows = await reads.after(v.workspaceId, v.sessionId, last, PAGE);
            for (const r of rows) {
              yield create(WatchMessagesResponseSchema, { message: messageFromRow(r), seqInSession: BigInt(r.seq) });
              last = BigInt(r.seq);
            }
            more = rows.length === PAGE;
          }
        }
        // told while reading or sending: read again now, not at the next poll
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, POLL_MS);
          ctx.signal.addEventListener("abort", done, { once: true });
          wake = done;
          function done() {
            clearTimeout(timer);
            ctx.signal.removeEventListener("abort", done);
            wake = undefined;
            dirty = true;
            resolve();
          }
        });
      }
    } finally {
      unsubscribe();
    }
  };
}
