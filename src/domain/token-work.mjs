// Token work on message contents, shared by the event loop (small batches)
// and the token worker threads (big ones), so plain JS that loads without a
// TypeScript loader (types: token-work.d.mts).
//
// Counts: o200k_base, the encoding Honcho counts with; special-token text such
// as "<|endoftext|>" is ordinary text here (Honcho answers 422). o200k-count.mjs
// counts them: exactly as tiktoken (the reference; test/unit/tokens.test.ts and
// bench/tokens.ts --prove), several times faster than gpt-tokenizer, which
// counts some texts differently (U+FEFF, letters new in Unicode 17, "I'ſ").
//
// Embedding chunks: the pieces of a message Honcho embeds
// (src/embedding_client.py _prepare_chunks): the content whole when it fits
// in the embedding model's input (cl100k_base tokens,
// EMBEDDING_MAX_INPUT_TOKENS), else windows of that many tokens overlapping by
// a fifth, each decoded back to text as tiktoken does (bytes → UTF-8, invalid
// sequences replaced); no chunk for content that is empty or only whitespace
// (Python's str.strip()). Special-token text is ordinary text here too.
import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as o200kCount } from "./o200k-count.mjs";

const ORDINARY = { disallowedSpecial: new Set() };
// Python's str.isspace(): Unicode White_Space plus \x1c-\x1f, without U+FEFF
const PY_BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const utf8 = new TextEncoder();
// gpt-tokenizer's own token → bytes table: its decode() keeps one streaming
// decoder between calls, which would carry a split character from one chunk
// into the next (test/unit/embedding-chunks.test.ts proves equality with tiktoken).
const core = cl100k.bytePairEncodingCoreProcessor;

export function countTokens(text) {
  return o200kCount(text);
}

export function embeddingChunks(text, maxTokens) {
  if (PY_BLANK.test(text)) return [];
  // a cl100k token is at least one byte, so a text of at most maxTokens bytes fits whole
  if (Buffer.byteLength(text, "utf8") <= maxTokens) return null;
  const tokens = cl100k.encode(text, ORDINARY);
  if (tokens.length <= maxTokens) return null;
  const step = maxTokens - Math.trunc(maxTokens * 0.2);
  const chunks = [];
  for (let i = 0; i < tokens.length; i += step) chunks.push(decode(tokens.slice(i, i + maxTokens)));
  return chunks;
}

function decode(tokens) {
  const parts = tokens.map((t) => {
    const piece = core.tryDecodeToken(t);
    if (piece === undefined) throw new Error(`cl100k_base has no token ${t}`);
    return typeof piece === "string" ? utf8.encode(piece) : piece;
  });
  return new TextDecoder("utf-8").decode(Buffer.concat(parts));
}

export function analyse(texts, chunkTokens) {
  return {
    counts: texts.map(countTokens),
    chunks: chunkTokens > 0 ? texts.map((t) => embeddingChunks(t, chunkTokens)) : undefined,
  };
}
