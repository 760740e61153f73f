// How CPython 3.13 sees the JSON values of a filter: type names, str() and
// repr(), sorted(), and the string grammars of int(), float() and
// decimal.Decimal(). Honcho's filter code (src/utils/filter.py) puts these
// into its error messages and, for metadata `in`/`contains`, into the SQL
// parameters themselves, so they decide both the 422 text and which rows match.
//
// JSON.parse gives one number type, so a JSON `1.0` (a Python float, str()
// "1.0") arrives as 1 and is treated here as the int 1 (str() "1"): integral
// numbers are ints here, all others floats. Where such a number goes into the
// SQL parameters, parse.ts takes Python's text kept beside the body instead
// (src/json/exact-numbers.ts); only the wording of an error message still
// sees the number.
import { floatRepr } from "../../json/float-repr.js";

/** Python's type(v).__name__ for a JSON value. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "dict";
}

/** Python's str(v) (f"{v}") for a JSON value. */
export const pyStr = (v: unknown): string => (typeof v === "string" ? v : pyRepr(v));

/** Python's repr(v) for a JSON value (dict keys in the object's key order). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v);
  if (typeof v === "string") return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .map((k) => `${pyStrRepr(k)}: ${pyRepr(o[k])}`)
    .join(", ")}}`;
}

/**
 * repr() of a float: json.dumps's text (src/json/float-repr.ts: the shortest
 * round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16), but repr's own
 * names for NaN and the infinities.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return floatRepr(x);
}

// Characters str.isprintable() refuses: other (Cc Cf Cs Co Cn) and separators
// (Zl Zp Zs) except the ASCII space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** repr() of a str: single quotes unless it holds ' and no ", escapes as CPython writes them. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += ch;
    else if (!NOT_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** sorted() of strings: by code point (JS's default sort compares UTF-16 units). */
export function pySorted(keys: string[]): string[] {
  return [...keys].sort((a, b) => {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
      if (d !== 0) return d;
    }
    return x.length - y.length;
  });
}

/** repr() of a list of strings, e.g. "['a', 'b']". */
export const pyListRepr = (items: string[]): string => `[${items.map(pyStrRepr).join(", ")}]`;

// str.isspace() (Py_UNICODE_ISSPACE).
const PY_SPACE_CHARS = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
export const isPySpace = (ch: string): boolean => ch.length === 1 && PY_SPACE_CHARS.includes(ch);
const ASCII_SPACE = " \t\n\v\f\r";

/** str.strip(): Python's whitespace off both ends. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s[a]!)) a++;
  while (b > a && isPySpace(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const ND = /\p{Nd}/u;
// the values of the non-ASCII digits met so far (there are a few hundred)
const digitValues = new Map<number, number>();
/** The value of a Unicode decimal digit (Nd): digits come in runs of ten from 0. */
export function decimalDigitValue(ch: string): number | undefined {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp < 0x80) return undefined;
  const known = digitValues.get(cp);
  if (known !== undefined) return known;
  if (!ND.test(ch)) return undefined;
  let start = cp;
  while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start--;
  const value = (cp - start) % 10;
  digitValues.set(cp, value);
  return value;
}

// _PyUnicode_TransformDecimalAndSpaceToASCII, which int() and float() apply
// first: ASCII stays, other whitespace becomes ' ', other decimal digits
// their ASCII digit, anything else a character no grammar accepts.
const NON_ASCII = /[^\x00-\x7f]/u;
const NON_ASCII_ALL = /[^\x00-\x7f]/gu;
// int(v) and then float(v) are tried on the same string: the last result is kept
let lastIn = "";
let lastOut = "";
function toAsciiNumber(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  if (s === lastIn) return lastOut;
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out.push(s[i]!);
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    i += ch.length - 1;
    const d = decimalDigitValue(ch);
    out.push(d !== undefined ? DIGITS[d]! : isPySpace(ch) ? " " : "?");
  }
  lastIn = s;
  lastOut = out.join("");
  return lastOut;
}
const DIGITS = "0123456789";

function stripAscii(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && ASCII_SPACE.includes(s[a]!)) a++;
  while (b > a && ASCII_SPACE.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

// sys.get_int_max_str_digits(): int() refuses longer decimal strings.
const INT_MAX_STR_DIGITS = 4300;
const INT_GRAMMAR = /^[+-]?[0-9](?:_?[0-9])*$/;

/** int(s) for a str, as decimal text without underscores; undefined where Python raises ValueError. */
export function pyIntFromString(s: string): bigint | undefined {
  const t = stripAscii(toAsciiNumber(s));
  if (!INT_GRAMMAR.test(t)) return undefined;
  const clean = t.replaceAll("_", "");
  if (clean.replace(/^[+-]/, "").length > INT_MAX_STR_DIGITS) return undefined;
  return BigInt(clean);
}

const D = "[0-9](?:_?[0-9])*";
const FLOAT_GRAMMAR = new RegExp(`^[+-]?(?:(?:${D}(?:\\.(?:${D})?)?|\\.${D})(?:[eE][+-]?${D})?)$`);
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** float(s) for a str; undefined where Python raises ValueError. */
export function pyFloatFromString(s: string): number | undefined {
  const t = stripAscii(toAsciiNumber(s));
  const special = FLOAT_SPECIAL.exec(t);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!FLOAT_GRAMMAR.test(t)) return undefined;
  // JS's Number() rounds decimal text correctly, as CPython's dtoa does
  return Number(t.replaceAll("_", ""));
}

/** An exact decimal value: sign × digits × 10^exponent, or a special. */
export type PyDecimal =
  | { kind: "finite"; negative: boolean; digits: string; exponent: bigint }
  | { kind: "infinity"; negative: boolean }
  | { kind: "nan" };

// libmpdec's string grammar (after _decimal strips whitespace and drops underscores).
const DECIMAL_GRAMMAR = /^([+-]?)(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/;
const DECIMAL_SPECIAL = /^([+-]?)(?:(inf|infinity)|(s?nan)([0-9]*))$/i;
// mpd's exponent limit for string conversion (MPD_MAX_EMAX+… on 64-bit builds): beyond, InvalidOperation
const DECIMAL_EXP_LIMIT = 999999999999999999n;

/** decimal.Decimal(s) for a str; undefined where Python raises InvalidOperation. */
export function pyDecimalFromString(s: string): PyDecimal | undefined {
  let invalid = false;
  let out = pyStrip(s).replaceAll("_", "");
  if (NON_ASCII.test(out)) {
    out = out.replace(NON_ASCII_ALL, (ch) => {
      const d = decimalDigitValue(ch);
      if (d === undefined) invalid = true;
      return d === undefined ? "?" : String(d);
    });
  }
  if (invalid) return undefined;
  const special = DECIMAL_SPECIAL.exec(out);
  if (special) {
    if (special[2]) return { kind: "infinity", negative: special[1] === "-" };
    return { kind: "nan" };
  }
  const m = DECIMAL_GRAMMAR.exec(out);
  if (!m) return undefined;
  const intPart = m[2] ?? "";
  const frac = m[3] ?? m[4] ?? "";
  const exp = m[5] === undefined ? 0n : BigInt(m[5]);
  const exponent = exp - BigInt(frac.length);
  const digits = (intPart + frac).replace(/^0+(?=.)/, "");
  if (exponent + BigInt(digits.length) - 1n > DECIMAL_EXP_LIMIT || exponent < -DECIMAL_EXP_LIMIT * 2n) return undefined;
  return { kind: "finite", negative: m[1] === "-", digits, exponent };
}

/** The exact decimal value of a finite JS number. */
export function decimalOfNumber(x: number): PyDecimal {
  if (Number.isNaN(x)) return { kind: "nan" };
  if (!Number.isFinite(x)) return { kind: "infinity", negative: x < 0 };
  if (Number.isInteger(x)) {
    const s = BigInt(x).toString();
    return { kind: "finite", negative: s.startsWith("-"), digits: s.replace("-", ""), exponent: 0n };
  }
  // shortest round-trip digits: the value Python's float repr shows
  return pyDecimalFromString(String(x))!;
}
