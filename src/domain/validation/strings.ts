// String facts as Python sees them: lengths in code points, str.strip()'s
// whitespace, and Honcho's NUL stripping.
import { copyExactNumbers, setOwn } from "../../json/exact-numbers.js";

/** True when s holds more than `max` code points (Python's len), counting only where UTF-16 length leaves doubt. */
export function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false; // code points ≤ UTF-16 units
  if (s.length > 2 * max) return true; // each code point is at most two units
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    if (n === max) return true;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return false;
}

// String.prototype.isWellFormed (Node 20+) scans natively; the regex is the fallback.
const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** True when s holds a surrogate that is not half of a pair (not valid Unicode text; pydantic's constrained str refuses it). */
export const hasLoneSurrogate = (s: string): boolean => (isWellFormed ? !isWellFormed.call(s) : LONE_SURROGATE.test(s));

// Python's str.isspace() characters.
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
export const isPythonBlank = (s: string) => PY_SPACE.test(s);

/**
 * Removes NUL from strings, and from the keys and strings of objects and
 * arrays, recursively (Honcho's _sanitize_value). Values without NUL come
 * back as they are, so the common case allocates nothing.
 */
export function stripNul<T>(v: T): T {
  if (typeof v === "string") return (v.includes("\0") ? v.replaceAll("\0", "") : v) as T;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = stripNul(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    if (out) copyExactNumbers(v, out);
    return (out ?? v) as T;
  }
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v);
    const vals = keys.map((k) => stripNul((v as Record<string, unknown>)[k]));
    if (keys.every((k, i) => !k.includes("\0") && vals[i] === (v as Record<string, unknown>)[k])) return v;
    // later keys win when two become equal, as in Python's dict comprehension
    const out: Record<string, unknown> = {};
    keys.forEach((k, i) => setOwn(out, stripNul(k), vals[i]));
    copyExactNumbers(v, out, (k) => stripNul(k as string));
    return out as T;
  }
  return v;
}

/**
 * What JSON output cannot carry in a value, walking it whole: "text" where a
 * string or key fails `badText`, "number" where a number is NaN or ±Infinity
 * (JSON has no such token); undefined when neither. storable.ts (what
 * PostgreSQL's jsonb holds) and issues.ts (what FastAPI can render) ask it.
 */
export function jsonFault(v: unknown, badText: (s: string) => boolean): "text" | "number" | undefined {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === "string") {
      if (badText(x)) return "text";
    } else if (typeof x === "number") {
      if (!Number.isFinite(x)) return "number";
    } else if (Array.isArray(x)) stack.push(...x);
    else if (typeof x === "object" && x !== null) {
      for (const [k, y] of Object.entries(x)) {
        if (badText(k)) return "text";
        stack.push(y);
      }
    }
  }
  return undefined;
}
