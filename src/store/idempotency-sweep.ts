// Expired idempotency keys are deleted by a periodic sweep, a bounded batch at
// a time along the expires_at index, so the table holds about one TTL's worth
// of keys. A key still being written (its first attempt in flight) is skipped,
// never waited for; every replica may sweep, and they do not block each other.
import type { Logger } from "pino";
import type { Sql } from "postgres";
import type { Tables } from "./schema.js";

const BATCH = 5_000;

/** Deletes every expired key; returns how many. */
export async function sweepExpiredKeys(sql: Sql, t: Tables): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { count } = await sql`
      DELETE FROM ${t.idempotencyKeys} k
      USING (
        SELECT scope, key FROM ${t.idempotencyKeys} WHERE expires_at < now()
        ORDER BY expires_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
      ) old
      WHERE k.scope = old.scope AND k.key = old.key`;
    deleted += count;
    if (count < BATCH) return deleted;
  }
}

/** Sweeps every `everyMs` (0: never) until stopped. */
export function startKeySweep(sql: Sql, t: Tables, everyMs: number, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer =
    everyMs > 0
      ? setInterval(() => {
          running ??= sweepExpiredKeys(sql, t).then(
            (n) => {
              if (n > 0) log.debug({ deleted: n }, "expired idempotency keys deleted");
            },
            (err: unknown) => log.warn({ err }, "could not delete expired idempotency keys; trying again later"),
          ).finally(() => (running = undefined));
        }, everyMs)
      : undefined;
  timer?.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
