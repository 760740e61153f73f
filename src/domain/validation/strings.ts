// String facts as Python sees them: lengths in code points, str.strip()'s
// whitespace, and Honcho's NUL stripping.

/** Code points in s, counting no further than `stop` (lone surrogates count one each). */
export function codePoints(s: string, stop = Infinity): number {
  if (s.length <= stop && !/[\ud800-\udbff]/.test(s)) return s.length; // no pairs: one unit each
  let n = 0;
  for (let i = 0; i < s.length && n < stop; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** True when s holds a surrogate that is not half of a pair (not valid Unicode text). */
export const hasLoneSurrogate = (s: string) => LONE_SURROGATE.test(s);

// Python's str.isspace() characters.
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
export const isPythonBlank = (s: string) => PY_SPACE.test(s);

/** Removes NUL from strings, and from the keys and strings of objects and arrays, recursively. */
export function stripNul<T>(v: T): T {
  if (typeof v === "string") return (v.includes("\0") ? v.replaceAll("\0", "") : v) as T;
  if (Array.isArray(v)) return v.map(stripNul) as T;
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[stripNul(k)] = stripNul(val);
    return out as T;
  }
  return v;
}
