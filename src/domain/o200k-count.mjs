// o200k_base token counts, exactly as tiktoken counts them (bench/tokens.ts
// --prove and test/unit/tokens.test.ts check it against tiktoken), several
// times faster than gpt-tokenizer, whose counts also differ from tiktoken's on
// some texts. Plain JS: the token worker threads load it without a TypeScript
// loader.
//
// Three parts:
// - the pre-tokenizer: o200k_base's regular expression
//     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   | [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//   as a hand-written scanner over a class table (o200k-classes.mjs), with the
//   backtracking of a leftmost-first engine worked out per alternative below.
//   The table is Unicode 16.0's (tiktoken's), not Node's: gpt-tokenizer's
//   JS regular expression follows Node's ICU (Unicode 17 in Node 20.20), has \s
//   with U+FEFF and without U+0085, and matches (?i:'s) without 'ſ' (U+017F,
//   which case-folds to s): each of these changes counts.
// - piece counts: a piece that is one token counts 1 (gpt-tokenizer's own
//   string → rank map, so the 200 000 ranks are loaded once); other pieces are
//   merged by byte-pair encoding (tiktoken's rule: always the lowest-ranked
//   adjacent pair, the leftmost of equals) over their UTF-8 bytes, with ranks
//   from a byte-keyed hash table, and their counts cached.
// - lone surrogates count as U+FFFD, as tiktoken receives them (UTF-8 of a JS
//   string, invalid units replaced).
import o200k from "gpt-tokenizer/encoding/o200k_base";
import { RUNS } from "./o200k-classes.mjs";

// ---- character classes (bits as in scripts/o200k-classes.ts) ----
const LET = 1, NUM = 2, WS = 4, NL = 8, UPPERISH = 16, LOWERISH = 32;
const CASED = UPPERISH | LOWERISH;
/** not in [^\r\n\p{L}\p{N}], the optional first character of a word */
const NOT_PREFIX = LET | NUM | NL;
/** not in [^\s\p{L}\p{N}], punctuation and symbols */
const NOT_PUNCT = WS | LET | NUM;

const classes = new Uint8Array(0x110000);
{
  let start = 0, previous = 0, previousClass = 0;
  for (const run of RUNS.split(" ")) {
    const dot = run.indexOf(".");
    start = previous + parseInt(run.slice(0, dot), 36);
    classes.fill(previousClass, previous, start);
    previous = start;
    previousClass = parseInt(run.slice(dot + 1), 36);
  }
  classes.fill(previousClass, previous);
}

// ---- ranks ----
const core = o200k.bytePairEncodingCoreProcessor;
/** rank → its string, or its bytes when they are not valid UTF-8 (gpt-tokenizer's table, loaded once) */
const rankValues = core.bytePairRankDecoder;
const RANKS = rankValues.length;
const TABLE_BITS = 19; // 524 288 slots for 200 000 ranks
const TABLE_MASK = (1 << TABLE_BITS) - 1;

// Two open-addressing hash tables over the ranks, so that neither a piece of
// the text nor a part of a merge is ever made into a string to be looked up:
// by UTF-16 units (pieces that are one token, straight from the text), and by
// UTF-8 bytes (the byte-pair merge).
const utf8 = new TextEncoder();
let pool = new Uint8Array(RANKS * 16);
const offsets = new Int32Array(RANKS + 1);
let pool16 = new Uint16Array(RANKS * 16);
const offsets16 = new Int32Array(RANKS + 1);
{
  let o = 0, o16 = 0;
  for (let r = 0; r < RANKS; r++) {
    const v = rankValues[r];
    offsets[r] = o;
    offsets16[r] = o16;
    if (typeof v === "string") {
      o += utf8.encodeInto(v, pool.subarray(o)).written;
      for (let i = 0; i < v.length; i++) pool16[o16++] = v.charCodeAt(i);
    } else {
      pool.set(v, o);
      o += v.length;
    }
  }
  offsets[RANKS] = o;
  offsets16[RANKS] = o16;
  pool = pool.slice(0, o);
  pool16 = pool16.slice(0, o16);
}

function hash(bytes, from, to) {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h ^ (h >>> 16)) & TABLE_MASK;
}
function hash16(text, from, to) {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}
function hashUnits(units, from, to) {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ units[i], 0x01000193);
  return (h ^ (h >>> 16)) & TABLE_MASK;
}

const table = new Int32Array(1 << TABLE_BITS).fill(-1);
const table16 = new Int32Array(1 << TABLE_BITS).fill(-1);
for (let r = 0; r < RANKS; r++) {
  let slot = hash(pool, offsets[r], offsets[r + 1]);
  while (table[slot] !== -1) slot = (slot + 1) & TABLE_MASK;
  table[slot] = r;
  if (offsets16[r + 1] > offsets16[r]) {
    slot = hashUnits(pool16, offsets16[r], offsets16[r + 1]); // equals hash16 of the same units, masked
    while (table16[slot] !== -1) slot = (slot + 1) & TABLE_MASK;
    table16[slot] = r;
  }
}

/** whether text[from, to) is one token; h = hash16(text, from, to) */
function isToken(text, from, to, h) {
  const length = to - from;
  for (let slot = h & TABLE_MASK; ; slot = (slot + 1) & TABLE_MASK) {
    const r = table16[slot];
    if (r === -1) return false;
    const o = offsets16[r];
    if (offsets16[r + 1] - o !== length) continue;
    let i = 0;
    while (i < length && pool16[o + i] === text.charCodeAt(from + i)) i++;
    if (i === length) return true;
  }
}

const NONE = 0x7fffffff;
/** the rank of bytes[from, to), or NONE */
function rankOf(bytes, from, to) {
  const length = to - from;
  for (let slot = hash(bytes, from, to); ; slot = (slot + 1) & TABLE_MASK) {
    const r = table[slot];
    if (r === -1) return NONE;
    const o = offsets[r];
    if (offsets[r + 1] - o !== length) continue;
    let i = 0;
    while (i < length && pool[o + i] === bytes[from + i]) i++;
    if (i === length) return r;
  }
}

// ---- byte-pair merge ----
// Every part of a piece is a token while it is merged (single bytes are
// tokens; a merge makes the token of the two parts' bytes, whose rank is that
// token), so the rank of two adjacent parts depends only on their two tokens:
// it is cached by the pair, and the bytes are hashed only on a miss.
const PAIR_BITS = 18;
const pairCache = new Int32Array(3 << PAIR_BITS).fill(-1); // left token, right token, rank
function pairRank(left, right, from, to) {
  const slot = ((Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca6b)) >>> (32 - PAIR_BITS)) * 3;
  if (pairCache[slot] === left && pairCache[slot + 1] === right) return pairCache[slot + 2];
  const rank = rankOf(bytes, from, to);
  pairCache[slot] = left;
  pairCache[slot + 1] = right;
  pairCache[slot + 2] = rank;
  return rank;
}

let bytes = new Uint8Array(1024);
let ends = new Int32Array(1024);
let ranks = new Int32Array(1024);
let tokens = new Int32Array(1024);
/** the token of each single byte, and the rank of each pair of bytes (a merge's first look at a piece) */
const byteTokens = new Int32Array(256);
const byteTwoRanks = new Int32Array(1 << 16);
for (let b = 0; b < 256; b++) {
  bytes[0] = b;
  byteTokens[b] = rankOf(bytes, 0, 1);
  for (let c = 0; c < 256; c++) {
    bytes[1] = c;
    byteTwoRanks[(b << 8) | c] = rankOf(bytes, 0, 2);
  }
}

/** UTF-8 of text[from, to) into `bytes`, lone surrogates as U+FFFD; the byte length */
function encodePiece(text, from, to) {
  if (bytes.length < (to - from) * 3) bytes = new Uint8Array((to - from) * 3);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes[n++] = c;
    else if (c < 0x800) {
      bytes[n++] = 0xc0 | (c >> 6);
      bytes[n++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
      bytes[n++] = 0xf0 | (cp >> 18);
      bytes[n++] = 0x80 | ((cp >> 12) & 63);
      bytes[n++] = 0x80 | ((cp >> 6) & 63);
      bytes[n++] = 0x80 | (cp & 63);
    } else {
      const u = (c & 0xf800) === 0xd800 ? 0xfffd : c;
      bytes[n++] = 0xe0 | (u >> 12);
      bytes[n++] = 0x80 | ((u >> 6) & 63);
      bytes[n++] = 0x80 | (u & 63);
    }
  }
  return n;
}

/** Tokens of bytes[0, n): merges the lowest-ranked adjacent pair (the leftmost of equals) until none is a token. */
function mergeCount(n) {
  if (n <= 1) return n;
  if (n > 128) return mergeCountLong(n);
  if (ends.length <= n) {
    ends = new Int32Array(n * 2);
    ranks = new Int32Array(n * 2);
    tokens = new Int32Array(n * 2);
  }
  // parts are linked by their starts: part i is bytes [i, ends[i]), the token
  // tokens[i]; ranks[i] is the rank of part i and the part after it together
  for (let i = 0; i < n; i++) {
    ends[i] = i + 1;
    tokens[i] = byteTokens[bytes[i]];
  }
  for (let i = 0; i < n - 1; i++) ranks[i] = byteTwoRanks[(bytes[i] << 8) | bytes[i + 1]];
  ranks[n - 1] = NONE;
  let parts = n;
  for (;;) {
    let min = NONE, at = -1, before = -1;
    for (let i = 0, previous = -1; i < n; previous = i, i = ends[i]) {
      if (ranks[i] < min) {
        min = ranks[i];
        at = i;
        before = previous;
      }
    }
    if (at < 0) return parts;
    const end = ends[ends[at]];
    ends[at] = end;
    tokens[at] = min;
    parts--;
    ranks[at] = end < n ? pairRank(min, tokens[end], at, ends[end]) : NONE;
    if (before >= 0) ranks[before] = pairRank(tokens[before], min, before, end);
  }
}

/**
 * The same merge for long pieces (a 25 000-letter word): a heap of candidate
 * pairs keyed by (rank, start) and a linked list of parts, O(n log n) instead
 * of O(n²). A pair popped whose parts have changed since is stale and skipped.
 */
function mergeCountLong(n) {
  const next = new Int32Array(n + 1); // start of the next part, n at the end
  const prev = new Int32Array(n + 1); // start of the previous part, -1 at the start
  const version = new Int32Array(n + 1); // bumped when the part starting here changes
  const token = new Int32Array(n + 1); // the token of the part starting here
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    if (i < n) token[i] = byteTokens[bytes[i]];
  }
  // heap entries: rank, start, version of the part at start, version of the part after it
  let heap = new Float64Array(4 * 64);
  let size = 0;
  const less = (a, b) => heap[a] < heap[b] || (heap[a] === heap[b] && heap[a + 1] < heap[b + 1]);
  const swap = (a, b) => {
    for (let k = 0; k < 4; k++) {
      const t = heap[a + k];
      heap[a + k] = heap[b + k];
      heap[b + k] = t;
    }
  };
  const push = (start) => {
    const mid = next[start];
    if (mid >= n) return;
    const rank = pairRank(token[start], token[mid], start, next[mid]);
    if (rank === NONE) return;
    if ((size + 1) * 4 > heap.length) {
      const grown = new Float64Array(heap.length * 2);
      grown.set(heap);
      heap = grown;
    }
    let i = size++ * 4;
    heap[i] = rank;
    heap[i + 1] = start;
    heap[i + 2] = version[start];
    heap[i + 3] = version[mid];
    while (i > 0) {
      const parent = (((i >> 2) - 1) >> 1) << 2;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = () => {
    size--;
    if (size > 0) {
      for (let k = 0; k < 4; k++) heap[k] = heap[size * 4 + k];
      let i = 0;
      for (;;) {
        const l = i * 2 + 4, r = l + 4;
        let m = i;
        if (l < size * 4 && less(l, m)) m = l;
        if (r < size * 4 && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  };
  for (let i = 0; i < n - 1; i++) push(i);
  let parts = n;
  while (size > 0) {
    const rank = heap[0], start = heap[1], startVersion = heap[2], midVersion = heap[3];
    pop();
    const mid = next[start];
    if (version[start] !== startVersion || mid >= n || version[mid] !== midVersion) continue;
    // merge the part at start with the part at mid
    const after = next[mid];
    next[start] = after;
    if (after <= n) prev[after] = start;
    version[start]++;
    version[mid]++;
    token[start] = rank;
    parts--;
    push(start);
    if (prev[start] >= 0) push(prev[start]); // its pair with start is stale by start's version
  }
  return parts;
}

// Counts of the pieces that are not one token, by their UTF-16 units (kept
// in a pool of their own: a key sliced from the text would keep the whole
// text alive); emptied when full, so memory stays bounded (about 3 MB).
const CACHE_BITS = 16;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
const CACHE_ENTRIES = 1 << (CACHE_BITS - 1);
const CACHE_LONGEST = 64;
const cacheSlots = new Int32Array(1 << CACHE_BITS).fill(-1); // entry, or -1
const cacheStart = new Int32Array(CACHE_ENTRIES + 1); // entry → its units in cacheUnits
const cacheCount = new Int32Array(CACHE_ENTRIES);
const cacheUnits = new Uint16Array(CACHE_ENTRIES * 24);
let cached = 0;

function countPiece(text, from, to) {
  const h = hash16(text, from, to);
  if (isToken(text, from, to, h)) return 1;
  const length = to - from;
  if (length > CACHE_LONGEST) return mergeCount(encodePiece(text, from, to));
  let slot = h & CACHE_MASK;
  for (let e = cacheSlots[slot]; e !== -1; slot = (slot + 1) & CACHE_MASK, e = cacheSlots[slot]) {
    const o = cacheStart[e];
    if (cacheStart[e + 1] - o !== length) continue;
    let i = 0;
    while (i < length && cacheUnits[o + i] === text.charCodeAt(from + i)) i++;
    if (i === length) return cacheCount[e];
  }
  const count = mergeCount(encodePiece(text, from, to));
  if (cached === CACHE_ENTRIES || cacheStart[cached] + length > cacheUnits.length) {
    cacheSlots.fill(-1);
    cached = 0;
    slot = h & CACHE_MASK;
  }
  const o = cacheStart[cached];
  for (let i = 0; i < length; i++) cacheUnits[o + i] = text.charCodeAt(from + i);
  cacheStart[cached + 1] = o + length;
  cacheCount[cached] = count;
  cacheSlots[slot] = cached++;
  return count;
}

// ---- pre-tokenizer ----
// Positions are UTF-16 indexes; a code point is read whole (a surrogate pair
// is one character to the pattern and to tiktoken); a lone surrogate is
// U+FFFD to tiktoken, class 0 like it, so it stands for itself here.

function codePointAt(text, i, n) {
  const c = text.charCodeAt(i);
  if ((c & 0xfc00) === 0xd800 && i + 1 < n) {
    const d = text.charCodeAt(i + 1);
    if ((d & 0xfc00) === 0xdc00) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * [UPPERISH]*[LOWERISH]+ from q: the end, or -1. Greedy with backtracking: the
 * run of UPPERISH characters, then the LOWERISH run after it; when no LOWERISH
 * character follows the run, the run gives characters back up to its last one
 * that is LOWERISH as well (Lm Lo M), which then ends the match.
 */
function wordLowerEnd(text, q, n) {
  let i = q, lastBoth = -1;
  while (i < n) {
    const cp = codePointAt(text, i, n), k = classes[cp];
    const next = i + (cp > 0xffff ? 2 : 1);
    if ((k & UPPERISH) === 0) {
      if ((k & LOWERISH) === 0) break;
      i = next;
      while (i < n) {
        const cp2 = codePointAt(text, i, n);
        if ((classes[cp2] & LOWERISH) === 0) break;
        i += cp2 > 0xffff ? 2 : 1;
      }
      return i;
    }
    if (k & LOWERISH) lastBoth = next;
    i = next;
  }
  return lastBoth;
}

/** [UPPERISH]+[LOWERISH]* from q: the end, or -1 */
function wordUpperEnd(text, q, n) {
  let i = q;
  while (i < n) {
    const cp = codePointAt(text, i, n);
    if ((classes[cp] & UPPERISH) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === q) return -1;
  while (i < n) {
    const cp = codePointAt(text, i, n);
    if ((classes[cp] & LOWERISH) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** (?i:'s|'t|'re|'ve|'m|'ll|'d)? at e; case-insensitive the Unicode way, so 'ſ (U+017F) as well */
function contractionEnd(text, e, n) {
  if (e + 1 >= n || text.charCodeAt(e) !== 0x27) return e;
  const c = text.charCodeAt(e + 1);
  const lower = c < 0x80 ? c | 0x20 : c;
  if (lower === 0x73 || lower === 0x74 || lower === 0x6d || lower === 0x64 || c === 0x17f) return e + 2; // s t m d ſ
  if (e + 2 < n) {
    const d = text.charCodeAt(e + 2);
    const lower2 = d < 0x80 ? d | 0x20 : d;
    if ((lower === 0x72 && lower2 === 0x65) || (lower === 0x76 && lower2 === 0x65) || (lower === 0x6c && lower2 === 0x6c)) return e + 3; // re ve ll
  }
  return e;
}

/** The end of the piece that starts at p: the first alternative that matches, as a backtracking engine finds it. */
function pieceEnd(text, p, n) {
  const cp = codePointAt(text, p, n);
  const k = classes[cp];
  const w = cp > 0xffff ? 2 : 1;
  const prefix = (k & NOT_PREFIX) === 0 && p + w < n;
  const after = prefix ? classes[codePointAt(text, p + w, n)] : 0;
  // letters: with the optional first character, then without it (a mark can be either)
  if (after & CASED) {
    const e = wordLowerEnd(text, p + w, n);
    if (e >= 0) return contractionEnd(text, e, n);
  }
  if (k & CASED) {
    const e = wordLowerEnd(text, p, n);
    if (e >= 0) return contractionEnd(text, e, n);
  }
  if (after & UPPERISH) return contractionEnd(text, wordUpperEnd(text, p + w, n), n);
  if (k & UPPERISH) return contractionEnd(text, wordUpperEnd(text, p, n), n);
  // \p{N}{1,3}
  if (k & NUM) {
    let i = p + w;
    for (let m = 1; m < 3 && i < n; m++) {
      const c = codePointAt(text, i, n);
      if ((classes[c] & NUM) === 0) break;
      i += c > 0xffff ? 2 : 1;
    }
    return i;
  }
  // " ?[^\s\p{L}\p{N}]+[\r\n/]*"
  let q = -1;
  if ((k & NOT_PUNCT) === 0) q = p;
  else if (cp === 0x20 && p + 1 < n && (classes[codePointAt(text, p + 1, n)] & NOT_PUNCT) === 0) q = p + 1;
  if (q >= 0) {
    let i = q;
    while (i < n) {
      const c = codePointAt(text, i, n);
      if (classes[c] & NOT_PUNCT) break;
      i += c > 0xffff ? 2 : 1;
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d && c !== 0x2f) break;
      i++;
    }
    return i;
  }
  // whitespace (all in the BMP): \s*[\r\n]+ ends after the run's last CR or LF;
  // else \s+(?!\S) leaves the run's last character to the next piece, unless
  // the run ends the text or is one character (then \s+)
  let i = p, lastBreak = -1;
  while (i < n) {
    const c = classes[text.charCodeAt(i)];
    if ((c & WS) === 0) break;
    if (c & NL) lastBreak = i;
    i++;
  }
  if (lastBreak >= 0) return lastBreak + 1;
  if (i < n && i - 1 > p) return i - 1;
  return i;
}

/** o200k_base tokens in the text, special-token text counted as ordinary text. */
export function countTokens(text) {
  const n = text.length;
  let count = 0;
  for (let p = 0; p < n; ) {
    const e = pieceEnd(text, p, n);
    count += countPiece(text, p, e);
    p = e;
  }
  return count;
}

/** The pre-tokenizer's pieces (for tests). */
export function pieces(text) {
  const out = [];
  for (let p = 0; p < text.length; ) {
    const e = pieceEnd(text, p, text.length);
    out.push(text.slice(p, e));
    p = e;
  }
  return out;
}
