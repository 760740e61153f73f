// Python's datetime.fromisoformat, which Honcho's upload form applies to
// created_at after replacing every "Z" with "+00:00" (src/routers/messages.py
// parse_upload_form). A port of CPython's C implementation
// (Modules/_datetimemodule.c, the current one: datetime_fromisoformat,
// _find_isoformat_datetime_separator, parse_isoformat_date,
// parse_isoformat_time, parse_hh_mm_ss_ff), which reads the text's UTF-8
// bytes as a NUL-terminated C string. Returns the instant in microseconds
// since the epoch (a naive value is taken as UTC, as the rest of the service
// takes naive datetimes) and the offset it holds, or undefined where Python raises ValueError
// (Honcho then ignores the field).
import { hasLoneSurrogate } from "./strings.js";

/** offsetUs: the UTC offset the datetime holds, in microseconds (null: naive). */
export function pyFromIsoformat(input: string): { micros: bigint; offsetUs: bigint | null } | undefined {
  const text = sanitize(input.replaceAll("Z", "+00:00"));
  if (text === undefined) return undefined;
  const b = Buffer.from(text, "utf8");
  const at = (i: number) => (i < b.length ? b[i]! : 0); // past the end: the C string's NUL
  const len = b.length;
  const sep = separatorAt(at, len);
  const date = parseDate(at, sep);
  if (!date) return undefined;
  let time: Time = { h: 0, m: 0, s: 0, us: 0, offsetUs: null };
  if (len > sep) {
    // skip the separator: one character, however many UTF-8 bytes it takes
    const lead = at(sep);
    const start = sep + ((lead & 0x80) === 0 ? 1 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xf0) === 0xf0 ? 4 : 2);
    const parsed = parseTime(at, start, len);
    if (!parsed) return undefined;
    time = parsed;
  }
  let [y, mo, d] = date;
  let { h } = time;
  // T24:00 is midnight of the next day
  if (h === 24 && mo <= 12 && mo >= 1 && d <= daysIn(y, mo)) {
    if (time.m !== 0 || time.s !== 0 || time.us !== 0) return undefined;
    h = 0;
    d += 1;
    if (d > daysIn(y, mo)) {
      d = 1;
      mo += 1;
      if (mo > 12) {
        mo = 1;
        y += 1;
      }
    }
  }
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return undefined;
  if (h > 23 || time.m > 59 || time.s > 59) return undefined;
  const days = BigInt(daysFromCivil(y, mo, d));
  const local = ((days * 24n + BigInt(h)) * 60n + BigInt(time.m)) * 60n + BigInt(time.s);
  return { micros: local * 1_000_000n + BigInt(time.us) - (time.offsetUs ?? 0n), offsetUs: time.offsetUs };
}

type At = (i: number) => number;

interface Time {
  h: number;
  m: number;
  s: number;
  us: number;
  /** null: naive */
  offsetUs: bigint | null;
}

const DASH = 0x2d;
const W = 0x57;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

// _sanitize_isoformat_str: a surrogate where a separator may stand becomes
// "T"; any other one cannot be encoded as UTF-8 (invalid)
function sanitize(s: string): string | undefined {
  if (!hasLoneSurrogate(s)) return s;
  const points = [...s];
  for (const pos of [7, 8, 10]) {
    if (pos > points.length) break;
    const c = points[pos]?.charCodeAt(0) ?? 0;
    if (points[pos]?.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      points[pos] = "T";
      break;
    }
  }
  const out = points.join("");
  return hasLoneSurrogate(out) ? undefined : out;
}

// parse_digits: n ASCII digits at i, else undefined
function digits(at: At, i: number, n: number): number | undefined {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = at(i + k);
    if (!isDigit(c)) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

// _find_isoformat_datetime_separator
function separatorAt(at: At, len: number): number {
  if (len === 7) return 7;
  if (at(4) === DASH) {
    if (at(5) === W) {
      if (len < 8) return -1;
      if (len > 8 && at(8) === DASH) {
        if (len === 9) return -1;
        if (len > 10 && isDigit(at(10))) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (at(4) === W) {
    let idx = 7;
    while (idx < len && isDigit(at(idx))) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

// parse_isoformat_date: YYYY-MM-DD, YYYYMMDD, YYYY-Www[-D], YYYYWww[D]
function parseDate(at: At, len: number): [number, number, number] | undefined {
  if (len < 0) return undefined;
  const year = digits(at, 0, 4);
  if (year === undefined) return undefined;
  let p = 4;
  const usesSeparator = at(p) === DASH;
  if (usesSeparator) p++;
  if (at(p) === W) {
    p++;
    const week = digits(at, p, 2);
    if (week === undefined) return undefined;
    p += 2;
    let day = 1;
    if (p < len) {
      if (usesSeparator && at(p++) !== DASH) return undefined;
      const dd = digits(at, p, 1);
      if (dd === undefined) return undefined;
      day = dd;
    }
    return isoToYmd(year, week, day);
  }
  const month = digits(at, p, 2);
  if (month === undefined) return undefined;
  p += 2;
  if (usesSeparator && at(p++) !== DASH) return undefined;
  const day = digits(at, p, 2);
  if (day === undefined) return undefined;
  return [year, month, day];
}

// parse_hh_mm_ss_ff over [start, end): [h, m, s, us, rest] where rest is 1
// when the character at the end is not NUL (more follows), or undefined
function parseHms(at: At, start: number, end: number): [number, number, number, number, number] | undefined {
  const vals = [0, 0, 0];
  let p = start;
  let hasSeparator = true;
  let i = 0;
  for (; i < 3; i++) {
    const v = digits(at, p, 2);
    if (v === undefined) return undefined;
    vals[i] = v;
    p += 2;
    const c = at(p++);
    if (i === 0) hasSeparator = c === 0x3a;
    if (p >= end) return [vals[0]!, vals[1]!, vals[2]!, 0, c !== 0 ? 1 : 0];
    if (hasSeparator && c === 0x3a) {
      if (i === 2) return undefined; // malformed microsecond separator
      continue;
    }
    if (c === 0x2e || c === 0x2c) {
      if (i < 2) return undefined; // decimal mark on hour or minute
      break;
    }
    if (!hasSeparator) p--;
    else return undefined; // malformed time separator
  }
  const toParse = Math.min(end - p, 6);
  let us = 0;
  if (toParse > 0) {
    const f = digits(at, p, toParse);
    if (f === undefined) return undefined;
    us = f * 10 ** (6 - toParse);
    p += toParse;
  }
  while (isDigit(at(p))) p++; // digits past microseconds are dropped
  return [vals[0]!, vals[1]!, vals[2]!, us, at(p) !== 0 ? 1 : 0];
}

// parse_isoformat_time: the time up to the first Z, + or -, then the offset
function parseTime(at: At, start: number, end: number): Time | undefined {
  let tz = start;
  do {
    const c = at(tz);
    if (c === 0x5a || c === 0x2b || c === DASH) break;
  } while (++tz < end);
  const t = parseHms(at, start, tz);
  if (!t) return undefined;
  if (tz === end) return t[4] === 1 ? undefined : { h: t[0], m: t[1], s: t[2], us: t[3], offsetUs: null };
  if (at(tz) === 0x5a) return at(tz + 1) !== 0 ? undefined : { h: t[0], m: t[1], s: t[2], us: t[3], offsetUs: 0n };
  const sign = at(tz) === DASH ? -1n : 1n;
  const o = parseHms(at, tz + 1, end);
  if (!o || o[4] !== 0) return undefined;
  const offsetUs = sign * (BigInt(o[0] * 3600 + o[1] * 60 + o[2]) * 1_000_000n + BigInt(o[3]));
  // timezone(): strictly within a day
  if (offsetUs >= 86_400_000_000n || offsetUs <= -86_400_000_000n) return undefined;
  return { h: t[0], m: t[1], s: t[2], us: t[3], offsetUs };
}

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;

// days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil)
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

// iso_to_ymd (date.fromisocalendar's rules)
function isoToYmd(year: number, week: number, day: number): [number, number, number] | undefined {
  if (year < 1 || year > 9999) return undefined;
  if (week <= 0 || week >= 53) {
    // ISO years with 53 weeks start on a Thursday, or are leap years starting on a Wednesday
    // (Python's ymd_to_ord(year, 1, 1) % 7: Sunday 0 ... Saturday 6; 1970-01-01 was a Thursday)
    const first = (((daysFromCivil(year, 1, 1) + 4) % 7) + 7) % 7;
    if (!(week === 53 && (first === 4 || (first === 3 && isLeap(year))))) return undefined;
  }
  if (day <= 0 || day >= 8) return undefined;
  // Monday of ISO week 1: the week holding January 4th
  const jan4 = daysFromCivil(year, 1, 4);
  const week1Monday = jan4 - ((((jan4 + 3) % 7) + 7) % 7);
  const [y, m, d] = civilFromDays(week1Monday + (week - 1) * 7 + (day - 1));
  return [y, m, d];
}
