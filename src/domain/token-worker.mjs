// Worker thread for src/domain/tokens.ts: counts o200k_base tokens of a
// batch, special-token text counted as ordinary text. Plain JS so that it
// loads without a TypeScript loader.
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

const ORDINARY = { disallowedSpecial: new Set() };

// This thread runs below the event loop and the database (Linux nice 10, this
// thread only): counting a big batch takes tens of milliseconds of CPU, and
// on a busy machine it would otherwise take turns with the thread that serves
// every request. Where /proc/thread-self is missing this is skipped.
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: same priority as the rest
}

parentPort.on("message", ({ id, texts }) => {
  try {
    parentPort.postMessage({ id, counts: texts.map((t) => (t.length === 0 ? 0 : countTokens(t, ORDINARY))) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
