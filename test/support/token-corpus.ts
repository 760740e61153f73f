// A reproducible differential corpus for o200k_base token counts: texts that
// reach every branch of the o200k pre-tokenizer (letters of every case class
// and script, marks, numbers of many scripts, whitespace runs of every kind,
// punctuation runs, contractions, special-token text), long unspaced runs,
// code, realistic prose and 25 000-character messages, from a seed. Used by
// test/unit/tokens.test.ts (equality with tiktoken) and bench/tokens.ts (the
// larger proof run and the benchmark's texts).

/** A small seeded PRNG (mulberry32), so a failure names a reproducible case. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Code point ranges of many scripts and symbol blocks, including scripts new in Unicode 16 and 17 and unassigned space. */
export const BLOCKS: [number, number][] = [
  [0x20, 0x7e], [0x80, 0xff], [0x100, 0x24f], [0x250, 0x2ff], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x52f], [0x530, 0x58f],
  [0x590, 0x5ff], [0x600, 0x6ff], [0x700, 0x8ff], [0x900, 0x97f], [0x980, 0xdff], [0xe00, 0xeff], [0xf00, 0xfff], [0x1000, 0x109f],
  [0x10a0, 0x10ff], [0x1100, 0x11ff], [0x1200, 0x139f], [0x13a0, 0x13ff], [0x1680, 0x16ff], [0x1780, 0x18ff], [0x1c80, 0x1cff],
  [0x1d00, 0x1dff], [0x1e00, 0x1fff], [0x2000, 0x206f], [0x2070, 0x209f], [0x20a0, 0x20ff], [0x2100, 0x218f], [0x2190, 0x23ff],
  [0x2460, 0x24ff], [0x2500, 0x27bf], [0x2c00, 0x2c7f], [0x2c80, 0x2dff], [0x2e00, 0x2e7f], [0x3000, 0x303f], [0x3040, 0x30ff],
  [0x3100, 0x31ff], [0x3200, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa500, 0xa6ff], [0xa700, 0xa7ff],
  [0xa800, 0xabff], [0xac00, 0xd7a3], [0xd7b0, 0xd7ff], [0xe000, 0xf8ff], [0xf900, 0xfaff], [0xfb00, 0xfdff], [0xfe00, 0xfe6f],
  [0xfe70, 0xfeff], [0xff00, 0xffef], [0xfff0, 0xffff], [0x10000, 0x1007f], [0x10300, 0x1034f], [0x10400, 0x104ff],
  [0x10570, 0x105bf], [0x10780, 0x107bf], [0x10900, 0x1093f], [0x10940, 0x1099f], [0x10d40, 0x10d8f], [0x10ec0, 0x10eff],
  [0x11000, 0x1107f], [0x11380, 0x113ff], [0x116d0, 0x116ff], [0x11bc0, 0x11bff], [0x11db0, 0x11def], [0x11f00, 0x11f5f],
  [0x12000, 0x123ff], [0x13000, 0x1345f], [0x16100, 0x1613f], [0x16d40, 0x16d7f], [0x16e40, 0x16e9f], [0x16ea0, 0x16edf],
  [0x16fe0, 0x16fff], [0x17000, 0x187ff], [0x18cff, 0x18d1f], [0x1b000, 0x1b16f], [0x1cc00, 0x1cebf], [0x1d400, 0x1d7ff],
  [0x1e030, 0x1e08f], [0x1e5d0, 0x1e5ff], [0x1e6c0, 0x1e6ff], [0x1e900, 0x1e95f], [0x1ee00, 0x1eeff], [0x1f000, 0x1f0ff],
  [0x1f100, 0x1f1ff], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f900, 0x1f9ff], [0x1fa70, 0x1faff], [0x1fb00, 0x1fbff],
  [0x20000, 0x2a6df], [0x2b740, 0x2ebef], [0x2ebf0, 0x2ee5f], [0x30000, 0x3134f], [0x31350, 0x33479], [0xe0000, 0xe007f],
  [0xe0100, 0xe01ef], [0xf0000, 0xf00ff], [0x10fff0, 0x10ffff],
];

/** Whitespace and line breaks as the pre-tokenizer sees them (White_Space, \r and \n; U+FEFF, U+180E and U+200B are not). */
export const SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r", "\r\n", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u180e", "\u200b", "\x1c", "\x1f"];

export const PIECES = [
  ...SPACES,
  "<|endoftext|>", "<|endofprompt|>", "<|im_start|>", "<|im_end|>", "<|im_sep|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|", "|>",
  "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇫🇷", "❤️", "🎉", "😀", "e\u0301", "a\u0308\u0301", "\u0301", "ﬁ", "ǅ", "ǈ", "ʰ", "ª", "Ⅻ", "½", "²", "٣", "९", "１", "𝟘",
  "0", "42", "007", "3.14159", "1,000,000", "-273.15", "0x1F", "1e-9", "2024-05-01T12:00:00Z", "12345678901234567890",
  "function f(x) { return x * 2; }", "const a = [1, 2, 3];", "def f(x):\n    return x", "SELECT * FROM t;", "<div class=\"a\">", "\\n", "//", "/*", "*/", "=>", "!==", "...",
  "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "'ſ", "'K", "'\u212a", "’s", "'", "''", "ſ", "K",
  "Hello", "world", "the", "DON'T", "don't", "I'm", "we'll", "they're", "you've", "she'd", "McDonald's", "iPhone", "XMLHttpRequest", "camelCase", "snake_case",
  "naïve", "straße", "İstanbul", "ǅemal", "日本語", "русский", "Ελληνικά", "العربية", "עברית", "हिन्दी", "ไทย", "한국어", "ᏣᎳᎩ", "𐐷𐑌", "𝔘𝔫𝔦",
];

const WORDS = "the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know".split(" ");
const PUNCT = [".", ",", ";", ":", "!", "?", "—", "–", "-", "(", ")", "\"", "“", "”", "«", "»", "…", "¿", "¡", "。", "、", "！", "？", "・"];
const CODE = [
  "function add(a, b) {\n  return a + b; // sum\n}\n",
  "const xs = [1, 2, 3].map((x) => x * 2);\n",
  "if (x !== null && y >= 10) {\n\tconsole.log(`value: ${x}`);\n}\n",
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
  "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '1 day' ORDER BY id;\n",
  "<ul>\n  <li class=\"item\">One</li>\n  <li>Two &amp; three</li>\n</ul>\n",
  "{\"id\": 12, \"tags\": [\"a\", \"b\"], \"ok\": true, \"score\": 0.75}\n",
  "#!/bin/sh\nset -eu\nfor f in *.txt; do wc -l \"$f\"; done\n",
  "impl<T: Clone> Foo<T> { fn get(&self) -> Option<&T> { self.0.as_ref() } }\n",
  "    // TODO(someone): handle the error case\n    err := doThing()\n    if err != nil {\n        return fmt.Errorf(\"doThing: %w\", err)\n    }\n",
  "https://example.com/path/to/page?query=1&lang=en#section-2\n",
  "C:\\Users\\name\\Documents\\file.txt\r\n",
];

/** The load generator's message content (bench/load.ts). */
export const lorem = (i: number, length: number) => `${i} `.padEnd(length, "lorem ipsum dolor sit amet ").slice(0, length);

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomCodePoints(r: () => number, run: number): string {
  let s = "";
  for (let i = 0; i < run; i++) {
    const u = r();
    if (u < 0.05) s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // a lone surrogate
    else if (u < 0.15) {
      const cp = Math.floor(r() * 0x110000); // anywhere: unassigned, private use, the planes no script uses
      s += cp >= 0xd800 && cp <= 0xdfff ? "?" : String.fromCodePoint(cp);
    }
    else {
      const [lo, hi] = pick(r, BLOCKS);
      s += String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
    }
  }
  return s;
}

function sentence(r: () => number): string {
  const n = 3 + Math.floor(r() * 14);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = pick(r, WORDS);
    const u = r();
    if (u < 0.1) w = w[0]!.toUpperCase() + w.slice(1);
    else if (u < 0.13) w = w.toUpperCase();
    else if (u < 0.2) w += pick(r, ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "’s"]);
    words.push(w);
  }
  const s = words.join(" ");
  return s[0]!.toUpperCase() + s.slice(1) + pick(r, [".", ".", ".", "!", "?", ":", "…"]);
}

/** English-like prose. */
export function prose(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) s += sentence(r) + (r() < 0.15 ? "\n\n" : " ");
  return s.slice(0, length);
}

/** Source code. */
export function code(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) s += pick(r, CODE);
  return s.slice(0, length);
}

/** Mixed scripts: prose, CJK, Cyrillic, Arabic, Devanagari, emoji. */
export function mixed(r: () => number, length: number): string {
  const parts = ["日本語のテキストは、スペースなしで書かれます。", "中文文本也没有空格，但是有标点符号。", "한국어 텍스트는 띄어쓰기를 합니다. ", "Привет, мир! Как дела? ", "مرحبا بالعالم، كيف حالك؟ ", "नमस्ते दुनिया, आप कैसे हैं? ", "Γειά σου κόσμε! ", "שלום עולם ", "Great job 🎉🎉 👍🏽 see you 👩‍👩‍👧‍👦 soon ❤️ 🇫🇷! "];
  let s = "";
  while (s.length < length) s += r() < 0.4 ? sentence(r) + " " : pick(r, parts);
  return s.slice(0, length);
}

const CJK_SENTENCES = [
  "今天天气很好，我们一起去公园散步吧。", "这个问题我已经考虑了很久，但是还没有找到答案。", "请把会议记录发给我，我明天早上再看一遍。", "他说下周要去上海出差，大概三天就回来。",
  "机器学习模型需要大量的数据来训练。", "我觉得这家餐厅的菜比上次好吃多了！", "如果你有时间的话，能不能帮我检查一下代码？", "北京的冬天很冷，但是夏天非常热。",
  "昨日は友達と映画を見に行きました。", "このプロジェクトの締め切りは来週の金曜日です。", "すみません、駅までの道を教えていただけますか？", "日本語を勉強して三年になりますが、まだ敬語が難しいです。",
  "新しいバージョンでは、検索機能が大幅に改善されました。", "お疲れさまでした。また明日よろしくお願いします。", "東京タワーから見る夜景はとても綺麗でした。",
  "오늘 회의는 오후 세 시에 시작합니다.", "이 문제를 해결하려면 먼저 로그를 확인해야 합니다.", "주말에 가족들과 함께 바다에 다녀왔어요.", "새로운 기능이 추가되어서 사용하기 훨씬 편해졌습니다.",
];

/** Chinese, Japanese and Korean prose (sentences of real text, now and then a rare ideograph or a line break). */
export function cjk(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) {
    s += pick(r, CJK_SENTENCES);
    if (r() < 0.1) s += String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5200));
    if (r() < 0.1) s += "\n";
  }
  return s.slice(0, length);
}

/** Random ideographs and kana with little punctuation: long pieces of rare characters, the byte-pair merge's worst case. */
export function cjkRandom(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) {
    const u = r();
    if (u < 0.5) s += String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5200));
    else if (u < 0.8) s += String.fromCodePoint(0x3041 + Math.floor(r() * 0x5e));
    else if (u < 0.9) s += String.fromCodePoint(0x30a1 + Math.floor(r() * 0x5a));
    else s += pick(r, ["。", "、", "「", "」", "！", "？", "\n"]);
  }
  return s.slice(0, length);
}

/** Emoji, with modifiers, joiners, flags and variation selectors. */
export function emoji(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) {
    const u = r();
    if (u < 0.5) s += String.fromCodePoint(0x1f300 + Math.floor(r() * 0x350));
    else if (u < 0.7) s += pick(r, ["👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇫🇷", "❤️", "🧑🏿‍💻", "✨"]);
    else s += pick(r, [" ", " ", "!", "\n", " lol ", " so good "]);
  }
  return s.slice(0, length);
}

/** A long run with no break: one letter repeated, random letters, base64, hex, digits, punctuation, one script's letters, spaces. */
function unspaced(r: () => number, length: number): string {
  const kinds: (() => string)[] = [
    () => pick(r, ["a", "A", "é", "ß", "x", "日", "😀", "ſ", "\u0301"]),
    () => String.fromCharCode(97 + Math.floor(r() * 26)),
    () => pick(r, [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"]),
    () => pick(r, [..."0123456789abcdef"]),
    () => String.fromCharCode(48 + Math.floor(r() * 10)),
    () => pick(r, [..."!?.,;:-_=+*/\\|#@$%^&~`'\"<>()[]{}"]),
    () => { const [lo, hi] = pick(r, BLOCKS); return String.fromCodePoint(lo + Math.floor(r() * Math.min(64, hi - lo + 1))); },
    () => pick(r, SPACES),
  ];
  const gen = pick(r, kinds);
  const fixed = r() < 0.5 ? gen() : undefined;
  let s = "";
  while (s.length < length) s += fixed ?? gen();
  return s.slice(0, length);
}

/** One text: fragments of every kind, stuck together with or without spaces. */
export function sample(r: () => number, length: number): string {
  let s = "";
  while (s.length < length) {
    const u = r();
    const n = 1 + Math.floor(r() * 40);
    if (u < 0.3) s += pick(r, PIECES);
    else if (u < 0.45) s += randomCodePoints(r, 1 + Math.floor(r() * 12));
    else if (u < 0.55) s += pick(r, SPACES).repeat(1 + Math.floor(r() * 6));
    else if (u < 0.62) s += String(Math.floor(r() * 10 ** Math.floor(r() * 15)));
    else if (u < 0.7) s += prose(r, n);
    else if (u < 0.75) s += code(r, n * 3).slice(Math.floor(r() * 20));
    else if (u < 0.8) s += pick(r, PUNCT).repeat(1 + Math.floor(r() * 3));
    else if (u < 0.85) s += unspaced(r, n);
    else if (u < 0.9) s += pick(r, WORDS) + pick(r, ["'", "’"]) + pick(r, ["s", "t", "re", "ve", "m", "ll", "d", "S", "T", "RE", "VE", "M", "LL", "D", "ſ", "K", "x", ""]);
    else if (u < 0.95) s += mixed(r, n);
    else s += pick(r, WORDS).toUpperCase() + pick(r, ["", " ", "1", "'S", "s", "ǅ", "\u0301", "ʰ"]);
  }
  return s.slice(0, length);
}

export interface CorpusOptions {
  seed: number;
  /** texts of 1..300 UTF-16 units */
  short: number;
  /** texts of 300..3 000 */
  medium: number;
  /** texts of exactly 25 000 */
  long: number;
}

/**
 * Edge cases first (empty, lone surrogates, every piece and space alone,
 * 25 000-unit runs), then random texts of each size, a fifth of them one
 * generator alone (prose, code, mixed, CJK, emoji, unspaced, lorem).
 */
export function corpus({ seed, short, medium, long }: CorpusOptions): string[] {
  const r = rng(seed);
  const out = [
    "", " ", "a", "\u0000", "x\ud800y", "\udc00", "\ud83d", "a\udbff\udfff", ...PIECES,
    ...SPACES.map((s) => s.repeat(3) + "x"), ...SPACES.map((s) => "x" + s.repeat(3)),
    "a".repeat(25_000), " ".repeat(25_000), "\n".repeat(25_000), "😀".repeat(12_500), "12345678901234567890".repeat(1_250), "日".repeat(25_000), "ab".repeat(12_500), lorem(0, 25_000),
  ];
  const gens = [prose, code, mixed, cjk, cjkRandom, emoji, unspaced, (_: () => number, n: number) => lorem(Math.floor(r() * 1000), n)];
  const one = (length: number) => (r() < 0.2 ? pick(r, gens)(r, length) : sample(r, length));
  for (let i = 0; i < short; i++) out.push(one(1 + Math.floor(r() * 300)));
  for (let i = 0; i < medium; i++) out.push(one(300 + Math.floor(r() * 2_700)));
  for (let i = 0; i < long; i++) out.push(one(25_000));
  return out;
}

/** Texts that put the character c in every position o200k_base's pre-tokenizer tells apart (test/unit/tokens.test.ts, bench/tokens.ts --prove). */
export const positionProbes = (c: string): string[] => [
  `a${c}A${c}1${c} ${c}.${c}\n${c}${c} x${c}'s${c}'T ${c}${c}${c}`,
  `${c}a${c}AB${c}'ll${c}  ${c}\t\n${c}/${c}!!${c}١${c}Ab${c}`,
];
