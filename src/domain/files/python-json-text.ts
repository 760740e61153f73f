// Honcho's JSONProcessor turns an uploaded JSON file into text with
// json.dumps(json.loads(text), ensure_ascii=False). The round trip changes the
// spelling (", " and ": " separators, Python's float repr, duplicate keys
// merged where the first one stood) but nothing else, and JavaScript values
// cannot carry it (1.0 is not 1, big integers lose digits, integer-like keys
// reorder): so this parses with Python's grammar and writes Python's text
// directly, value by value, without building JavaScript values.

import { floatRepr } from "../../json/float-repr.js";

export type RoundTrip = { ok: true; text: string } | { ok: false };

// Python's json.loads raises RecursionError near 1000 levels (Honcho then
// answers 500); deeper input is refused here as invalid JSON.
const MAX_DEPTH = 950;
// int() refuses more than 4300 digits (ValueError: Honcho answers 500).
const MAX_INT_DIGITS = 4300;

class Invalid extends Error {}

/** json.dumps(json.loads(s), ensure_ascii=False) for a str s; not ok where json.loads raises. */
export function pythonJsonRoundTrip(s: string): RoundTrip {
  try {
    const p = new Parser(s);
    const out = p.document();
    return { ok: true, text: out };
  } catch (err) {
    if (err instanceof Invalid || err instanceof RangeError) return { ok: false };
    throw err;
  }
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  document(): string {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) throw new Invalid(); // "Extra data"
    return v;
  }

  ws() {
    while (this.i < this.s.length && isWs(this.s.charCodeAt(this.i))) this.i++;
  }

  value(depth: number): string {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') return dumpString(this.string());
    if (c === "{" || c === "[") {
      if (depth + 1 > MAX_DEPTH) throw new Invalid();
      return c === "{" ? this.object(depth + 1) : this.array(depth + 1);
    }
    for (const [lit, out] of LITERALS) {
      if (s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return out;
      }
    }
    return this.number();
  }

  number(): string {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s[i] === "-") i++;
    const digits = i;
    if (s[i] === "0") i++;
    else if (i < s.length && s[i]! >= "1" && s[i]! <= "9") while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    else throw new Invalid(); // "Expecting value"
    const intEnd = i;
    let isFloat = false;
    if (s[i] === "." && isDigit(s.charCodeAt(i + 1))) {
      isFloat = true;
      i += 2;
      while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      let j = i + 1;
      if (s[j] === "+" || s[j] === "-") j++;
      if (isDigit(s.charCodeAt(j))) {
        while (j < s.length && isDigit(s.charCodeAt(j))) j++;
        isFloat = true;
        i = j;
      }
    }
    this.i = i;
    const text = s.slice(start, i);
    if (isFloat) return floatRepr(Number(text));
    if (intEnd - digits > MAX_INT_DIGITS) throw new Invalid();
    // int(text): "-0" is 0; otherwise the digits as written (no leading zeros in JSON)
    return text === "-0" ? "0" : text;
  }

  // py_scanstring (strict): the string's value
  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = "";
    for (;;) {
      let j = i;
      let c = 0;
      for (; j < s.length; j++) {
        c = s.charCodeAt(j);
        if (c === 0x22 || c === 0x5c) break;
        if (c < 0x20) throw new Invalid(); // "Invalid control character"
      }
      if (j >= s.length) throw new Invalid(); // "Unterminated string"
      out += s.slice(i, j);
      if (c === 0x22) {
        this.i = j + 1;
        return out;
      }
      j++;
      if (j >= s.length) throw new Invalid();
      const e = s[j]!;
      if (e !== "u") {
        const v = ESCAPES[e];
        if (v === undefined) throw new Invalid();
        out += v;
        i = j + 1;
        continue;
      }
      let end = j + 5;
      let code = hex4(s, j + 1);
      if (code < 0) throw new Invalid();
      if (code >= 0xd800 && code <= 0xdbff && s[end] === "\\" && s[end + 1] === "u") {
        const low = hex4(s, end + 2);
        if (low < 0) throw new Invalid();
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          end += 6;
        }
      }
      out += code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code);
      i = end;
    }
  }

  object(depth: number): string {
    const s = this.s;
    this.i++;
    this.ws();
    if (s[this.i] === "}") {
      this.i++;
      return "{}";
    }
    // Python's dict: a repeated key keeps its first place and takes the last value
    const keys: string[] = [];
    const values: string[] = [];
    const at = new Map<string, number>();
    for (;;) {
      if (s[this.i] !== '"') throw new Invalid();
      const key = this.string();
      this.ws();
      if (s[this.i] !== ":") throw new Invalid();
      this.i++;
      this.ws();
      const value = this.value(depth);
      const seen = at.get(key);
      if (seen === undefined) {
        at.set(key, keys.length);
        keys.push(key);
        values.push(value);
      } else values[seen] = value;
      this.ws();
      if (s[this.i] === "}") {
        this.i++;
        return `{${keys.map((k, n) => `${dumpString(k)}: ${values[n]}`).join(", ")}}`;
      }
      if (s[this.i] !== ",") throw new Invalid();
      this.i++;
      this.ws();
    }
  }

  array(depth: number): string {
    const s = this.s;
    this.i++;
    this.ws();
    if (s[this.i] === "]") {
      this.i++;
      return "[]";
    }
    const items: string[] = [];
    for (;;) {
      items.push(this.value(depth));
      this.ws();
      if (s[this.i] === "]") {
        this.i++;
        return `[${items.join(", ")}]`;
      }
      if (s[this.i] !== ",") throw new Invalid();
      this.i++;
      this.ws();
    }
  }
}

// json.loads's constants as json.dumps writes them back
const LITERALS: [string, string][] = [
  ["null", "null"],
  ["true", "true"],
  ["false", "false"],
  ["NaN", "NaN"],
  ["Infinity", "Infinity"],
  ["-Infinity", "-Infinity"],
];

function hex4(s: string, i: number): number {
  if (i + 4 > s.length) return -1;
  const t = s.slice(i, i + 4);
  return /^[0-9a-fA-F]{4}$/.test(t) ? parseInt(t, 16) : -1;
}

// json.dumps(ensure_ascii=False)'s string: only '"', '\\' and control characters escaped.
function dumpString(v: string): string {
  return `"${v.replace(/["\\\x00-\x1f]/g, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}
const SHORT: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
