// Token work on a batch's contents (token-work.mjs: o200k counts, and
// Honcho's embedding chunks when those are written). Big batches go to worker
// threads so that the event loop keeps serving while 25000-character
// messages stream in.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { analyse, countTokens, type Analysis } from "./token-work.mjs";

export { countTokens, type Analysis };

/** Below this many UTF-16 units in a batch, counting inline is cheaper than a hop to a worker. */
const INLINE_LIMIT = 32 * 1024;

export interface TokenCounter {
  /** counts, and embedding chunks of at most chunkTokens cl100k tokens when chunkTokens > 0 */
  analyse(texts: string[], chunkTokens?: number): Promise<Analysis>;
  close(): Promise<void>;
}

export interface TokenCounterOptions {
  workers?: number;
  /** batches with fewer UTF-16 units are counted on the calling thread */
  inlineLimit?: number;
  /** the worker's script (tests give one that dies) */
  workerUrl?: URL;
}

type Call = { texts: string[]; chunkTokens: number; resolve: (a: Analysis) => void; reject: (e: Error) => void; tries: number };

export function createTokenCounter({
  workers = Math.max(1, os.availableParallelism() - 1),
  inlineLimit = INLINE_LIMIT,
  workerUrl = new URL("./token-worker.mjs", import.meta.url),
}: TokenCounterOptions = {}): TokenCounter {
  const pool: { worker: Worker; pending: Map<number, Call> }[] = [];
  let nextId = 0;
  let closed = false;

  function spawn() {
    const worker = new Worker(workerUrl);
    worker.unref();
    const slot = { worker, pending: new Map<number, Call>() };
    let failure: Error | undefined;
    worker.on("message", ({ id, counts, chunks, error }: { id: number; counts?: number[]; chunks?: Analysis["chunks"]; error?: string }) => {
      const call = slot.pending.get(id);
      slot.pending.delete(id);
      if (error) call?.reject(new Error(error));
      else call?.resolve({ counts: counts!, chunks });
    });
    worker.on("error", (err) => (failure = err));
    // However a worker ends (an error, process.exit, a crash), it leaves the
    // pool and its calls go to a new one. A worker takes its calls in order,
    // so the first one pending is the one it died on: that one is tried once
    // more and then fails; the others never ran, and are simply sent again.
    worker.once("exit", (code) => {
      pool.splice(pool.indexOf(slot), 1);
      const [current, ...queued] = slot.pending.values();
      slot.pending.clear();
      const died = failure ?? new Error(`token worker exited with code ${code}`);
      if (current) {
        if (!closed && current.tries++ < 1) dispatch(current);
        else current.reject(died);
      }
      for (const call of queued) closed ? call.reject(died) : dispatch(call);
    });
    pool.push(slot);
    return slot;
  }

  function dispatch(call: Call) {
    const slot = pool.length < workers ? spawn() : pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    slot.pending.set(id, call);
    slot.worker.postMessage({ id, texts: call.texts, chunkTokens: call.chunkTokens });
  }

  return {
    analyse(texts, chunkTokens = 0) {
      let size = 0;
      for (const t of texts) size += t.length;
      if (size < inlineLimit) return Promise.resolve(analyse(texts, chunkTokens));
      if (closed) return Promise.reject(new Error("token counter closed"));
      return new Promise((resolve, reject) => dispatch({ texts, chunkTokens, resolve, reject, tries: 0 }));
    },
    async close() {
      closed = true;
      await Promise.all(pool.map((s) => s.worker.terminate()));
    },
  };
}
