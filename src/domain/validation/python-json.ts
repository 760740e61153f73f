// FastAPI reads a JSON body with Starlette's request.json(), i.e. Python's
// json.loads on the body's bytes. Valid JSON takes the fast path
// (JSON.parse); otherwise a port of CPython 3.11's _json.c scanner finds the
// error Python reports: its message and its offset in code points. The port
// also accepts what Python accepts and JSON.parse does not (NaN, Infinity,
// -Infinity). Failures that are not a JSONDecodeError (RecursionError,
// int() over 4300 digits, undecodable UTF-16/32) are FastAPI's 400.
import { DomainError } from "../errors.js";
import { decodeJsonBytes, decodeLikePython } from "./python-bytes.js";
import { keepExactNumbers, mayHoldExactNumbers, setOwn } from "../../json/exact-numbers.js";
import { issue, MISSING, type ValidationIssue } from "./issues.js";

class JsonError extends Error {
  constructor(
    readonly pyMessage: string,
    readonly at: number,
  ) {
    super(pyMessage);
  }
}

// Python's json.loads raises RecursionError near 1000 levels of nesting (the
// interpreter's recursion limit less the frames the server already uses:
// 958 levels still parse under a bare FastAPI app on uvicorn; Honcho's
// middleware uses a few more), and FastAPI answers 400.
export const MAX_JSON_DEPTH = 950;
// int() refuses decimal strings of more than 4300 digits (ValueError → 400).
const MAX_INT_DIGITS = 4300;

const unparsable = () => new DomainError("bad_request", "There was an error parsing the body");

/** A request body as FastAPI reads it: empty is MISSING (the `missing` issue comes with the path's issues). */
export function parseRequestBody(text: string): ParsedJson {
  if (text.length === 0) return { ok: true, value: MISSING };
  return parseJsonBody(text);
}

/**
 * Python's json.loads on a body (text decoded from UTF-8, one BOM removed).
 * Empty → the `missing` issue; invalid JSON → `json_invalid` at Python's
 * offset; throws DomainError("bad_request") where FastAPI answers 400.
 */
export function parseJsonBody(text: string): ParsedJson {
  if (text.length === 0) return { ok: false, issues: [issue.missing(["body"], null)] };
  const s = decodeLikePython(text);
  if (s === undefined) throw unparsable();
  return parseDecoded(s);
}

/**
 * Starlette's request.json() on a request's bytes, i.e. Python's
 * json.loads(bytes): the encoding guessed from the bytes (any charset
 * parameter is ignored), then the same parse; invalid JSON → `json_invalid`
 * at Python's offset; throws DomainError("bad_request") where FastAPI answers 400.
 */
export function parseJsonBytes(bytes: Uint8Array): ParsedJson {
  const s = decodeJsonBytes(bytes);
  if (s === undefined) throw unparsable();
  return parseDecoded(s);
}

function parseDecoded(s: string): ParsedJson {
  let fast: unknown;
  try {
    fast = JSON.parse(s);
  } catch {
    return slowPath(s);
  }
  const check = inspect(fast);
  if (check === "deep") throw unparsable();
  // ±Infinity came from a huge literal: an int of more than 4300 digits is a 400
  return check === "infinite" ? slowPath(s) : withExactNumbers(s, fast);
}

/** A parsed body, and Python's text for the body itself when it is a number JavaScript writes otherwise. */
export type ParsedJson = { ok: true; value: unknown; exactRoot?: string } | { ok: false; issues: ValidationIssue[] };

// Python's text kept for the numbers JavaScript would write otherwise (exact-numbers.ts)
function withExactNumbers(s: string, value: unknown): ParsedJson {
  if (!mayHoldExactNumbers(s)) return { ok: true, value };
  const exactRoot = keepExactNumbers(s, value);
  return exactRoot === undefined ? { ok: true, value } : { ok: true, value, exactRoot };
}

function slowPath(s: string): ParsedJson {
  try {
    return withExactNumbers(s, loads(s));
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    const found: ValidationIssue = {
      type: "json_invalid",
      loc: ["body", codePointOffset(s, err.at)],
      msg: "JSON decode error",
      input: {},
      ctx: { error: err.pyMessage },
    };
    return { ok: false, issues: [found] };
  }
}

// One iterative walk over a parsed value: too deep for Python, or holding ±Infinity.
function inspect(root: unknown): "deep" | "infinite" | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  let infinite = false;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "number") infinite ||= !Number.isFinite(v);
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > MAX_JSON_DEPTH) return "deep";
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === "object" || typeof child === "number") stack.push([child, depth + 1]);
  }
  return infinite ? "infinite" : undefined;
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

function hexAt(s: string, i: number): number {
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const c = s.charCodeAt(k);
    const d = isDigit(c) ? c - 48 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function loads(s: string): unknown {
  const len = s.length;
  const ws = (i: number) => {
    while (i < len && isWs(s.charCodeAt(i))) i++;
    return i;
  };

  // scan_once: [value, next index]; "Expecting value" where no value starts.
  function scan(i: number, depth: number): [unknown, number] {
    if (i >= len) throw new JsonError("Expecting value", i);
    const c = s[i]!;
    if (c === '"') return scanString(i + 1);
    if (c === "{" || c === "[") {
      if (depth + 1 > MAX_JSON_DEPTH) throw unparsable(); // RecursionError
      return c === "{" ? parseObject(i + 1, depth + 1) : parseArray(i + 1, depth + 1);
    }
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
    const digitsStart = i;
    if (s[i] === "0") i++;
    else if (i < len && s[i]! >= "1" && s[i]! <= "9") while (i < len && isDigit(s.charCodeAt(i))) i++;
    else throw new JsonError("Expecting value", start);
    const intDigits = i - digitsStart;
    let isFloat = false;
    if (s[i] === "." && isDigit(s.charCodeAt(i + 1))) {
      isFloat = true;
      i += 2;
      while (i < len && isDigit(s.charCodeAt(i))) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      let j = i + 1;
      if (s[j] === "+" || s[j] === "-") j++;
      if (isDigit(s.charCodeAt(j))) {
        while (j < len && isDigit(s.charCodeAt(j))) j++;
        isFloat = true;
        i = j;
      }
    }
    if (!isFloat && intDigits > MAX_INT_DIGITS) throw unparsable();
    return [Number(s.slice(start, i)), i];
  }

  // scanstring_unicode (strict): escapes, "\uXXXX" with surrogate pairs, no raw control characters.
  function scanString(i: number): [string, number] {
    const begin = i - 1;
    let out = "";
    for (;;) {
      let j = i;
      let c = 0;
      for (; j < len; j++) {
        c = s.charCodeAt(j);
        if (c === 0x22 || c === 0x5c) break;
        if (c < 0x20) throw new JsonError("Invalid control character at", j);
      }
      if (j >= len) throw new JsonError("Unterminated string starting at", begin);
      out += s.slice(i, j);
      if (c === 0x22) return [out, j + 1];
      j++; // past the backslash
      if (j === len) throw new JsonError("Unterminated string starting at", begin);
      const e = s[j]!;
      if (e !== "u") {
        const v = ESCAPES[e];
        if (v === undefined) throw new JsonError("Invalid \\escape", j - 1);
        out += v;
        i = j + 1;
        continue;
      }
      // Python wants a character after the four digits (the closing quote at least)
      let end = j + 1 + 4;
      if (end >= len) throw new JsonError("Invalid \\uXXXX escape", j);
      let code = hexAt(s, j + 1);
      if (code < 0) throw new JsonError("Invalid \\uXXXX escape", j);
      if (code >= 0xd800 && code <= 0xdbff && end + 6 < len && s[end] === "\\" && s[end + 1] === "u") {
        const low = hexAt(s, end + 2);
        if (low < 0) throw new JsonError("Invalid \\uXXXX escape", end + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          end += 6;
        }
      }
      out += String.fromCodePoint(code);
      i = end;
    }
  }

  function parseObject(i: number, depth: number): [Record<string, unknown>, number] {
    const obj: Record<string, unknown> = {};
    i = ws(i);
    if (s[i] === "}") return [obj, i + 1];
    for (;;) {
      if (s[i] !== '"') throw new JsonError("Expecting property name enclosed in double quotes", i);
      const [key, afterKey] = scanString(i + 1);
      i = ws(afterKey);
      if (s[i] !== ":") throw new JsonError("Expecting ':' delimiter", i);
      const [value, afterValue] = scan(ws(i + 1), depth);
      setOwn(obj, key, value); // "__proto__" too, as in Python's dict
      i = ws(afterValue);
      if (s[i] === "}") return [obj, i + 1];
      if (s[i] !== ",") throw new JsonError("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  }

  function parseArray(i: number, depth: number): [unknown[], number] {
    const arr: unknown[] = [];
    i = ws(i);
    if (s[i] === "]") return [arr, i + 1];
    for (;;) {
      const [value, after] = scan(i, depth);
      arr.push(value);
      i = ws(after);
      if (s[i] === "]") return [arr, i + 1];
      if (s[i] !== ",") throw new JsonError("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  }

  const [value, end] = scan(ws(0), 0);
  const rest = ws(end);
  if (rest !== len) throw new JsonError("Extra data", rest);
  return value;
}
