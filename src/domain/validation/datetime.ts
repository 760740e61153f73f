// pydantic v2 (speedate) datetime parsing in lax mode, for created_at:
// RFC 3339-like strings, date-only strings (midnight), unix timestamps as
// numbers or numeric strings (milliseconds when larger than 2e10), with
// pydantic's error types and messages. Naive datetimes are taken as UTC.
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { hasLoneSurrogate } from "./strings.js";

export type ParsedDatetime = { ok: true; micros: bigint } | { ok: false; issue: ValidationIssue };

const MAX_TS = 253_402_300_799; // 9999-12-31T23:59:59Z
const MIN_TS = -62_167_219_200; // 0000-01-01T00:00:00Z
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export function parseDatetime(input: unknown, loc: Loc): ParsedDatetime {
  const fail = (type: string, message: string, error?: string): ParsedDatetime => ({
    ok: false,
    issue: { type, loc, msg: error ? `${message}, ${error}` : message, input, ...(error ? { ctx: { error } } : {}) },
  });
  if (typeof input === "number") {
    const r = fromTimestamp(input);
    return typeof r === "string" ? fail("datetime_parsing", "Input should be a valid datetime", r) : { ok: true, micros: r };
  }
  if (typeof input !== "string") return fail("datetime_type", "Input should be a valid datetime");
  if (hasLoneSurrogate(input)) return { ok: false, issue: issue.stringUnicode(loc, input) };
  if (NUMERIC.test(input)) {
    const r = fromTimestamp(Number(input));
    return typeof r === "string" ? fail("datetime_from_date_parsing", "Input should be a valid datetime or date", r) : { ok: true, micros: r };
  }
  const bytes = Buffer.from(input, "utf8");
  const parsed = parseRfc3339(bytes) ?? parseDateOnly(bytes);
  if (typeof parsed === "string") return fail("datetime_from_date_parsing", "Input should be a valid datetime or date", parsed);
  if (parsed.year === 0) return fail("datetime_parsing", "Input should be a valid datetime", "year 0 is out of range");
  return { ok: true, micros: toMicros(parsed) };
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  offsetMinutes: number;
}

function fromTimestamp(ts: number): bigint | string {
  if (Number.isNaN(ts)) return "dates after 9999 are not supported as unix timestamps";
  let seconds = Math.abs(ts) > 2e10 ? ts / 1000 : ts;
  if (seconds > MAX_TS) return "dates after 9999 are not supported as unix timestamps";
  if (seconds < MIN_TS) return "dates before 0000 are not supported as unix timestamps";
  let whole = Math.floor(seconds);
  let micro = Math.round((seconds - whole) * 1e6);
  if (micro === 1_000_000) {
    whole += 1;
    micro = 0;
  }
  seconds = whole;
  return BigInt(whole) * 1_000_000n + BigInt(micro);
}

const digit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;
const two = (b: Buffer, i: number) => (digit(b[i]) && digit(b[i + 1]) ? (b[i]! - 48) * 10 + (b[i + 1]! - 48) : -1);

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Date::parse: exactly YYYY-MM-DD; its error is what pydantic reports when a
// string is not a datetime either.
function parseDateOnly(b: Buffer): Parts | string {
  if (b.length < 10) return "input is too short";
  for (let i = 0; i < 4; i++) if (!digit(b[i])) return "invalid character in year";
  if (b[4] !== 0x2d) return "invalid date separator, expected `-`";
  const month = two(b, 5);
  if (month < 0) return "invalid character in month";
  if (b[7] !== 0x2d) return "invalid date separator, expected `-`";
  const day = two(b, 8);
  if (day < 0) return "invalid character in day";
  const year = Number(b.subarray(0, 4).toString());
  if (month < 1 || month > 12) return "month value is outside expected range of 1-12";
  if (day < 1 || day > daysIn(year, month)) return "day value is outside expected range";
  if (b.length > 10) return "unexpected extra characters at the end of the input";
  return { year, month, day, hour: 0, minute: 0, second: 0, micro: 0, offsetMinutes: 0 };
}

// DateTime::parse: date, T/t/space/_, HH:MM[:SS[(.|,)digits]], [Z|z|±HH[:]MM].
// undefined when it does not parse (the caller then reports the date error).
function parseRfc3339(b: Buffer): Parts | undefined {
  if (b.length < 16) return undefined;
  const date = parseDateOnly(b.subarray(0, 10));
  if (typeof date === "string") return undefined;
  if (![0x54, 0x74, 0x20, 0x5f].includes(b[10]!)) return undefined;
  const hour = two(b, 11);
  const minute = two(b, 14);
  if (hour < 0 || hour > 23 || b[13] !== 0x3a || minute < 0 || minute > 59) return undefined;
  let i = 16;
  let second = 0;
  let micro = 0;
  if (b[i] === 0x3a) {
    second = two(b, i + 1);
    if (second < 0 || second > 59) return undefined;
    i += 3;
    if (b[i] === 0x2e || b[i] === 0x2c) {
      let j = i + 1;
      let digits = "";
      while (digit(b[j])) digits += String.fromCharCode(b[j++]!);
      if (digits.length === 0) return undefined;
      micro = Number(digits.slice(0, 6).padEnd(6, "0"));
      i = j;
    }
  }
  let offsetMinutes = 0;
  if (b[i] === 0x5a || b[i] === 0x7a) i += 1;
  else if (b[i] === 0x2b || b[i] === 0x2d) {
    const sign = b[i] === 0x2d ? -1 : 1;
    const oh = two(b, i + 1);
    const colon = b[i + 3] === 0x3a ? 1 : 0;
    const om = two(b, i + 3 + colon);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
    i += 5 + colon;
  }
  if (i !== b.length) return undefined;
  return { ...date, hour, minute, second, micro, offsetMinutes };
}

function toMicros(p: Parts): bigint {
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, 0);
  return BigInt(d.getTime() - p.offsetMinutes * 60_000) * 1000n + BigInt(p.micro);
}

/** RFC 3339 in UTC with microseconds, e.g. 2024-05-01T12:00:00.000001Z (for PostgreSQL). */
export function microsToIso(micros: bigint): string {
  let ms = micros / 1000n;
  let sub = micros % 1000n;
  if (sub < 0n) {
    ms -= 1n;
    sub += 1000n;
  }
  return new Date(Number(ms)).toISOString().replace(/Z$/, `${sub.toString().padStart(3, "0")}Z`);
}
