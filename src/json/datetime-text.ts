// A timestamp's JSON text where Honcho writes another than the UTC form:
// Honcho answers a new message with the datetime pydantic parsed from the
// request, in the offset it was written with (2024-05-01T12:00:00+02:00) or
// naive (2024-05-01T12:00:00), while protobuf's Timestamp holds the instant
// alone. The text is kept beside the Timestamp object, as exact-numbers.ts
// keeps Python's text of a number, and the JSON writer uses it. Here too is
// how pydantic writes a datetime in an offset: validation makes the kept
// texts with it, the JSON writer the texts of a database in another zone
// than UTC (answer-zone.ts).
const texts = new WeakMap<object, { seconds: bigint; nanos: number; text: string }>();

/** Write `ts` as `text` (while it still holds the instant it holds now). */
export function keepDatetimeText<T extends { seconds: bigint; nanos: number }>(ts: T, text: string): T {
  texts.set(ts, { seconds: ts.seconds, nanos: ts.nanos, text });
  return ts;
}

/** The text kept for `ts`, if any. */
export function datetimeTextOf(ts: { seconds: bigint; nanos: number }): string | undefined {
  const kept = texts.get(ts);
  return kept && kept.seconds === ts.seconds && kept.nanos === ts.nanos ? kept.text : undefined;
}

/** Floor division of epoch microseconds by `unit`: [whole units, remainder ≥ 0]. */
export function splitMicros(micros: bigint, unit: bigint): [bigint, bigint] {
  const rest = ((micros % unit) + unit) % unit;
  return [(micros - rest) / unit, rest];
}

/**
 * pydantic's JSON text of a datetime: its wall-clock time (the instant
 * shifted by its UTC offset), six digits of microseconds when there are any,
 * then Z (offset 0), ±HH:MM (the offset's whole minutes), or nothing
 * (naive), e.g. 2024-05-01T12:00:00+02:00. offsetMicros null: naive.
 */
export function pydanticDatetimeText(micros: bigint, offsetMicros: bigint | null): string {
  const [second, micro] = splitMicros(micros + (offsetMicros ?? 0n), 1_000_000n);
  const wall = new Date(Number(second) * 1000).toISOString().slice(0, 19) + (micro === 0n ? "" : `.${micro.toString().padStart(6, "0")}`);
  if (offsetMicros === null) return wall;
  if (offsetMicros === 0n) return `${wall}Z`;
  const minutes = (offsetMicros < 0n ? -offsetMicros : offsetMicros) / 60_000_000n;
  const hhmm = `${String(minutes / 60n).padStart(2, "0")}:${String(minutes % 60n).padStart(2, "0")}`;
  return `${wall}${offsetMicros < 0n ? "-" : "+"}${hhmm}`;
}
