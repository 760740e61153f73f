// o200k_base counts (src/domain/o200k-count.mjs, through token-work.mjs)
// equal tiktoken's (the reference) on a large, varied, reproducible corpus
// (test/support/token-corpus.ts; bench/tokens.ts --prove runs a bigger one
// and every code point), on the cases where gpt-tokenizer's counts differ, and
// on code points of every class; the worker pool agrees, runs below the event
// loop's priority, survives its workers' deaths and leaves the event loop free.
import { readdirSync, readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { pieces } from "../../src/domain/o200k-count.mjs";
import { countTokens, createTokenCounter, type TokenCounter } from "../../src/domain/tokens.js";
import { corpus, lorem, mixed, positionProbes, rng } from "../support/token-corpus.js";

const countsOf = (counter: TokenCounter, texts: string[]) => counter.analyse(texts).then((a) => a.counts);

const tiktoken = get_encoding("o200k_base");
const reference = (text: string) => tiktoken.encode(text, [], []).length;
afterAll(() => tiktoken.free());

const mismatchesOf = (texts: string[]) =>
  texts
    .map((t, i) => ({ i, t, want: reference(t), got: countTokens(t) }))
    .filter((x) => x.want !== x.got)
    .slice(0, 3)
    .map((m) => ({ ...m, t: JSON.stringify(m.t.slice(0, 200)) }));

describe("o200k_base counts", () => {
  const texts = corpus({ seed: 20261124, short: 12_000, medium: 300, long: 10 });
  const units = texts.reduce((n, t) => n + t.length, 0);

  it(`match tiktoken on ${texts.length} varied texts (${(units / 1e6).toFixed(1)} M UTF-16 units)`, () => {
    expect(mismatchesOf(texts)).toEqual([]);
  });

  it("match tiktoken where gpt-tokenizer 4.0.0 does not", () => {
    const cases = [
      "\ufeff", "a\ufeffb", "\ufeff\ufeffx", "x \ufeff\ufeff y", "\ufeffhello", // U+FEFF is no whitespace to tiktoken (JS's \s has it)
      " I'ſ", " I'ſt x", "don'ſ", // (?i:'s) matches 'ſ, which case-folds to s
      "a𐥃<div", "𲢱'T", "𑷏'T", "𞛊'e", // letters new in Unicode 17: unassigned to tiktoken's Unicode 16 tables
      "ʕA1", "xʕ'T", "Aʕ", "ʕʕ1", // U+0295: Ll in Unicode 16, Lo in 17
      "\u0085x", "a\u0085\u0085b", "x\u0085\n", // NEL: White_Space (not JS's \s)
    ];
    expect(cases.map((t) => ({ t, n: countTokens(t) }))).toEqual(cases.map((t) => ({ t, n: reference(t) })));
  });

  it("match tiktoken on code points of every class and plane, alone and in every position the pre-tokenizer tells apart", () => {
    // every code point of the BMP, lone surrogates included; astral planes sampled
    const probes: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 37) {
      const c = cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      probes.push(...positionProbes(c));
    }
    expect(mismatchesOf(probes)).toEqual([]);
  });

  it("treat special-token text as ordinary text", () => {
    expect(countTokens("the model printed <|endoftext|> and stopped")).toBe(12);
    expect(countTokens("<|endoftext|>")).toBe(reference("<|endoftext|>"));
    expect(countTokens("")).toBe(0);
  });

  it("split text into pieces as o200k_base's pattern does", () => {
    expect(pieces("Hello, WORLD's 12345 don'ſ  \n\n x!!\n/y")).toEqual(["Hello", ",", " WORLD's", " ", "123", "45", " don'ſ", "  \n\n", " x", "!!\n/", "y"]);
    expect(pieces("a  b\u0301c ʕA1")).toEqual(["a", " ", " b\u0301c", " ʕ", "A", "1"]);
    expect(pieces("   ")).toEqual(["   "]);
  });

  it("count pieces longer than the short merge's limit (a heap of pairs) as tiktoken does", () => {
    const r = rng(3);
    const long = [
      "a".repeat(5_000), "ab".repeat(3_000), "日本".repeat(2_000), "😀".repeat(1_000),
      ...Array.from({ length: 20 }, () => Array.from({ length: 200 + Math.floor(r() * 2_000) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join("")),
      ...Array.from({ length: 20 }, () => Array.from({ length: 100 + Math.floor(r() * 500) }, () => String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5200))).join("")),
    ];
    expect(mismatchesOf(long)).toEqual([]);
  });

  it("come out the same from the worker pool as inline", async () => {
    const counter = createTokenCounter({ workers: 2 });
    try {
      const big = texts.filter((t) => t.length >= 1_000).slice(0, 12);
      const [a, b] = await Promise.all([countsOf(counter, big), countsOf(counter, big.slice().reverse())]);
      expect(a).toEqual(big.map(countTokens)); // inline counts equal tiktoken's (above)
      expect(b).toEqual(big.slice().reverse().map(countTokens));
      expect(await countsOf(counter, ["tiny", ""])).toEqual([1, 0]);
    } finally {
      await counter.close();
    }
  });

  it("leave the event loop free while a worker counts 100 × 25 000 characters", async () => {
    const r = rng(5);
    const batch = Array.from({ length: 100 }, (_, i) => (i % 2 ? mixed(r, 25_000) : lorem(i, 25_000)));
    const counter = createTokenCounter({ workers: 1 });
    try {
      await countsOf(counter, batch.slice(0, 2)); // the worker is up
      const t0 = performance.now();
      const inline = batch.map(countTokens); // what the event loop would be held for without the pool
      const inlineMs = performance.now() - t0;
      // a 1 ms timer's longest gap while the pool counts the same batch
      let gap = 0, last = performance.now(), ticks = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
        ticks++;
      }, 1);
      const t1 = performance.now();
      const counted = await countsOf(counter, batch);
      const poolMs = performance.now() - t1;
      clearInterval(timer);
      expect(counted).toEqual(inline);
      expect(ticks).toBeGreaterThan(poolMs / 10); // the loop turned all along
      expect(gap).toBeLessThan(Math.max(25, inlineMs / 2));
    } finally {
      await counter.close();
    }
  });

  it.runIf(process.platform === "linux")("run in workers below the event loop's priority (nice 10)", async () => {
    const niceOf = () =>
      readdirSync(`/proc/${process.pid}/task`).map((tid) => Number(readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]));
    const before = niceOf().filter((n) => n === 10).length;
    const counter = createTokenCounter({ workers: 1 });
    try {
      await countsOf(counter, ["x ".repeat(40_000)]); // over the inline limit: a worker starts
      expect(niceOf().filter((n) => n === 10).length).toBe(before + 1);
      expect(niceOf()).toContain(0); // the rest of the process is untouched
    } finally {
      await counter.close();
    }
  });

  // A worker that dies on the text "exit" (process.exit) or "throw" (an
  // uncaught error), and otherwise counts as the real one does.
  const dying = new URL("../support/dying-token-worker.mjs", import.meta.url);

  it.each(["exit", "throw"])("answer every caller when a worker dies (%s), and a new worker takes over", async (how) => {
    const counter = createTokenCounter({ workers: 1, inlineLimit: 0, workerUrl: dying });
    try {
      const killer = countsOf(counter, ["before", how]);
      const queued = countsOf(counter, ["hello world"]); // behind it on the same worker
      await expect(killer).rejects.toThrow(how === "throw" ? "worker broke" : "token worker exited with code 0");
      expect(await queued).toEqual([countTokens("hello world")]);
      expect(await countsOf(counter, ["after", "all"])).toEqual([1, 1]);
    } finally {
      await counter.close();
    }
  });
});
