// Token counts in o200k_base, the encoding Honcho uses. Special-token text
// such as "<|endoftext|>" is ordinary text here (Honcho answers 422).
//
// Counting uses gpt-tokenizer, several times faster than tiktoken's WASM
// build; tiktoken stays the reference: test/unit/tokens.test.ts proves equal
// counts over a large, varied corpus. Big batches are counted on a worker
// thread so that the event loop keeps serving while 25000-character
// messages stream in.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { countTokens as count } from "gpt-tokenizer/encoding/o200k_base";

const ORDINARY = { disallowedSpecial: new Set<string>() };

export function countTokens(text: string): number {
  return text.length === 0 ? 0 : count(text, ORDINARY);
}

/** Below this many UTF-16 units in a batch, counting inline is cheaper than a hop to a worker. */
const INLINE_LIMIT = 32 * 1024;

export interface TokenCounter {
  countAll(texts: string[]): Promise<number[]>;
  close(): Promise<void>;
}

export function createTokenCounter(workers = Math.max(1, os.availableParallelism() - 1)): TokenCounter {
  type Pending = { resolve: (n: number[]) => void; reject: (e: Error) => void };
  const pool: { worker: Worker; pending: Map<number, Pending> }[] = [];
  let nextId = 0;

  function spawn() {
    const worker = new Worker(new URL("./token-worker.mjs", import.meta.url));
    worker.unref();
    const slot = { worker, pending: new Map<number, Pending>() };
    worker.on("message", ({ id, counts, error }: { id: number; counts?: number[]; error?: string }) => {
      const p = slot.pending.get(id);
      slot.pending.delete(id);
      if (error) p?.reject(new Error(error));
      else p?.resolve(counts!);
    });
    worker.on("error", (err) => {
      // A dead worker fails its own callers once; the next batch gets a new one.
      pool.splice(pool.indexOf(slot), 1);
      for (const p of slot.pending.values()) p.reject(err);
    });
    pool.push(slot);
    return slot;
  }

  return {
    countAll(texts) {
      let size = 0;
      for (const t of texts) size += t.length;
      if (size < INLINE_LIMIT) return Promise.resolve(texts.map(countTokens));
      const slot = pool.length < workers ? spawn() : pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, texts });
      });
    },
    async close() {
      await Promise.all(pool.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
