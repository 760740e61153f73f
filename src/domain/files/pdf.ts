// A PDF's text (pdf-text.mjs) read in a worker thread of its own: parsing a
// big or hostile PDF takes CPU and memory that the event loop and the
// process must not pay for. The worker is ended after `timeoutMs`, and its
// heap is bounded.
import { Worker } from "node:worker_threads";

export interface PdfReadOptions {
  timeoutMs?: number;
  /** the worker's old-generation heap, MiB */
  heapMb?: number;
}

export class PdfUnreadable extends Error {}

export function readPdfText(bytes: Uint8Array, { timeoutMs = 20_000, heapMb = 512 }: PdfReadOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./pdf-worker.mjs", import.meta.url), {
      workerData: { bytes },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new PdfUnreadable(`reading the PDF took longer than ${timeoutMs} ms`))), timeoutMs);
    worker.once("message", (m: { text?: string; error?: string }) =>
      finish(() => (m.error === undefined ? resolve(m.text!) : reject(new PdfUnreadable(m.error)))),
    );
    worker.once("error", (err) => finish(() => reject(new PdfUnreadable(err.message))));
    worker.once("exit", (code) => finish(() => reject(new PdfUnreadable(`the PDF reader stopped (exit code ${code})`))));
  });
}
