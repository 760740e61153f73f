// npm run bench:tokens: o200k_base token counters on batches of 100 messages
// of 250, 2 500 and 25 000 characters of the bench's own content (bench/load.ts
// "lorem ipsum"), English prose, code, mixed scripts, CJK and emoji: CPU per
// message (the process's user + system time, all threads: a worker's or a
// native library's threads count), medians of repeated runs; how many of the
// benchmark's texts each counts differently from tiktoken (the reference);
// what the token worker pool costs the event loop on 100 × 25 000.
//
//   npm run bench:tokens                  the table
//   npm run bench:tokens -- --prove       the differential proof of src/domain/o200k-count.mjs:
//                                         ≥ 50 000 texts (several MB) and every code point, against tiktoken
//   BENCH_TOKENS_ONLY=o200k,gpt           only implementations whose name contains one of these
//
// Candidates that are not the project's dependencies are loaded from
// TOKEN_BENCH_MODULES, a node_modules folder made for the purpose, e.g.
//   npm install --prefix /tmp/tokcand --ignore-scripts @anysphere/tiktoken-node@0.2.1 ai-tokenizer@1.0.6 \
//     @microsoft/tiktokenizer@1.0.10 js-tiktoken@1.0.21 kitoken@0.10.1
//   TOKEN_BENCH_MODULES=/tmp/tokcand/node_modules npm run bench:tokens
// (none has an install script; the native one's binary comes inside its npm package).
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
import { countTokens as gptCountTokens } from "gpt-tokenizer/encoding/o200k_base";
import o200kEncoding from "gpt-tokenizer/encoding/o200k_base";
import { get_encoding } from "tiktoken";
import { countTokens as newCountTokens } from "../src/domain/o200k-count.mjs";
import { createTokenCounter } from "../src/domain/tokens.js";
import { code, cjk, corpus, emoji, lorem, mixed, positionProbes, prose, rng } from "../test/support/token-corpus.js";

const SIZES = [250, 2_500, 25_000];
const BATCH = 100;
const KINDS: Record<string, (r: () => number, n: number) => string> = {
  lorem: (r, n) => lorem(Math.floor(r() * 100_000), n),
  prose,
  code,
  mixed,
  cjk,
  emoji,
};
/** per implementation and batch: at least this many runs, then more while under the time budget */
const MIN_RUNS = 3, MAX_RUNS = 9, BUDGET_MS = 2_500;
/** an implementation that would need longer than this for one run of a batch is measured on fewer of its messages (at least 5) */
const RUN_CAP_MS = 3_000;

const ORDINARY = { disallowedSpecial: new Set<string>() };
const tiktoken = get_encoding("o200k_base");
const reference = (t: string) => tiktoken.encode(t, [], []).length;

interface Impl {
  name: string;
  /** counts on this thread */
  count?: (text: string) => number;
  /** counts off this thread */
  countAll?: (texts: string[]) => Promise<number[]>;
  close?: () => Promise<void>;
}

// ---- candidates ----
const extra = process.env.TOKEN_BENCH_MODULES;
const requireFrom = [createRequire(import.meta.url), ...(extra ? [createRequire(path.join(path.resolve(extra), "x.js"))] : [])];
function load(name: string): any {
  for (const req of requireFrom) {
    try {
      return req(name);
    } catch {
      // next place
    }
  }
  console.log(`(${name}: not installed here${extra ? ` nor in ${extra}` : "; set TOKEN_BENCH_MODULES"}, skipped)`);
  return undefined;
}

/** o200k_base's ranks as bytes, from gpt-tokenizer's table (no download) */
function rankBytes(): Uint8Array[] {
  const enc = new TextEncoder();
  const { bytePairEncodingCoreProcessor: core } = o200kEncoding as unknown as { bytePairEncodingCoreProcessor: { bytePairRankDecoder: (string | number[])[] } };
  return core.bytePairRankDecoder.map((v) => (typeof v === "string" ? enc.encode(v) : Uint8Array.from(v)));
}
const O200K_PATTERN = String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

async function implementations(): Promise<Impl[]> {
  const impls: Impl[] = [
    { name: "gpt-tokenizer 4.0.0 (before)", count: (t) => gptCountTokens(t, ORDINARY) },
    { name: "tiktoken 1.0.22 (WASM, the reference)", count: reference },
  ];
  // gpt-tokenizer's own pre-tokenizer (its regular expression) with a cache of piece counts
  {
    const split = new RegExp(O200K_PATTERN, "gu");
    const cache = new Map<string, number>();
    impls.push({
      name: "gpt-tokenizer + piece-count cache",
      count: (t) => {
        let n = 0;
        for (const [piece] of t.matchAll(split)) {
          let c = cache.get(piece);
          if (c === undefined) {
            c = gptCountTokens(piece, ORDINARY);
            if (cache.size >= 100_000) cache.clear();
            cache.set(piece, c);
          }
          n += c;
        }
        return n;
      },
    });
  }
  const js = load("js-tiktoken/lite");
  const jsRanks = load("js-tiktoken/ranks/o200k_base");
  if (js && jsRanks) {
    const enc = new js.Tiktoken(jsRanks.default ?? jsRanks);
    impls.push({ name: "js-tiktoken 1.0.21", count: (t) => enc.encode(t, [], []).length });
  }
  const ai = load("ai-tokenizer");
  const aiO200k = load("ai-tokenizer/encoding/o200k_base");
  if (ai && aiO200k) {
    const tok = new ai.Tokenizer(aiO200k);
    impls.push({ name: "ai-tokenizer 1.0.6", count: (t) => tok.encodeOrdinary(t).length });
  }
  // the .tiktoken rank file (base64 of a token's bytes, its rank), which these two read
  const tiktokenFile = rankBytes().map((b, r) => `${Buffer.from(b).toString("base64")} ${r}`).join("\n") + "\n";
  const ms = load("@microsoft/tiktokenizer");
  if (ms) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "bench-tokens-")), "o200k_base.tiktoken");
    writeFileSync(file, tiktokenFile);
    // special tokens named, so that they are not allowed (encode(t, [])) and count as text; with none it loops forever on an empty pattern
    const tok = ms.createTokenizer(file, new Map([["<|endoftext|>", 199_999], ["<|endofprompt|>", 200_018]]), ms.getRegexByEncoder("o200k_base"));
    impls.push({ name: "@microsoft/tiktokenizer 1.0.10", count: (t) => tok.encode(t, []).length });
  }
  const kit = load("kitoken/node");
  if (kit) {
    const tok = kit.Kitoken.from_tiktoken(new TextEncoder().encode(tiktokenFile));
    impls.push({ name: "kitoken 0.10.1 (WASM)", count: (t) => tok.encode(t, false).length });
  }
  const native = load("@anysphere/tiktoken-node");
  if (native) {
    const tok = native.getTokenizer();
    impls.push({
      name: "@anysphere/tiktoken-node 0.2.1 (native, async)",
      countAll: (texts) => Promise.all(texts.map((t) => tok.exactNumTokensNoSpecialTokens(t, native.SupportedEncoding.O200k) as Promise<number>)),
    });
  }
  impls.push({ name: "o200k-count (new)", count: newCountTokens });
  {
    const pool = createTokenCounter({ workers: 1, inlineLimit: 0 });
    await pool.analyse(["the worker starts"]);
    impls.push({ name: "o200k-count, worker pool (1 worker)", countAll: async (texts) => (await pool.analyse(texts)).counts, close: () => pool.close() });
  }
  {
    const pool = createTokenCounter({ workers: 2, inlineLimit: 0 });
    await Promise.all([pool.analyse(["one worker starts"]), pool.analyse(["and another"])]);
    impls.push({
      name: "o200k-count, 2 workers (batch halved)",
      countAll: async (texts) => {
        const half = texts.length >> 1;
        const [a, b] = await Promise.all([pool.analyse(texts.slice(0, half)), pool.analyse(texts.slice(half))]);
        return [...a.counts, ...b.counts];
      },
      close: () => pool.close(),
    });
  }
  const only = process.env.BENCH_TOKENS_ONLY?.split(",");
  return only ? impls.filter((i) => only.some((o) => i.name.includes(o))) : impls;
}

// ---- measuring ----
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

async function run(impl: Impl, texts: string[]): Promise<{ counts: number[]; cpu: number; wall: number }> {
  const c0 = cpuMs(), t0 = performance.now();
  const counts = impl.count ? texts.map(impl.count) : await impl.countAll!(texts);
  return { counts, cpu: cpuMs() - c0, wall: performance.now() - t0 };
}

async function bench() {
  const impls = await implementations();
  // Every run counts new messages (of the same kind and size): the same batch
  // again would find every piece in a counter's cache.
  const batches: { size: number; kind: string; make: (run: number) => string[]; want: number[] }[] = [];
  for (const size of SIZES) {
    for (const [kind, gen] of Object.entries(KINDS)) {
      const make = (run: number) => {
        const r = rng(size * 31 + kind.length * 7 + run * 1_000_003);
        return Array.from({ length: BATCH }, () => gen(r, size));
      };
      batches.push({ size, kind, make, want: make(0).map(reference) });
    }
  }
  console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`batches of ${BATCH} messages; µs of CPU per message (user + system, every thread of the process), median of ${MIN_RUNS}–${MAX_RUNS} runs\n`);

  type Cell = { cpu: number; wall: number; messages: number };
  const results = new Map<string, Map<string, Cell>>();
  const mismatches = new Map<string, { bad: number; of: number }>();
  for (const impl of impls) {
    results.set(impl.name, new Map());
    const wrong = { bad: 0, of: 0 };
    mismatches.set(impl.name, wrong);
    for (const b of batches) {
      const warm = await run(impl, b.make(-1).slice(0, 5)); // warm up, and a first guess of the time a run takes
      const messages = Math.max(5, Math.min(BATCH, Math.floor((RUN_CAP_MS / Math.max(warm.wall, 0.001)) * 5)));
      const cpus: number[] = [], walls: number[] = [];
      let spent = 0;
      while (cpus.length < MIN_RUNS || (cpus.length < MAX_RUNS && spent < BUDGET_MS)) {
        const texts = b.make(cpus.length).slice(0, messages);
        const { counts, cpu, wall } = await run(impl, texts);
        if (cpus.length === 0) {
          wrong.bad += counts.filter((c, i) => c !== b.want[i]).length;
          wrong.of += counts.length;
        }
        cpus.push(cpu);
        walls.push(wall);
        spent += wall;
        if (spent > 4 * RUN_CAP_MS) break;
      }
      results.get(impl.name)!.set(`${b.size}/${b.kind}`, { cpu: (median(cpus) * 1000) / messages, wall: (median(walls) * 1000) / messages, messages });
    }
    process.stdout.write(`${impl.name} `);
  }
  console.log("\n");

  const kinds = Object.keys(KINDS);
  const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
  for (const size of SIZES) {
    console.log(`### 100 × ${size.toLocaleString("en")} characters: µs CPU per message (wall in brackets where work runs off the calling thread)\n`);
    console.log(`| implementation | ${kinds.join(" | ")} | mean | messages/s (CPU) |`);
    console.log(`|---|${kinds.map(() => "---:").join("|")}|---:|---:|`);
    for (const impl of impls) {
      const cells = kinds.map((k) => results.get(impl.name)!.get(`${size}/${k}`)!);
      const mean = cells.reduce((a, c) => a + c.cpu, 0) / cells.length;
      const meanWall = cells.reduce((a, c) => a + c.wall, 0) / cells.length;
      const show = (c: Cell) => (impl.countAll ? `${fmt(c.cpu)} (${fmt(c.wall)})` : fmt(c.cpu)) + (c.messages < BATCH ? ` [${c.messages}]` : "");
      console.log(`| ${impl.name} | ${cells.map(show).join(" | ")} | ${impl.countAll ? `${fmt(mean)} (${fmt(meanWall)})` : fmt(mean)} | ${Math.round(1e6 / mean).toLocaleString("en")} |`);
    }
    console.log();
  }
  console.log("[n]: measured on the batch's first n messages only (a run of all 100 would take too long)\n");
  console.log(`### Counts unlike tiktoken's, of the benchmark's messages counted\n`);
  for (const impl of impls) console.log(`- ${impl.name}: ${mismatches.get(impl.name)!.bad} of ${mismatches.get(impl.name)!.of}`);
  console.log();

  await eventLoop(impls);
  for (const impl of impls) await impl.close?.();
}

/** How long the event loop is held while 100 × 25 000 characters are counted. */
async function eventLoop(impls: Impl[]) {
  const r = rng(99);
  const texts = Array.from({ length: BATCH }, (_, i) => (i % 2 ? mixed(r, 25_000) : lorem(i, 25_000)));
  console.log("### The event loop while 100 × 25 000 characters (lorem and mixed) are counted\n");
  console.log("| implementation | batch wall ms | event-loop delay max ms | p99 ms | a 1 ms timer's worst lateness ms |");
  console.log("|---|---:|---:|---:|---:|");
  const idle: Impl = { name: "(nothing counted: 1 s of this machine's own scheduling noise)", countAll: () => new Promise((resolve) => setTimeout(() => resolve([]), 1_000)) };
  const clone: Impl = { name: "(the batch's structured clone, as postMessage makes it: v8.serialize)", count: undefined, countAll: async (t) => (v8.serialize(t), []) };
  for (const impl of [idle, clone, ...impls.filter((i) => /o200k-count|anysphere|before/.test(i.name))]) {
    await run(impl, texts.slice(0, 4));
    const h = monitorEventLoopDelay({ resolution: 1 });
    let late = 0, last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      late = Math.max(late, now - last - 1);
      last = now;
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.enable();
    last = performance.now();
    const t0 = performance.now();
    await run(impl, texts);
    const wall = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.disable();
    clearInterval(timer);
    console.log(`| ${impl.name} | ${wall.toFixed(0)} | ${(h.max / 1e6).toFixed(1)} | ${(h.percentile(99) / 1e6).toFixed(1)} | ${late.toFixed(1)} |`);
  }
  console.log();
}

// ---- the proof ----
async function prove() {
  const seed = Number(process.env.PROVE_SEED ?? 20261124);
  const t0 = performance.now();
  const texts = corpus({ seed, short: 50_000, medium: 2_000, long: 60 });
  const units = texts.reduce((n, t) => n + t.length, 0);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  console.log(`corpus (seed ${seed}): ${texts.length} texts, ${(units / 1e6).toFixed(1)} M UTF-16 units, ${(bytes / 1e6).toFixed(1)} MB of UTF-8`);
  let bad = 0, gptBad = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    const want = reference(t);
    if (gptCountTokens(t, ORDINARY) !== want) gptBad++;
    const got = newCountTokens(t);
    if (got !== want) {
      if (bad++ < 5) console.log(`  text ${i}: tiktoken ${want}, o200k-count ${got}: ${JSON.stringify(t.slice(0, 120))}`);
    }
  }
  console.log(`o200k-count unlike tiktoken: ${bad} of ${texts.length}; gpt-tokenizer 4.0.0 unlike tiktoken: ${gptBad} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

  const t1 = performance.now();
  let cpBad = 0, cpGptBad = 0, checked = 0;
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const c = cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp); // lone surrogates too
    for (const t of positionProbes(c)) {
      checked++;
      const want = reference(t);
      if (gptCountTokens(t, ORDINARY) !== want) cpGptBad++;
      if (newCountTokens(t) !== want && cpBad++ < 5) console.log(`  U+${cp.toString(16).toUpperCase()}: tiktoken ${want}, o200k-count ${newCountTokens(t)}: ${JSON.stringify(t)}`);
    }
  }
  console.log(`every code point (${checked} probe texts): o200k-count unlike tiktoken: ${cpBad}; gpt-tokenizer 4.0.0: ${cpGptBad} (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
  if (bad || cpBad) process.exitCode = 1;
}

await (process.argv.includes("--prove") ? prove() : bench());
tiktoken.free();
