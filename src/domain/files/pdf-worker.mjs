// Worker thread for pdf.ts: one PDF's text (pdf-text.mjs), off the event loop.
import { parentPort, workerData } from "node:worker_threads";
import { pdfText } from "./pdf-text.mjs";

pdfText(workerData.bytes).then(
  (text) => parentPort.postMessage({ text }),
  (err) => parentPort.postMessage({ error: String(err?.message ?? err) }),
);
