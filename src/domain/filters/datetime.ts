// The datetime strings Honcho's filters accept on created_at, parsed as
// Honcho parses them (src/utils/filter.py _validate_datetime_string):
// str.strip(), then parse_datetime_iso (src/utils/formatting.py: refuses NUL,
// CR, LF and other control characters, strips again, turns a trailing Z/z
// into +00:00, then CPython 3.13's C datetime.fromisoformat; naive → UTC),
// then five datetime.strptime formats (naive → UTC). The result is the
// instant in microseconds since the Unix epoch.
import { decimalDigitValue, isPySpace, pyStrip } from "./python.js";

const MICROS_PER_DAY = 86_400_000_000n;

/** The instant a filter datetime string names, or undefined where Honcho says "Invalid datetime value". */
export function parseFilterDatetime(value: string): bigint | undefined {
  const stripped = pyStrip(value);
  return parseDatetimeIso(stripped) ?? strptimeFallback(stripped);
}

// ---------------------------------------------------------------------------
// parse_datetime_iso

function parseDatetimeIso(s: string): bigint | undefined {
  if (!s) return undefined;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 32 && ch !== "\t") return undefined; // NUL, CR, LF and the other controls
  }
  let t = pyStrip(s);
  if (!t) return undefined;
  if (t.endsWith("Z") || t.endsWith("z")) t = t.slice(0, -1) + "+00:00";
  const parsed = fromIsoFormat(t);
  if (!parsed) return undefined;
  return toMicros(parsed);
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  /** offset east of UTC in microseconds; undefined = naive (taken as UTC) */
  offset?: bigint;
}

// ---------------------------------------------------------------------------
// datetime.fromisoformat, after CPython's C implementation
// (Modules/_datetimemodule.c), which works on the string's UTF-8 bytes.

function fromIsoFormat(input: string): Fields | undefined {
  // the first 11 code points, with their UTF-16 offsets (the string may be long)
  const head: { ch: string; at: number }[] = [];
  for (let at = 0; at < input.length && head.length < 11; ) {
    const ch = String.fromCodePoint(input.codePointAt(at)!);
    head.push({ ch, at });
    at += ch.length;
  }
  if (head.length < 7) return undefined;
  // _sanitize_isoformat_str: a surrogate at code point 7, 8 or 10 (the only
  // places a separator can be) becomes 'T'
  let str = input;
  for (const pos of [7, 8, 10]) {
    const c = head[pos];
    if (c === undefined) break;
    if (/^[\ud800-\udfff]$/.test(c.ch)) {
      str = input.slice(0, c.at) + "T" + input.slice(c.at + 1);
      break;
    }
  }
  // Any remaining lone surrogate cannot be encoded as UTF-8: invalid
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(str)) return undefined;
  const bytes = new TextEncoder().encode(str);
  const b = new Uint8Array(bytes.length + 1); // NUL-terminated, as the C code reads one past
  b.set(bytes);
  const len = bytes.length;

  const sep = findSeparator(b, len);
  if (sep === undefined) return undefined;
  const date = parseIsoDate(b, sep);
  if (!date) return undefined;
  const f: Fields = { ...date, hour: 0, minute: 0, second: 0, micro: 0 };
  if (len > sep) {
    // the separator is one character, whatever its UTF-8 length
    const lead = b[sep]!;
    const width = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    const t = parseIsoTime(b, sep + width, len);
    if (!t) return undefined;
    Object.assign(f, t);
  }
  return validFields(f) ? f : undefined;
}

const isDigitByte = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

function findSeparator(b: Uint8Array, len: number): number | undefined {
  // _find_isoformat_datetime_separator
  if (len === 7) return 7;
  const DASH = 0x2d;
  const W = 0x57;
  if (b[4] === DASH) {
    if (b[5] === W) {
      if (len < 8) return undefined;
      if (len > 8 && b[8] === DASH) {
        if (len === 9) return undefined;
        if (len > 10 && isDigitByte(b[10])) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (b[4] === W) {
    let idx = 7;
    while (idx < len) {
      if (!isDigitByte(b[idx])) break;
      idx++;
    }
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

/** parse_digits: n ASCII digits at p, or undefined. */
function digits(b: Uint8Array, p: number, n: number): number | undefined {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[p + i];
    if (c === undefined || c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function parseIsoDate(b: Uint8Array, len: number): { year: number; month: number; day: number } | undefined {
  let p = 0;
  const year = digits(b, p, 4);
  if (year === undefined) return undefined;
  p += 4;
  const usesSep = b[p] === 0x2d;
  if (usesSep) p++;
  if (b[p] === 0x57 /* W */) {
    p++;
    const week = digits(b, p, 2);
    if (week === undefined) return undefined;
    p += 2;
    let day = 1;
    if (p < len) {
      if (usesSep && b[p++] !== 0x2d) return undefined;
      const d = digits(b, p, 1);
      if (d === undefined) return undefined;
      day = d;
    }
    return isoWeekToGregorian(year, week, day);
  }
  const month = digits(b, p, 2);
  if (month === undefined) return undefined;
  p += 2;
  if (usesSep && b[p++] !== 0x2d) return undefined;
  const day = digits(b, p, 2);
  if (day === undefined) return undefined;
  return { year, month, day };
}

interface HmsResult {
  rv: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
}

/** parse_hh_mm_ss_ff over b[p, end); rv < 0 error, 1 = not at the end of the string. */
function parseHms(b: Uint8Array, start: number, end: number): HmsResult {
  const vals = [0, 0, 0];
  let micro = 0;
  let p = start;
  let hasSep = true;
  for (let i = 0; i < 3; i++) {
    const v = digits(b, p, 2);
    if (v === undefined) return { rv: -3, hour: 0, minute: 0, second: 0, micro: 0 };
    vals[i] = v;
    p += 2;
    const c = b[p++] ?? 0;
    if (i === 0) hasSep = c === 0x3a;
    if (p >= end) return { rv: c !== 0 ? 1 : 0, hour: vals[0]!, minute: vals[1]!, second: vals[2]!, micro };
    if (hasSep && c === 0x3a) continue;
    if (c === 0x2e || c === 0x2c) break; // a fraction, even of the hour or minute (3.13 takes "10.5" as 10:00:00.5)
    if (!hasSep) p--;
    else return { rv: -4, hour: 0, minute: 0, second: 0, micro: 0 };
  }
  const remains = end - p;
  const toParse = Math.min(remains, 6);
  const m = digits(b, p, toParse);
  if (m === undefined) return { rv: -3, hour: 0, minute: 0, second: 0, micro: 0 };
  micro = toParse < 6 ? m * [100000, 10000, 1000, 100, 10][toParse - 1]! : m;
  p += toParse;
  while (isDigitByte(b[p])) p++;
  return { rv: (b[p] ?? 0) !== 0 ? 1 : 0, hour: vals[0]!, minute: vals[1]!, second: vals[2]!, micro };
}

function parseIsoTime(b: Uint8Array, start: number, len: number): Partial<Fields> | undefined {
  const end = len;
  let tz = start;
  do {
    const c = b[tz];
    if (c === 0x5a /* Z */ || c === 0x2b /* + */ || c === 0x2d /* - */) break;
  } while (++tz < end);
  const t = parseHms(b, start, tz);
  if (t.rv < 0) return undefined;
  const fields: Partial<Fields> = { hour: t.hour, minute: t.minute, second: t.second, micro: t.micro };
  if (tz === end) return t.rv === 1 ? undefined : fields;
  if (b[tz] === 0x5a) {
    if ((b[tz + 1] ?? 0) !== 0) return undefined;
    return { ...fields, offset: 0n };
  }
  const sign = b[tz] === 0x2d ? -1n : 1n;
  const z = parseHms(b, tz + 1, end);
  if (z.rv !== 0) return undefined;
  const seconds = BigInt(z.hour * 3600 + z.minute * 60 + z.second);
  const offset = sign * (seconds * 1_000_000n + BigInt(z.micro));
  // timezone() takes offsets strictly inside ±24 h
  if (offset <= -MICROS_PER_DAY || offset >= MICROS_PER_DAY) return undefined;
  return { ...fields, offset };
}

// ---------------------------------------------------------------------------
// datetime.strptime with Honcho's five fallback formats (naive → UTC)

// _strptime's TimeRE pieces; \d is any Unicode decimal digit, matching is
// case-insensitive, and a space in the format is \s+ (Python's whitespace).
const DIGIT = "\\p{Nd}";
const SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
const RE = {
  Y: `(?<Y>${DIGIT}${DIGIT}${DIGIT}${DIGIT})`,
  m: "(?<m>1[0-2]|0[1-9]|[1-9])",
  d: `(?<d>3[0-1]|[1-2]${DIGIT}|0[1-9]|[1-9]| [1-9])`,
  H: `(?<H>2[0-3]|[0-1]${DIGIT}|${DIGIT})`,
  M: `(?<M>[0-5]${DIGIT}|${DIGIT})`,
  S: `(?<S>6[0-1]|[0-5]${DIGIT}|${DIGIT})`,
  f: "(?<f>[0-9]{1,6})",
};
const date = `${RE.Y}-${RE.m}-${RE.d}`;
const time = `${RE.H}:${RE.M}:${RE.S}`;
const FORMATS = [`${date}T${time}`, `${date}T${time}\\.${RE.f}`, `${date}${SPACE}${time}`, `${date}${SPACE}${time}\\.${RE.f}`, date].map(
  (p) => new RegExp(`^(?:${p})`, "iu"),
);

function strptimeFallback(s: string): bigint | undefined {
  for (const re of FORMATS) {
    const m = re.exec(s);
    if (!m || m[0].length !== s.length) continue; // no match, or "unconverted data remains"
    const g = m.groups!;
    const num = (x: string | undefined) => (x === undefined ? 0 : pyDigits(x));
    const f: Fields = {
      year: num(g.Y),
      month: num(g.m),
      day: num(g.d?.trim()),
      hour: num(g.H),
      minute: num(g.M),
      second: num(g.S),
      micro: g.f === undefined ? 0 : Number(g.f.padEnd(6, "0")),
    };
    if (validFields(f)) return toMicros(f);
  }
  return undefined;
}

/** int() of a run of (Unicode) decimal digits. */
function pyDigits(s: string): number {
  let v = 0;
  for (const ch of s) v = v * 10 + (isPySpace(ch) ? 0 : decimalDigitValue(ch)!);
  return v;
}

// ---------------------------------------------------------------------------
// calendar

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** datetime()'s own range checks. */
function validFields(f: Fields): boolean {
  return (
    f.year >= 1 && f.year <= 9999 && f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 && f.minute <= 59 && f.second <= 59 && f.micro <= 999_999
  );
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function isoWeekToGregorian(year: number, week: number, day: number): { year: number; month: number; day: number } | undefined {
  if (year < 1 || year > 9999) return undefined;
  if (week < 1 || week > 52) {
    let ok = false;
    if (week === 53) {
      // ISO years have 53 weeks when they start on a Thursday, or on a Wednesday in a leap year
      const firstWeekday = (((daysFromCivil(year, 1, 1) + 3) % 7) + 7) % 7; // 0 = Monday
      ok = firstWeekday === 3 || (firstWeekday === 2 && isLeap(year));
    }
    if (!ok) return undefined;
  }
  if (day < 1 || day > 7) return undefined;
  const jan4 = daysFromCivil(year, 1, 4);
  const jan4Weekday = (((jan4 + 3) % 7) + 7) % 7;
  const week1Monday = jan4 - jan4Weekday;
  const out = civilFromDays(week1Monday + (week - 1) * 7 + (day - 1));
  if (out.year < 1 || out.year > 9999) return undefined;
  return out;
}

function toMicros(f: Fields): bigint {
  const days = BigInt(daysFromCivil(f.year, f.month, f.day));
  const local = days * MICROS_PER_DAY + BigInt(((f.hour * 60 + f.minute) * 60 + f.second) * 1_000_000 + f.micro);
  return local - (f.offset ?? 0n);
}

/** An instant as text PostgreSQL's timestamptz input reads in any DateStyle (years 0…10000 included). */
export function microsToPgTimestamp(micros: bigint): string {
  const days = micros >= 0n ? micros / MICROS_PER_DAY : -((-micros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const rest = micros - days * MICROS_PER_DAY;
  const { year, month, day } = civilFromDays(Number(days));
  const us = Number(rest);
  const h = Math.floor(us / 3_600_000_000);
  const mi = Math.floor(us / 60_000_000) % 60;
  const s = Math.floor(us / 1_000_000) % 60;
  const frac = us % 1_000_000;
  const bc = year <= 0;
  const y = bc ? 1 - year : year;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(y, 4)}-${p(month)}-${p(day)} ${p(h)}:${p(mi)}:${p(s)}.${p(frac, 6)}+00${bc ? " BC" : ""}`;
}
