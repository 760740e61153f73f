// A port of speedate 0.17 (the parser pydantic-core 2.46 uses for datetime
// fields), limited to what pydantic's lax datetime validation calls:
// DateTime::parse_bytes_with_config, DateTime::from_float_with_config,
// DateTime::from_timestamp_with_config and Date::parse_bytes_with_config,
// with TimestampUnit::Infer and microseconds precision "truncate".
// Integer arithmetic is i64 as in Rust (BigInt, wrapping where Rust wraps);
// errors are speedate's messages (its ParseError docs, which pydantic shows).

/** The instant parsed, in microseconds since the epoch (naive times as UTC); year0: Python cannot build it. */
export interface Instant {
  micros: bigint;
  year0: boolean;
  /** the UTC offset it was written with, in seconds (timestamps: 0); null: naive */
  offset: number | null;
}
export type Parsed = Instant | { error: string };

const E = {
  tooShort: "input is too short",
  extra: "unexpected extra characters at the end of the input",
  dateSep: "invalid date separator, expected `-`",
  notExact: "Timestamp is not an exact date",
  year: "invalid character in year",
  month: "invalid character in month",
  day: "invalid character in day",
  monthRange: "month value is outside expected range of 1-12",
  dayRange: "day value is outside expected range",
  tooSmall: "dates before 0000 are not supported as unix timestamps",
  tooLarge: "dates after 9999 are not supported as unix timestamps",
  timeTooLarge: "numeric times may not exceed 86,399 seconds",
} as const;

const MS_WATERSHED = 20_000_000_000n;
const UNIX_9999 = 253_402_300_799n;
const UNIX_0000 = -62_167_219_200n;
const UNIX_0001 = -62_135_596_800n; // 0001-01-01T00:00:00Z: earlier instants are in year 0
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U32_MAX = 0xffff_ffff;

const isDigit = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x39;

interface YMD {
  year: number;
  month: number;
  day: number;
}

// Date::parse_bytes_partial: YYYY-MM-DD at the start of the input.
function datePrefix(b: Uint8Array): YMD | string {
  if (b.length < 10) return E.tooShort;
  for (let i = 0; i < 4; i++) if (!isDigit(b[i])) return E.year;
  if (b[4] !== 0x2d) return E.dateSep;
  if (!isDigit(b[5]) || !isDigit(b[6])) return E.month;
  if (b[7] !== 0x2d) return E.dateSep;
  if (!isDigit(b[8]) || !isDigit(b[9])) return E.day;
  const year = (b[0]! - 48) * 1000 + (b[1]! - 48) * 100 + (b[2]! - 48) * 10 + (b[3]! - 48);
  const month = (b[5]! - 48) * 10 + (b[6]! - 48);
  const day = (b[8]! - 48) * 10 + (b[9]! - 48);
  let maxDays: number;
  if ([1, 3, 5, 7, 8, 10, 12].includes(month)) maxDays = 31;
  else if ([4, 6, 9, 11].includes(month)) maxDays = 30;
  else if (month === 2) maxDays = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  else return E.monthRange;
  if (day < 1 || day > maxDays) return E.dayRange;
  return { year, month, day };
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

const localMicros = (d: YMD, secondOfDay: number, micro: number): bigint =>
  (BigInt(daysFromCivil(d.year, d.month, d.day)) * 86_400n + BigInt(secondOfDay)) * 1_000_000n + BigInt(micro);

/** i64 parsing as speedate's int_parse_bytes_internal: wrapping arithmetic, stops where the value turns negative. */
function intParse(b: Uint8Array): { int: bigint } | { stop: number | null } {
  if (b.length === 0) return { stop: null };
  let neg = false;
  let i = 0;
  if (b.length >= 2 && (b[0] === 0x2d || b[0] === 0x2b)) {
    neg = b[0] === 0x2d;
    i = 1;
  }
  if (!isDigit(b[i])) return { stop: b[i]! };
  let v = BigInt(b[i]! - 48);
  for (i++; i < b.length; i++) {
    const c = b[i]!;
    if (!isDigit(c)) return { stop: c };
    v = BigInt.asIntN(64, BigInt.asIntN(64, v * 10n) + BigInt(c - 48));
    if (v < 0n) return { stop: c };
  }
  return { int: neg ? -v : v };
}

// lexical's STANDARD float grammar: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
function floatParse(b: Uint8Array): number | undefined {
  let i = b[0] === 0x2b || b[0] === 0x2d ? 1 : 0;
  const intStart = i;
  while (isDigit(b[i])) i++;
  let mantissa = i - intStart;
  if (b[i] === 0x2e) {
    const fracStart = ++i;
    while (isDigit(b[i])) i++;
    mantissa += i - fracStart;
  }
  if (mantissa === 0) return undefined;
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    const expStart = i;
    while (isDigit(b[i])) i++;
    if (i === expStart) return undefined;
  }
  return i === b.length ? Number(Buffer.from(b).toString("latin1")) : undefined;
}

const f64ToI64 = (x: number): bigint => (Number.isNaN(x) ? 0n : x >= 2 ** 63 ? I64_MAX : x <= -(2 ** 63) ? I64_MIN : BigInt(Math.trunc(x)));
const f64ToU32 = (x: number): number => (Number.isNaN(x) || x <= 0 ? 0 : x >= U32_MAX ? U32_MAX : Math.trunc(x));

/** timestamp_watershed: beyond ±2e10 the number is milliseconds. */
function watershed(ts: bigint): [bigint, number] | string {
  if (ts === I64_MIN) return E.tooSmall; // checked_abs overflows
  if ((ts < 0n ? -ts : ts) <= MS_WATERSHED) return [ts, 0];
  let seconds = ts / 1000n;
  let micro = Number(ts % 1000n) * 1000;
  if (micro < 0) {
    seconds -= 1n;
    micro += 1_000_000;
  }
  return [seconds, micro];
}

function rangeCheck(second: bigint): string | undefined {
  if (second < UNIX_0000) return E.tooSmall;
  if (second > UNIX_9999) return E.tooLarge;
  return undefined;
}

/** DateTime::from_timestamp_with_config (aware, UTC). */
export function fromTimestamp(ts: bigint, microsecond: number): Parsed {
  const w = watershed(ts);
  if (typeof w === "string") return { error: w };
  let [second, total] = w;
  total += microsecond;
  if (total > U32_MAX) return { error: E.timeTooLarge };
  if (total >= 1_000_000) {
    second += BigInt(Math.floor(total / 1_000_000));
    total %= 1_000_000;
  }
  const bad = rangeCheck(second);
  if (bad) return { error: bad };
  return { micros: second * 1_000_000n + BigInt(total), year0: second < UNIX_0001, offset: 0 };
}

/** DateTime::from_float_with_config: a JSON number (Python float or int). NaN is refused by the caller. */
export function fromFloat(t: number): Parsed {
  const fract = Math.abs(t % 1); // NaN for ±Infinity, as Rust's fract()
  const micro = Math.abs(t) <= 2e10 ? fract * 1e6 : fract * 1e3;
  return fromTimestamp(f64ToI64(Math.floor(t)), f64ToU32(Math.round(micro)));
}

// Time::parse_bytes_offset from index 11; seconds of the day, microseconds and the offset in seconds (null: naive).
function timePart(b: Uint8Array): { second: number; micro: number; offset: number | null } | undefined {
  const o = 11;
  if (b.length - o < 5) return undefined;
  if (!isDigit(b[o]) || !isDigit(b[o + 1]) || b[o + 2] !== 0x3a || !isDigit(b[o + 3]) || !isDigit(b[o + 4])) return undefined;
  const hour = (b[o]! - 48) * 10 + (b[o + 1]! - 48);
  const minute = (b[o + 3]! - 48) * 10 + (b[o + 4]! - 48);
  if (hour > 23 || minute > 59) return undefined;
  let length = 5;
  let second = 0;
  let micro = 0;
  if (b[o + 5] === 0x3a) {
    if (!isDigit(b[o + 6]) || !isDigit(b[o + 7])) return undefined;
    second = (b[o + 6]! - 48) * 10 + (b[o + 7]! - 48);
    if (second > 59) return undefined;
    length = 8;
    if (b[o + 8] === 0x2e || b[o + 8] === 0x2c) {
      length = 9;
      let i = 0;
      while (isDigit(b[o + length + i])) {
        if (i < 6) micro = micro * 10 + (b[o + length + i]! - 48);
        i++; // digits past the sixth are truncated
      }
      if (i === 0) return undefined;
      if (i < 6) micro *= 10 ** (6 - i);
      length += i;
    }
  }
  let p = o + length;
  let offset: number | null = null;
  if (p < b.length) {
    const c = b[p++]!;
    if (c === 0x5a || c === 0x7a) offset = 0;
    else {
      let sign: number;
      if (c === 0x2b) sign = 1;
      else if (c === 0x2d) sign = -1;
      else if (c === 0xe2 && b[p] === 0x88 && b[p + 1] === 0x92) {
        sign = -1; // U+2212 MINUS SIGN, allowed by ISO 8601
        p += 2;
      } else return undefined;
      if (!isDigit(b[p]) || !isDigit(b[p + 1])) return undefined;
      const h = (b[p]! - 48) * 10 + (b[p + 1]! - 48);
      let m1: number;
      if (b[p + 2] === 0x3a) {
        p += 3;
        if (!isDigit(b[p])) return undefined;
        m1 = b[p]! - 48;
      } else if (isDigit(b[p + 2])) {
        p += 2;
        m1 = b[p]! - 48;
      } else return undefined;
      if (!isDigit(b[p + 1])) return undefined;
      const minutes = m1 * 10 + (b[p + 1]! - 48);
      if (minutes >= 60) return undefined;
      offset = sign * (h * 3600 + minutes * 60);
      if (Math.abs(offset) >= 86_400) return undefined;
      p += 2;
    }
  }
  if (b.length > p) return undefined;
  return { second: hour * 3600 + minute * 60 + second, micro, offset };
}

/**
 * DateTime::parse_bytes_with_config: RFC 3339-like text, else a unix timestamp.
 * Only success matters to pydantic (on failure it reports the date parser's
 * error), so failures carry no message here.
 */
export function parseDateTimeText(b: Uint8Array): Instant | undefined {
  const date = datePrefix(b);
  if (typeof date !== "string") {
    const sep = b[10];
    if (sep === 0x54 || sep === 0x74 || sep === 0x20 || sep === 0x5f) {
      const t = timePart(b);
      if (t) return { micros: localMicros(date, t.second, t.micro) - BigInt(t.offset ?? 0) * 1_000_000n, year0: date.year === 0, offset: t.offset };
    }
  }
  const n = intParse(b);
  if ("int" in n) return ok(fromTimestamp(n.int, 0));
  if (n.stop !== 0x2e) return undefined;
  const float = floatParse(b);
  if (float === undefined) return undefined;
  const normalized = Math.abs(float) > 2e10 ? float / 1000 : float;
  const seconds = f64ToI64(Math.floor(normalized));
  return ok(fromTimestamp(seconds, f64ToU32(Math.round((normalized - Number(seconds)) * 1e6))));
}

const ok = (p: Parsed): Instant | undefined => ("error" in p ? undefined : p);

/** Date::parse_bytes_with_config: YYYY-MM-DD, else an integer timestamp of an exact day; midnight, naive. */
export function parseDateText(b: Uint8Array): Instant | { error: string } {
  const date = datePrefix(b);
  if (typeof date !== "string" && b.length === 10) return { micros: localMicros(date, 0, 0), year0: date.year === 0, offset: null };
  const rfcError = typeof date === "string" ? date : E.extra;
  const n = intParse(b);
  if (!("int" in n)) return { error: rfcError };
  const w = watershed(n.int);
  if (typeof w === "string") return { error: w };
  const bad = rangeCheck(w[0]);
  if (bad) return { error: bad };
  const remaining = ((w[0] % 86_400n) + 86_400n) % 86_400n;
  if (remaining !== 0n || w[1] !== 0) return { error: E.notExact };
  return { micros: w[0] * 1_000_000n, year0: w[0] < UNIX_0001, offset: null };
}
