// Timestamps leave the store as exact microseconds since the Unix epoch, as
// text (a bigint), never as a JavaScript Date, which keeps milliseconds only.

/** SQL for a timestamptz column as epoch microseconds (text); `column` is ours, never input. */
export const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
