// The service behind Debian's PgBouncer in transaction mode (fewer server
// connections than clients, so each client's transactions land on different
// server sessions): two replicas, A through the pooler alone (LISTEN off) and
// B with DATABASE_DIRECT_URL (LISTEN on its own session). Writers through both
// on shared sessions store every acknowledged batch once, gapless;
// WatchMessages on B hears A's commits by LISTEN, on A by its 5 s poll; a
// write blocked behind the pooler ends at DB_STATEMENT_TIMEOUT_MS (the cancel
// reaches the server); and without DATABASE_POOLED the service refuses to
// start saying what to set. Skipped, loudly, where pgbouncer is not installed
// (.ci/run installs it).
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { findPgbouncer, startPgbouncer, type Pgbouncer } from "../support/pgbouncer.js";
import { startService, type ServiceProcess } from "../support/service-process.js";
import { batchOf, postBatch, verify, type Ack } from "../support/writers.js";

const binary = findPgbouncer();
if (!binary) {
  console.warn(
    "\n*** SKIPPED test/reliability/pgbouncer.test.ts: pgbouncer is not installed (apt-get install pgbouncer, or PGBOUNCER=/path/to/pgbouncer). ***\n",
  );
}

describe.skipIf(!binary)("behind PgBouncer (transaction mode)", () => {
  let db: TestDb;
  let pgb: Pgbouncer;
  let pooledUrl: string;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    pgb = await startPgbouncer(binary!, inject("adminDatabaseUrl"), { poolMode: "transaction", poolSize: 4 });
    pooledUrl = pgb.url(new URL(db.url).pathname.slice(1));
    const common = { DATABASE_URL: pooledUrl, DATABASE_POOLED: "true", LOG_LEVEL: "warn", WEB_CONCURRENCY: "1" };
    // started together: A migrates through the pooler, B on its direct connection, under the one advisory lock
    [a, b] = await Promise.all([startService(common), startService({ ...common, DATABASE_DIRECT_URL: db.url })]);
  });

  afterAll(async () => {
    for (const s of [a, b]) {
      s?.child.kill("SIGTERM");
      await s?.exited;
    }
    await pgb?.stop();
    await db?.drop();
  });

  it("without DATABASE_POOLED the service does not start, and says what to set", async () => {
    const failed = await startService({ DATABASE_URL: pooledUrl, LOG_LEVEL: "warn", WEB_CONCURRENCY: "1" }).then(
      () => "started",
      (err: Error) => err.message,
    );
    expect(failed).toMatch(/unsupported startup parameter/);
    expect(failed).toMatch(/DATABASE_POOLED=true/);
  });

  it("writers through both replicas on shared sessions: every acknowledged batch once, gapless", async () => {
    const pools = [new Pool(a.url, { connections: 16 }), new Pool(b.url, { connections: 16 })];
    const sessions = Array.from({ length: 4 }, (_, i) => `shared-${i}`);
    const acks: Ack[] = [];
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let n = 0; n < 40; n++) {
          const session = sessions[w % sessions.length]!;
          const r = await postBatch(pools[(w + n) % 2]!, "pgb", session, batchOf(n).messages);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.ids) acks.push({ session, ids: r.ids });
        }
      }),
    );
    await Promise.all(pools.map((p) => p.close()));
    expect(Object.fromEntries(statuses)).toEqual({ 201: 16 * 40 });
    const n = await verify(db.sql, "pgb", sessions, acks);
    expect(n).toBe(acks.reduce((s, x) => s + x.ids.length, 0));
    console.log(`behind PgBouncer: ${acks.length} batches through two replicas, ${n} messages, all stored once, gapless`);
  });

  // Each write goes out 200 ms after the stream delivered the one before, so
  // the stream's 5 s poll was just re-armed: arriving within 1.5 s is a notification.
  async function watch(on: ServiceProcess, session: string, writes: ServiceProcess[]) {
    const client = createClient(WatchService, createGrpcTransport({ baseUrl: on.url }));
    const abort = new AbortController();
    const stream = client.watchMessages({ workspaceId: "pgb-watch", sessionId: session, afterSeq: 0n }, { signal: abort.signal })[Symbol.asyncIterator]();
    const seen: { seq: number; content: string; ms: number }[] = [];
    try {
      for (const [i, through] of writes.entries()) {
        await new Promise((r) => setTimeout(r, i === 0 ? 1_000 : 200));
        const res = await postMessages(through.url, "pgb-watch", session, { messages: [{ content: `m${i}`, peer_id: "p" }] });
        expect(res.status).toBe(201);
        const acked = Date.now();
        const next = await stream.next();
        seen.push({ seq: Number(next.value!.seqInSession), content: next.value!.message!.content, ms: Date.now() - acked });
      }
    } finally {
      abort.abort();
      await stream.return?.().catch(() => {});
    }
    expect(seen.map((s) => [s.seq, s.content])).toEqual(writes.map((_, i) => [i + 1, `m${i}`]));
    return seen.map((s) => s.ms);
  }

  it("WatchMessages on the replica with DATABASE_DIRECT_URL hears the other replica's commits by LISTEN", async () => {
    const ms = await watch(b, "listen", [a, a, a, a]);
    console.log(`WatchMessages on B, commits through A: delivered ${ms.join(", ")} ms after the 201`);
    for (const x of ms.slice(1)) expect(x).toBeLessThan(1_500);
  });

  it("WatchMessages on the replica without it: its own commits at once, the other replica's by the 5 s poll", async () => {
    const ms = await watch(a, "poll", [a, a, b, a]);
    console.log(`WatchMessages on A (LISTEN off), commits through A, A, B, A: delivered ${ms.join(", ")} ms after the 201`);
    expect(ms[1]).toBeLessThan(1_500);
    expect(ms[2]).toBeGreaterThan(2_000); // not a notification: LISTEN is off
    expect(ms[2]).toBeLessThan(7_000);
    expect(ms[3]).toBeLessThan(1_500);
  });

  it("says at start-up that LISTEN is off, and a write blocked behind the pooler ends at its deadline, cancelled in PostgreSQL", async () => {
    const { log, lines } = memoryLogger();
    const app = await startTestApp(pooledUrl, { databasePooled: true, statementTimeoutMs: 1_500 }, log);
    const lock = await db.sql.reserve();
    try {
      const msgs = lines().map((l) => String(l.msg));
      expect(msgs.some((m) => m.startsWith("LISTEN is off"))).toBe(true);
      expect(msgs.some((m) => m.startsWith("DATABASE_URL is a transaction pooler"))).toBe(true);
      expect((await postMessages(app.url, "pgb-lock", "s", { messages: [{ content: "before", peer_id: "p" }] })).status).toBe(201);
      // Honcho's session lock, held elsewhere: the batch waits for it
      await lock`SELECT pg_advisory_lock(hashtext('pgb-lock'), hashtext('s'))`;
      const started = Date.now();
      const res = await postMessages(app.url, "pgb-lock", "s", { messages: [{ content: "blocked", peer_id: "p" }] });
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(took).toBeGreaterThanOrEqual(1_400);
      expect(took).toBeLessThan(5_000);
      // nothing of it is left waiting in PostgreSQL
      const waiting = await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ~ 'write_(one|batches)'`;
      expect(waiting[0]!.n).toBe(0);
      await lock`SELECT pg_advisory_unlock(hashtext('pgb-lock'), hashtext('s'))`;
      expect((await postMessages(app.url, "pgb-lock", "s", { messages: [{ content: "after", peer_id: "p" }] })).status).toBe(201);
      const stored = await db.sql`SELECT content FROM messages WHERE workspace_name = 'pgb-lock' ORDER BY seq_in_session`;
      expect(stored.map((r) => r.content)).toEqual(["before", "after"]);
    } finally {
      lock.release();
      await app.stop();
    }
  });
});
