// The token worker with a way to die, for test/unit/tokens.test.ts: a batch
// holding the text "exit" ends the thread with process.exit(0), one holding
// "throw" with an uncaught error; any other batch reaches the real worker's
// own listener, wrapped here before the real worker is loaded.
import { parentPort } from "node:worker_threads";

const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, event !== "message" ? listener : (message) => {
    if (message.texts.includes("exit")) process.exit(0);
    if (message.texts.includes("throw")) throw new Error("worker broke");
    listener(message);
  });
await import("../../src/domain/token-worker.mjs");
