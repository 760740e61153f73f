// pydantic-core's lax datetime validation (python mode, as FastAPI runs it)
// for created_at, on top of the speedate port: numbers are unix timestamps,
// strings are RFC 3339-like text or timestamps, and a string that is not a
// datetime is retried as a date, whose error is the one reported.
import { answerOffset } from "../../json/answer-zone.js";
import { splitMicros } from "../../json/datetime-text.js";
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { fromFloat, parseDateText, parseDateTimeText, type Instant } from "./speedate.js";
import { hasLoneSurrogate } from "./strings.js";

/** offset: the UTC offset it was written with, in seconds; null: naive (stored as UTC) */
export type ParsedDatetime = { ok: true; micros: bigint; offset: number | null } | { ok: false; issue: ValidationIssue };

const fail = (input: unknown, loc: Loc, type: string, message: string, error?: string): ParsedDatetime => ({
  ok: false,
  issue: { type, loc, msg: error === undefined ? message : `${message}, ${error}`, input, ...(error === undefined ? {} : { ctx: { error } }) },
});
const parsing = (input: unknown, loc: Loc, error: string) => fail(input, loc, "datetime_parsing", "Input should be a valid datetime", error);

// Python's datetime() refuses year 0, which speedate parses.
const done = (input: unknown, loc: Loc, at: Instant): ParsedDatetime => {
  if (at.year0) return parsing(input, loc, "year 0 is out of range");
  if (!storableInstant(storedInstant(at.micros, at.offset === null))) return { ok: false, issue: outOfRange(loc, input) };
  return { ok: true, micros: at.micros, offset: at.offset };
};

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z
const FIRST = -62_135_596_800_000_000n;
const LAST = 253_402_300_799_999_999n;

/**
 * Whether an instant falls within years 1 to 9999 in UTC. pydantic takes
 * 0001-01-01T00:00:00+05:00 (year 0 in UTC) and 9999-12-31T23:00:00-05:00
 * (year 10000); PostgreSQL stores them, but Python's datetime, and so
 * Honcho, cannot read such a row back (every read of its session fails).
 */
export const storableInstant = (micros: bigint): boolean => micros >= FIRST && micros <= LAST;

/**
 * The instant PostgreSQL stores for a datetime: a naive one's wall clock
 * (`micros` read as UTC) is read in the database's TimeZone
 * (src/json/answer-zone.ts), so 9999-12-31T23:59:59 beside a database in New
 * York is 10000-01-01T04:59:59Z, which no answer can carry (the offset is
 * the zone's at the wall clock read as UTC: alike at the ends of the range).
 */
export function storedInstant(micros: bigint, naive: boolean): bigint {
  if (!naive) return micros;
  const offset = answerOffset(Number(splitMicros(micros, 1000n)[0]));
  return offset === undefined ? micros : micros - BigInt(offset) * 1_000_000n;
}

/** The 422 for a created_at whose instant Honcho could not read back. */
export const outOfRange = (loc: Loc, input: unknown): ValidationIssue =>
  issue.valueError(loc, input, "created_at must fall within the years 1 to 9999 in UTC");

/** created_at's value (not null) → an instant in microseconds since the epoch (naive times are UTC), or pydantic's error. */
export function parseDatetime(input: unknown, loc: Loc): ParsedDatetime {
  if (typeof input === "number") {
    // JSON ints and floats alike: integral values give the same result either way
    if (Number.isNaN(input)) return parsing(input, loc, "NaN values not permitted");
    const r = fromFloat(input);
    return "error" in r ? parsing(input, loc, r.error) : done(input, loc, r);
  }
  if (typeof input !== "string") return fail(input, loc, "datetime_type", "Input should be a valid datetime");
  if (hasLoneSurrogate(input)) return { ok: false, issue: issue.stringUnicode(loc, input) };
  const bytes = Buffer.from(input, "utf8");
  const dt = parseDateTimeText(bytes);
  if (dt) return done(input, loc, dt);
  const date = parseDateText(bytes);
  if ("error" in date) return fail(input, loc, "datetime_from_date_parsing", "Input should be a valid datetime or date", date.error);
  return done(input, loc, date);
}

// the JSON text of a datetime, shared with the REST writer (src/json/datetime-text.ts)
export { pydanticDatetimeText, splitMicros } from "../../json/datetime-text.js";

/** RFC 3339 in UTC with microseconds, e.g. 2024-05-01T12:00:00.000001Z (for PostgreSQL). */
export function microsToIso(micros: bigint): string {
  const [ms, sub] = splitMicros(micros, 1000n);
  return new Date(Number(ms)).toISOString().replace(/Z$/, `${sub.toString().padStart(3, "0")}Z`);
}

/** The instant as a Date (millisecond precision). */
export const microsToDate = (micros: bigint): Date => new Date(Number(splitMicros(micros, 1000n)[0]));
