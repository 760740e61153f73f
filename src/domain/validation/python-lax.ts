// pydantic 2's lax coercions of a scalar to bool and to int, shared by the
// configuration models and the list routes' query (page, size, reverse): a
// query value arrives as the string sent, a JSON value as what Python's
// json.loads made of it.
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { hasLoneSurrogate } from "./strings.js";

const TRUE = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE = new Set(["0", "f", "false", "n", "no", "off"]);

/** Rust's eq_ignore_ascii_case: only A-Z fold ("İ".toLowerCase() would become "i̇"). */
const asciiLower = (s: string) => (s.length > 5 ? s : s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)));

/**
 * pydantic's lax bool: bools, the strings above (ASCII case-insensitive), and
 * the numbers 0 and 1. Other integral numbers within i64 "cannot be
 * interpreted"; fractions, infinities, NaN and numbers past i64 are no bool at
 * all; a string holding a lone surrogate is not even a string.
 */
export function laxBool(v: unknown, loc: Loc, issues: ValidationIssue[]): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (hasLoneSurrogate(v)) return void issues.push(issue.stringUnicode(loc, v));
    const s = asciiLower(v);
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    return void issues.push(issue.boolParsing(loc, v));
  }
  if (typeof v === "number") {
    if (v === 0 || v === 1) return v === 1;
    if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return void issues.push(issue.boolParsing(loc, v));
  }
  return void issues.push(issue.boolType(loc, v));
}

// Rust's str::trim: Unicode White_Space (not Python's \x1c-\x1f, not U+FEFF).
const RUST_SPACE = /^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
// pydantic's int from a string: a sign, ASCII digits with single underscores
// between them, and an optional fraction of zeros ("20.000"; "20." is refused).
const INT_STRING = /^([+-]?)(\d+(?:_\d+)*)(?:\.0+)?$/;
// Python's int() limit on decimal digits (pydantic answers int_parsing_size past it).
const MAX_INT_DIGITS = 4300;

/**
 * pydantic's lax int: integral numbers (JSON.parse has one number type, so a
 * JSON 20.0 and 20 are alike here, as pydantic accepts both), booleans (0/1),
 * and the strings above. A number at or past 2^63 is refused as pydantic
 * refuses such a float (int_parsing_size); a JSON integer literal that large
 * would be a Python int, but no configuration value means that.
 */
export function laxInt(v: unknown, loc: Loc, issues: ValidationIssue[]): number | undefined {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return void issues.push({ type: "finite_number", loc, msg: "Input should be a finite number", input: v });
    if (!Number.isInteger(v)) return void issues.push({ type: "int_from_float", loc, msg: "Input should be a valid integer, got a number with a fractional part", input: v });
    if (Math.abs(v) >= 2 ** 63) return void issues.push(intParsingSize(loc, v));
    return v;
  }
  if (typeof v === "string") {
    if (hasLoneSurrogate(v)) return void issues.push(issue.stringUnicode(loc, v));
    const m = INT_STRING.exec(v.replace(RUST_SPACE, ""));
    if (!m) return void issues.push({ type: "int_parsing", loc, msg: "Input should be a valid integer, unable to parse string as an integer", input: v });
    const digits = m[2]!.replaceAll("_", "").replace(/^0+(?=\d)/, "");
    if (m[1]!.length + digits.length > MAX_INT_DIGITS) return void issues.push(intParsingSize(loc, v));
    return Number(BigInt(m[1] === "-" ? `-${digits}` : digits));
  }
  return void issues.push({ type: "int_type", loc, msg: "Input should be a valid integer", input: v });
}

const intParsingSize = (loc: Loc, input: unknown): ValidationIssue => ({
  type: "int_parsing_size",
  loc,
  msg: "Unable to parse input string as an integer, exceeded maximum size",
  input,
});
