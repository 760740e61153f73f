// npx tsx bench/pooled-cost.ts — what DATABASE_POOLED costs the write path:
// one call of write_batches (message-store.ts, each batch written alone), one
// at a time, for 1- and 100-message batches, with
//  - named prepared statements on a direct connection (the default),
//  - prepare: false on a direct connection (the driver's share of the cost:
//    postgres.js then sends Parse+Describe, waits for the parameter types,
//    then Bind+Execute: two round trips, and a parse and plan every call),
//  - prepare: false through PgBouncer in transaction mode (what a pooled
//    deployment runs; left out when pgbouncer is not installed).
// The modes take turns call by call, so that the machine's load falls on all
// of them alike; medians of wall time, and the CPU the PostgreSQL backend (and
// PgBouncer) spent per call where /proc shows it. On the embedded server, or
// BENCH_DATABASE_URL.
import { nanoid } from "nanoid";
import postgres, { type Sql } from "postgres";
import { defaultConfiguration, loadHonchoSettings } from "../src/config-honcho.js";
import { createMessageStore, type BatchWrite } from "../src/store/message-store.js";
import { migrate } from "../src/store/migrate.js";
import { tablesOf } from "../src/store/schema.js";
import { findPgbouncer, startPgbouncer } from "../test/support/pgbouncer.js";
import { openBenchDatabase } from "./bench-database.js";
import { cpuMsOf, visible } from "./proc-stats.js";

const REPEATS: Record<number, number> = { 1: 2000, 100: 200 };

async function main() {
  const db = await openBenchDatabase("bench_pooled");
  const binary = findPgbouncer();
  const pgb = binary ? await startPgbouncer(binary, db.url, { poolSize: 1 }) : undefined;
  const names = { honcho: "public", service: "honcho_ingest" };
  const opts = { onnotice: () => {}, max: 1 };
  const modes: { label: string; sql: Sql; cpu?: () => number }[] = [
    { label: "direct, prepared statements", sql: postgres(db.url, opts) },
    { label: "direct, prepare: false", sql: postgres(db.url, { ...opts, prepare: false }) },
  ];
  if (pgb) modes.push({ label: "PgBouncer (transaction), prepare: false", sql: postgres(pgb.url(new URL(db.url).pathname.slice(1)), { ...opts, prepare: false }) });
  else console.log("pgbouncer not installed: the pooled mode is left out");
  try {
    await migrate(modes[0]!.sql, names);
    const defaults = defaultConfiguration(loadHonchoSettings({}));
    const stores = modes.map((m) => createMessageStore(m.sql, tablesOf(m.sql, names), { deadlineMs: 60_000, groupSlots: 0, defaults, embed: false }));
    // the backend behind each (PgBouncer's pool has one server connection: always the same one), and PgBouncer itself
    for (const m of modes) {
      const [{ pid }] = (await m.sql`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
      const extra = m.label.startsWith("PgBouncer") ? pgb!.pid : undefined;
      if (visible(pid)) m.cpu = () => cpuMsOf(pid) + (extra ? cpuMsOf(extra) : 0);
    }
    const batch = (session: string, n: number): BatchWrite => ({
      workspaceName: "bench", sessionName: session, newWorkspaceId: nanoid(), newSessionId: nanoid(), peers: [{ name: "p0", newId: nanoid() }],
      rows: Array.from({ length: n }, () => ({ publicId: nanoid(), peerName: "p0", content: "lorem ipsum ".repeat(21), metadata: {}, tokenCount: 50, createdAt: null, configuration: null, chunks: [] })),
    });
    for (const n of [1, 100]) {
      for (const s of stores) for (let i = 0; i < 50; i++) await s.write(batch(`warm-${n}`, n)); // plans, types, caches
      const walls = modes.map(() => [] as number[]);
      const cpu0 = modes.map((m) => m.cpu?.());
      for (let i = 0; i < REPEATS[n]!; i++) {
        for (const [k, s] of stores.entries()) {
          const b = batch(`s-${n}-${i % 8}`, n);
          const t = performance.now();
          await s.write(b);
          walls[k]!.push(performance.now() - t);
        }
      }
      const base = median(walls[0]!);
      console.log(`${n} message(s) per batch, one at a time, ${REPEATS[n]} calls each:`);
      for (const [k, m] of modes.entries()) {
        const w = median(walls[k]!);
        const cpu = m.cpu ? `${((m.cpu() - cpu0[k]!) / REPEATS[n]!).toFixed(3)} ms CPU${m.label.startsWith("PgBouncer") ? " (backend + PgBouncer)" : " (backend)"}` : "CPU n/a";
        console.log(`  ${m.label.padEnd(42)} median ${w.toFixed(3)} ms (${w >= base ? "+" : ""}${(w - base).toFixed(3)} ms), ${cpu}`);
      }
    }
  } finally {
    for (const m of modes) await m.sql.end();
    await pgb?.stop();
    await db.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

await main();
