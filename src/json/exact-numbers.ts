// JSON numbers as Python keeps them. Honcho's json.loads makes `1.0` a float
// and `12345678901234567890` an exact int, and json.dumps writes them back so
// (into a 422's `input`, into a jsonb column, into an answer); a JavaScript
// number cannot tell 1.0 from 1 and rounds an int past 2^53 (a 64-bit id in
// metadata would be stored changed). Validation keeps working on plain
// numbers; beside them, the text Python would write is kept for the numbers
// whose JavaScript spelling differs, by container and key, and
// pythonJson() writes it. Objects keep their keys' order the same way where
// JavaScript's differs from Python's (integer-like keys, which JavaScript
// puts first): `{"b": 1, "2": 0}` is written back as it came, in a 422's
// `input` and in an answer, as Python's dict keeps it.
import { floatRepr, pydanticFloatText } from "./float-repr.js";

type Key = string | number;

// container → key → the number held there when parsed, and Python's text of it
const texts = new WeakMap<object, Map<Key, { value: number; text: string }>>();
// containers holding such a number at any depth
const holders = new WeakSet<object>();
// object → its keys in Python's order, where JavaScript's differs: a
// JavaScript object puts integer-like keys ("2", "10") first, in numeric
// order, where Python's dict keeps the order they came in
const orders = new WeakMap<object, string[]>();

/** A key a JavaScript object orders first: an array index, 0 to 2^32 - 2, written canonically. */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/** The object's own keys in Python's order: the order kept at the parse, while it still names the same keys. */
function pythonKeys(o: object): string[] {
  const keys = Object.keys(o);
  const kept = orders.get(o);
  if (!kept || kept.length !== keys.length || !kept.every((k) => Object.prototype.hasOwnProperty.call(o, k))) return keys;
  return kept;
}

/** Python's text for a JSON number literal, where JavaScript would write another; undefined where they agree. */
export function pythonNumberText(literal: string): string | undefined {
  const v = Number(literal);
  if (!Number.isFinite(v)) return undefined; // 1e999 is float('inf'): refused where it is written, as Honcho fails there
  if (/[.eE]/.test(literal)) {
    const py = floatRepr(v);
    return py === JSON.stringify(v) ? undefined : py;
  }
  return Number.isSafeInteger(v) ? undefined : literal.replace(/^(-?)0+(?=\d)/, "$1");
}

/** The Python text kept for container[key], if any (and if the number there is still the one parsed). */
export function exactNumberAt(container: object, key: Key): string | undefined {
  const k = Array.isArray(container) ? Number(key) : key;
  const kept = texts.get(container)?.get(k);
  return kept && Object.is(own(container, k), kept.value) ? kept.text : undefined;
}

/** Whether the value holds a number whose Python text differs from JavaScript's, or an object whose keys Python orders otherwise. */
export const holdsExactNumbers = (v: unknown): boolean => typeof v === "object" && v !== null && holders.has(v);

/**
 * A container built around values (an answer written from a message) holds
 * such numbers when one of them does; returns the container.
 */
export function holdsExactNumbersOf<T extends object>(container: T, values: Iterable<unknown>): T {
  for (const v of values) {
    if (holdsExactNumbers(v)) {
      holders.add(container);
      break;
    }
  }
  return container;
}

/** Marks a container built around a value that holds such numbers (see holdsExactNumbersOf). */
export function markExactNumbers<T extends object>(container: T): T {
  holders.add(container);
  return container;
}

function keep(container: object, key: Key, value: number, text: string): void {
  let m = texts.get(container);
  if (!m) texts.set(container, (m = new Map()));
  m.set(key, { value, text });
}

/** A copy keeps the original's texts where it holds the same numbers (under keys renamed by `rename`). */
export function copyExactNumbers(from: object, to: object, rename: (k: Key) => Key = (k) => k): void {
  const m = texts.get(from);
  if (m) for (const [k, kept] of m) if (Object.is(own(to, rename(k)), kept.value)) keep(to, rename(k), kept.value, kept.text);
  const order = orders.get(from);
  // two keys made equal by `rename` stand where the first stood (Python's dict comprehension)
  if (order) orders.set(to, [...new Set(order.map((k) => String(rename(k))))]);
  if (holders.has(from)) holders.add(to);
}

/** o[k] when o has it as its own (also "__proto__", an ordinary key in Python). */
export const own = (o: object, k: Key): unknown => Object.getOwnPropertyDescriptor(o, k)?.value;

/** obj[key] = value, also for "__proto__" (an ordinary key in Python). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The index of the first character at or after i that is not JSON whitespace. */
function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}
const isNumberChar = (c: number) => isDigit(c) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;

/** The index after the string literal opening at i (s is valid JSON). */
function stringEnd(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    j = s.indexOf('"', j);
    let backslashes = 0;
    while (s.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
    j++;
  }
}

/**
 * Whether a parsed JSON text holds a number literal Python writes otherwise
 * (a fraction or exponent, or an int of 16 digits or more) outside its
 * strings, or an integer-like key (whose object JavaScript may order
 * otherwise). Strings are skipped with indexOf, so a body of long texts
 * costs little more than its structure.
 */
export function mayHoldExactNumbers(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(s, i);
      if (mayBeIndexKey(s, i, end) && s.charCodeAt(skipWs(s, end)) === 0x3a) return true; // an integer-like key
      i = end;
      continue;
    }
    if (isDigit(c) || c === 0x2d) {
      let digits = 0;
      for (i++; i < s.length && isNumberChar(s.charCodeAt(i)); i++) {
        if (!isDigit(s.charCodeAt(i))) return true; // a fraction or an exponent
        digits++;
      }
      if (digits + (c === 0x2d ? 0 : 1) >= 16) return true;
      continue;
    }
    i++;
  }
  return false;
}

/**
 * Walks a parsed JSON text beside the value parsed from it and keeps Python's
 * text for the numbers that need it, and the keys' order of the objects
 * JavaScript orders otherwise. A key given twice is Python's last one
 * (as JSON.parse's), so only the text of a key's last occurrence is walked.
 * Returns the text of the root itself when the root is such a number.
 */
export function keepExactNumbers(s: string, root: unknown): string | undefined {
  let rootText: string | undefined;
  const ws = (i: number) => skipWs(s, i);
  // the index after the value at i
  const skip = (i: number): number => {
    const c = s.charCodeAt(i);
    if (c === 0x22) return stringEnd(s, i);
    if (c !== 0x7b && c !== 0x5b) {
      while (i < s.length && (isNumberChar(s.charCodeAt(i)) || /[a-zA-Z]/.test(s[i]!))) i++; // a number, true, NaN, -Infinity...
      return i;
    }
    let depth = 0;
    for (;;) {
      const d = s.charCodeAt(i);
      if (d === 0x22) {
        i = stringEnd(s, i);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) depth--;
      i++;
      if (depth === 0) return i;
    }
  };
  // walks the value at i, held at container[key] (none for the root); true when it holds such a number
  const walk = (i: number, value: unknown, container: object | undefined, key: Key): boolean => {
    const c = s.charCodeAt(i);
    if (c === 0x7b) {
      const last = new Map<string, number>();
      i = ws(i + 1);
      while (s.charCodeAt(i) === 0x22) {
        const end = stringEnd(s, i);
        const raw = s.slice(i + 1, end - 1);
        const k = raw.includes("\\") ? (JSON.parse(s.slice(i, end)) as string) : raw;
        const at = ws(ws(end) + 1);
        last.set(k, at);
        i = ws(skip(at));
        if (s.charCodeAt(i) === 0x2c) i = ws(i + 1);
      }
      let holds = keepOrder(value as object, [...last.keys()]);
      for (const [k, at] of last) if (walk(at, own(value as object, k), value as object, k)) holds = true;
      if (holds) holders.add(value as object);
      return holds;
    }
    if (c === 0x5b) {
      let holds = false;
      i = ws(i + 1);
      for (let n = 0; s.charCodeAt(i) !== 0x5d; n++) {
        if (walk(i, (value as unknown[])[n], value as object, n)) holds = true;
        i = ws(skip(i));
        if (s.charCodeAt(i) === 0x2c) i = ws(i + 1);
      }
      if (holds) holders.add(value as object);
      return holds;
    }
    if (!isDigit(c) && c !== 0x2d) return false;
    const text = pythonNumberText(s.slice(i, skip(i)));
    if (text === undefined || typeof value !== "number") return false;
    if (container) keep(container, key, value, text);
    else rootText = text;
    return true;
  };
  walk(ws(s.charCodeAt(0) === 0xfeff ? 1 : 0), root, undefined, "");
  return rootText;
}

// Whether the string literal from i to end reads as an integer-like key
// (escaped digits too: "\u0031" is "1").
function mayBeIndexKey(s: string, i: number, end: number): boolean {
  const c = s.charCodeAt(i + 1);
  if (isDigit(c)) return end - i <= 12 && isIndexKey(s.slice(i + 1, end - 1));
  return c === 0x5c && end - i <= 62 && isIndexKey(JSON.parse(s.slice(i, end)) as string);
}

// Keeps the keys' order as the text gave them (first appearance: a key given
// twice stands where it first stood, in Python's dict and JSON.parse's
// object alike) when JavaScript's own order differs; true if kept.
function keepOrder(o: object, keys: string[]): boolean {
  if (!keys.some(isIndexKey)) return false;
  const js = Object.keys(o);
  if (js.every((k, n) => k === keys[n])) return false;
  orders.set(o, keys);
  return true;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify, but with Python's text for the numbers kept above (what
 * json.dumps writes: into jsonb, into a 422's `input`). Values holding none
 * are written by JSON.stringify itself.
 */
export const pythonJson = (v: unknown): string => jsonWith(v, (text) => text);

/**
 * The same, with pydantic-core's spelling of those numbers: FastAPI writes a
 * route's answer through its response model with pydantic's own JSON
 * serializer (routing.py's dump_json), which spells some floats otherwise
 * than json.dumps (float-repr.ts pydanticFloatText). Where a number needs no
 * kept text, JavaScript's spelling is also pydantic's.
 */
export const pydanticJson = (v: unknown): string => jsonWith(v, pydanticFloatText);

function jsonWith(v: unknown, spell: (pythonText: string) => string): string {
  if (!holdsExactNumbers(v)) return JSON.stringify(v) ?? "null";
  const number = (container: object, key: Key, x: number) => {
    const text = exactNumberAt(container, key);
    return text === undefined ? JSON.stringify(x) : spell(text);
  };
  if (Array.isArray(v)) return `[${v.map((x, i) => (typeof x === "number" ? number(v, i, x) : jsonWith(x, spell))).join(",")}]`;
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of pythonKeys(o)) {
    const x = own(o, k);
    if (x === undefined || typeof x === "function") continue;
    const name = NEEDS_ESCAPE.test(k) ? JSON.stringify(k) : `"${k}"`;
    parts.push(`${name}:${typeof x === "number" ? number(o, k, x) : jsonWith(x, spell)}`);
  }
  return `{${parts.join(",")}}`;
}

/** JSON.parse, keeping Python's text for the numbers that need it (jsonb read back: PostgreSQL writes 1.0 as 1.0). */
export function parseKeepingNumbers(text: string): unknown {
  const v: unknown = JSON.parse(text);
  if (mayHoldExactNumbers(text)) keepExactNumbers(text, v);
  return v;
}

/**
 * {**a, **b} as Python builds it: a's keys in a's order, each given b's value
 * where b has it, then b's other keys in b's order; each value with the text
 * kept for it where it came from.
 */
export function mergedAsPython(a: object, b: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = [...new Set([...pythonKeys(a), ...pythonKeys(b)])];
  let holds = false;
  for (const k of keys) {
    const from = Object.prototype.hasOwnProperty.call(b, k) ? b : a;
    const v = own(from, k);
    setOwn(out, k, v);
    const text = typeof v === "number" ? exactNumberAt(from, k) : undefined;
    if (text !== undefined) keep(out, k, v as number, text);
    holds ||= text !== undefined || holdsExactNumbers(v);
  }
  holds = keepOrder(out, keys) || holds;
  if (holds) holders.add(out);
  return out;
}
