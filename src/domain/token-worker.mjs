// Worker thread for src/domain/tokens.ts: counts o200k_base tokens of a
// batch, special-token text counted as ordinary text. Plain JS so that it
// loads without a TypeScript loader.
import { parentPort } from "node:worker_threads";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

const ORDINARY = { disallowedSpecial: new Set() };

parentPort.on("message", ({ id, texts }) => {
  try {
    parentPort.postMessage({ id, counts: texts.map((t) => (t.length === 0 ? 0 : countTokens(t, ORDINARY))) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
