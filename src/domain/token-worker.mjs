// Worker thread for src/domain/tokens.ts: the token work of a big batch
// (token-work.mjs). Plain JS so that it loads without a TypeScript loader.
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { analyse } from "./token-work.mjs";

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

parentPort.on("message", ({ id, texts, chunkTokens }) => {
  try {
    parentPort.postMessage({ id, ...analyse(texts, chunkTokens ?? 0) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
