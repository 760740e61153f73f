// A timestamp's JSON text where Honcho writes another than the UTC form:
// Honcho answers a new message with the datetime pydantic parsed from the
// request, in the offset it was written with (2024-05-01T12:00:00+02:00) or
// naive (2024-05-01T12:00:00), while protobuf's Timestamp holds the instant
// alone. The text is kept beside the Timestamp object, as exact-numbers.ts
// keeps Python's text of a number, and the JSON writer uses it.
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
