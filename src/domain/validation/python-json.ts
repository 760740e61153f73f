// FastAPI parses bodies with Python's json.loads. Valid JSON takes the fast
// path (JSON.parse); when that fails, this scanner, a port of CPython's
// _json.c, finds the error Python would report: its message and its position
// in code points. It also accepts what Python accepts and JSON.parse does
// not (NaN, Infinity, -Infinity).
import { DomainError } from "../errors.js";
import { MISSING, type Validated, type ValidationIssue } from "./issues.js";

class JsonError extends Error {
  constructor(readonly pyMessage: string, readonly at: number) {
    super(pyMessage);
  }
}

// Python's json.loads raises RecursionError near 1000 levels of nesting (the
// interpreter's recursion limit, less the frames FastAPI already uses), and
// FastAPI answers 400. Refusing the same bodies here also keeps every walk
// over the parsed value shallow.
export const MAX_JSON_DEPTH = 950;

/** A request body as FastAPI reads it: empty is MISSING, otherwise Python's json.loads. */
export function parseRequestBody(text: string): Validated<unknown> {
  if (text.length === 0) return { ok: true, value: MISSING };
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new DomainError("bad_request", "There was an error parsing the body");
  return parseJsonBody(text);
}

// Bracket depth outside strings, stopping at the first level past `limit`.
function nestsDeeperThan(s: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < s.length; i++) {
        const d = s.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function parseJsonBody(text: string): Validated<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: loads(text) };
    } catch (err) {
      if (!(err instanceof JsonError)) throw err;
      const issue: ValidationIssue = { type: "json_invalid", loc: ["body", codePointOffset(text, err.at)], msg: "JSON decode error", input: {}, ctx: { error: err.pyMessage } };
      return { ok: false, issues: [issue] };
    }
  }
}

function codePointOffset(s: string, utf16: number): number {
  let n = 0;
  for (let i = 0; i < utf16 && i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < utf16) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function loads(s: string): unknown {
  const len = s.length;
  const ws = (i: number) => {
    while (i < len && isWs(s.charCodeAt(i))) i++;
    return i;
  };

  // Returns [value, next index]; throws "Expecting value" where no value starts.
  function scan(i: number): [unknown, number] {
    if (i >= len) throw new JsonError("Expecting value", i);
    const c = s[i]!;
    if (c === '"') return scanString(i + 1);
    if (c === "{") return parseObject(i + 1);
    if (c === "[") return parseArray(i + 1);
    if (c === "n" && s.startsWith("null", i)) return [null, i + 4];
    if (c === "t" && s.startsWith("true", i)) return [true, i + 4];
    if (c === "f" && s.startsWith("false", i)) return [false, i + 5];
    if (c === "N" && s.startsWith("NaN", i)) return [NaN, i + 3];
    if (c === "I" && s.startsWith("Infinity", i)) return [Infinity, i + 8];
    if (c === "-" && s.startsWith("-Infinity", i)) return [-Infinity, i + 9];
    return scanNumber(i);
  }

  function scanNumber(start: number): [unknown, number] {
    let i = start;
    if (s[i] === "-") i++;
    if (s[i] === "0") i++;
    else if (i < len && s[i]! >= "1" && s[i]! <= "9") while (i < len && isDigit(s.charCodeAt(i))) i++;
    else throw new JsonError("Expecting value", start);
    if (s[i] === "." && isDigit(s.charCodeAt(i + 1))) {
      i += 2;
      while (i < len && isDigit(s.charCodeAt(i))) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      let j = i + 1;
      if (s[j] === "+" || s[j] === "-") j++;
      if (isDigit(s.charCodeAt(j))) {
        while (j < len && isDigit(s.charCodeAt(j))) j++;
        i = j;
      }
    }
    return [Number(s.slice(start, i)), i];
  }

  function scanString(i: number): [string, number] {
    const begin = i - 1;
    let out = "";
    for (;;) {
      let j = i;
      while (j < len) {
        const c = s.charCodeAt(j);
        if (c === 0x22 || c === 0x5c || c < 0x20) break;
        j++;
      }
      if (j >= len) throw new JsonError("Unterminated string starting at", begin);
      out += s.slice(i, j);
      const c = s.charCodeAt(j);
      if (c === 0x22) return [out, j + 1];
      if (c < 0x20) throw new JsonError("Invalid control character at", j);
      // backslash
      j++;
      if (j >= len) throw new JsonError("Unterminated string starting at", begin);
      const e = s[j]!;
      if (e !== "u") {
        const v = ESCAPES[e];
        if (v === undefined) throw new JsonError("Invalid \\escape", j - 1);
        out += v;
        i = j + 1;
        continue;
      }
      let [code, next] = hex4(j + 1);
      if (code >= 0xd800 && code <= 0xdbff && s[next] === "\\" && s[next + 1] === "u") {
        const [low, after] = hex4(next + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          next = after;
        }
      }
      out += String.fromCodePoint(code);
      i = next;
    }
  }

  // Four hex digits at i; Python reports a bad one at the "u" before them.
  function hex4(i: number): [number, number] {
    const digits = s.slice(i, i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw new JsonError("Invalid \\uXXXX escape", i - 1);
    return [Number.parseInt(digits, 16), i + 4];
  }

  function parseObject(i: number): [Record<string, unknown>, number] {
    const obj: Record<string, unknown> = {};
    i = ws(i);
    if (s[i] === "}") return [obj, i + 1];
    for (;;) {
      if (s[i] !== '"') throw new JsonError("Expecting property name enclosed in double quotes", i);
      const [key, afterKey] = scanString(i + 1);
      i = ws(afterKey);
      if (s[i] !== ":") throw new JsonError("Expecting ':' delimiter", i);
      i = ws(i + 1);
      const [value, afterValue] = scan(i);
      obj[key] = value;
      i = ws(afterValue);
      if (s[i] === "}") return [obj, i + 1];
      if (s[i] !== ",") throw new JsonError("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  }

  function parseArray(i: number): [unknown[], number] {
    const arr: unknown[] = [];
    i = ws(i);
    if (s[i] === "]") return [arr, i + 1];
    for (;;) {
      const [value, after] = scan(i);
      arr.push(value);
      i = ws(after);
      if (s[i] === "]") return [arr, i + 1];
      if (s[i] !== ",") throw new JsonError("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  }

  const [value, end] = scan(ws(0));
  const rest = ws(end);
  if (rest !== len) throw new JsonError("Extra data", rest);
  return value;
}
