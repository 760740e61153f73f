// gpt-tokenizer counts o200k_base exactly as tiktoken (the reference) does,
// over a large, varied, reproducible corpus; the worker path agrees too.
import { readdirSync, readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { countTokens, createTokenCounter, type TokenCounter } from "../../src/domain/tokens.js";

const countsOf = (counter: TokenCounter, texts: string[]) => counter.analyse(texts).then((a) => a.counts);

const tiktoken = get_encoding("o200k_base");
const reference = (text: string) => tiktoken.encode(text, [], []).length;
afterAll(() => tiktoken.free());

// A small seeded PRNG, so a failure names a reproducible case.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges of many scripts and symbol blocks.
const BLOCKS: [number, number][] = [
  [0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x530, 0x58f], [0x590, 0x5ff], [0x600, 0x6ff],
  [0x900, 0x97f], [0x980, 0x9ff], [0xe00, 0xe7f], [0x10a0, 0x10ff], [0x1100, 0x11ff], [0x3040, 0x30ff],
  [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0x2000, 0x206f], [0x20a0, 0x20cf], [0x2190, 0x23ff], [0x2500, 0x27bf],
  [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f900, 0x1f9ff], [0x1d400, 0x1d7ff], [0x10000, 0x1007f], [0xfe00, 0xfe0f],
];
const PIECES = [
  " ", "  ", "\t", "\n", "\n\n", "\r\n", "    ", "\u00a0", "\u3000",
  "<|endoftext|>", "<|endofprompt|>", "<|im_start|>", "<|fim_prefix|>", "<|",
  "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇫🇷", "❤️", "e\u0301", "ﬁ",
  "0", "42", "3.14159", "1,000,000", "-273.15", "0x1F", "1e-9", "2024-05-01T12:00:00Z",
  "function f(x) { return x * 2; }", "const a = [1, 2, 3];", "def f(x):\n    return x", "SELECT * FROM t;", "<div class=\"a\">", "\\n", "'s", "'re", "'LL",
  "Hello", "world", "the", "DON'T", "naïve", "straße", "İstanbul", "日本語", "русский", "العربية", "עברית", "हिन्दी", "ไทย", "한국어",
];

function sample(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) {
    const pick = r();
    if (pick < 0.45) s += PIECES[Math.floor(r() * PIECES.length)];
    else {
      const [lo, hi] = BLOCKS[Math.floor(r() * BLOCKS.length)]!;
      const run = 1 + Math.floor(r() * 12);
      for (let i = 0; i < run; i++) s += String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
    }
  }
  return s;
}

function corpus(): string[] {
  const r = rng(20261124);
  const out = ["", " ", "a", "\u0000", "x\ud800y", "\udc00", ...PIECES, "a".repeat(25_000), " ".repeat(25_000), "😀".repeat(12_500), "12345678901234567890".repeat(1_250)];
  for (let i = 0; i < 3_000; i++) out.push(sample(r, 1 + Math.floor(r() * 300)));
  for (let i = 0; i < 40; i++) out.push(sample(r, 25_000));
  return out;
}

describe("o200k_base counts", () => {
  const texts = corpus();

  it(`match tiktoken on ${texts.length} varied texts (${Math.round(texts.reduce((n, t) => n + t.length, 0) / 1e6 * 10) / 10} M UTF-16 units)`, () => {
    const mismatches = texts.map((t, i) => ({ i, t, want: reference(t), got: countTokens(t) })).filter((x) => x.want !== x.got);
    expect(mismatches.slice(0, 3).map((m) => ({ ...m, t: JSON.stringify(m.t.slice(0, 200)) }))).toEqual([]);
  });

  it("treat special-token text as ordinary text", () => {
    expect(countTokens("the model printed <|endoftext|> and stopped")).toBe(12);
    expect(countTokens("<|endoftext|>")).toBe(reference("<|endoftext|>"));
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
