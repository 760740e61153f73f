// Honcho's embedding chunks (src/embedding_client.py _prepare_chunks) from
// gpt-tokenizer's cl100k_base equal tiktoken's own (the reference): windows of
// max tokens overlapping by a fifth, decoded with invalid UTF-8 replaced, on
// texts that split multi-byte characters at chunk edges.
import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { embeddingChunks } from "../../src/domain/token-work.mjs";
import { rng } from "../support/token-corpus.js";

const cl100k = get_encoding("cl100k_base");
afterAll(() => cl100k.free());

function reference(text: string, max: number): string[] | null {
  const tokens = cl100k.encode(text, [], []);
  if (tokens.length <= max) return null;
  const step = max - Math.trunc(max * 0.2);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += step) out.push(new TextDecoder().decode(cl100k.decode(tokens.slice(i, i + max))));
  return out;
}

const PIECES = ["hello ", "world", " ", "\n", "日本語", "🎉", "👩‍👩‍👧‍👦", "é", "e\u0301", "<|endoftext|>", "<|fim_prefix|>", "1234", "ﬁ", "𝔘𝔫𝔦", "русский ", "\u0000", "\t\t"];

describe("embedding chunks", () => {
  it("equal tiktoken's on 600 texts of mixed scripts and sizes, for several window sizes", () => {
    const r = rng(7);
    let chunked = 0;
    for (let n = 0; n < 600; n++) {
      let text = "";
      const len = Math.floor(r() * 400);
      for (let i = 0; i < len; i++) text += PIECES[Math.floor(r() * PIECES.length)];
      for (const max of [5, 17, 64]) {
        const got = embeddingChunks(text, max);
        if (got?.length === 0) {
          expect(text.trim()).toBe(""); // blank: no chunk at all
          continue;
        }
        expect(got).toEqual(reference(text, max));
        if (got) chunked++;
      }
    }
    expect(chunked).toBeGreaterThan(500);
  });

  it("keep content that fits whole, and give none for blank content (Python's str.strip())", () => {
    expect(embeddingChunks("short", 8192)).toBeNull();
    expect(embeddingChunks(" \t\n\u00a0\u3000\x1c", 10)).toEqual([]);
    expect(embeddingChunks("\ufeff", 10)).toBeNull(); // not whitespace to Python
  });
});
