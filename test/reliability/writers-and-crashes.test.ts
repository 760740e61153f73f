// Nothing acknowledged is lost, nothing half-written is stored: 32 writers
// × 50 batches, then five kill -9 of the service under load.
import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { startService, type ServiceProcess } from "../support/service-process.js";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

interface Ack { session: string; ids: string[] }

// One writer: `batches` batches of 1–4 messages, each tagged with its batch id and size.
async function writer(pool: Pool, session: string, batches: number, acks: Ack[], stop = () => false) {
  for (let b = 0; b < batches && !stop(); b++) {
    const tag = randomUUID();
    const size = 1 + (b % 4);
    const messages = Array.from({ length: size }, (_, i) => ({ content: `${tag} ${i}`, peer_id: `p${i % 3}`, metadata: { batch: tag, size } }));
    try {
      const res = await pool.request({
        method: "POST",
        path: `/v3/workspaces/rel/sessions/${session}/messages`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages }),
      });
      const text = await res.body.text();
      if (res.statusCode === 201) acks.push({ session, ids: (JSON.parse(text) as { id: string }[]).map((m) => m.id) });
    } catch {
      // the service died under us: this batch was not acknowledged
    }
  }
}

async function verify(sessions: string[], acks: Ack[]) {
  const rows = await db.sql`
    SELECT public_id, session_name, seq_in_session::int AS seq, metadata->>'batch' AS batch, (metadata->>'size')::int AS size
    FROM messages WHERE workspace_name = 'rel' AND session_name = ANY(${sessions})`;
  const byId = new Map(rows.map((r) => [r.public_id as string, r]));
  // every acknowledged message stored, once, in batch order
  for (const ack of acks) {
    const seqs = ack.ids.map((id) => byId.get(id)?.seq as number);
    expect(seqs.every((s) => s !== undefined)).toBe(true);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  }
  expect(new Set(rows.map((r) => r.public_id)).size).toBe(rows.length);
  // gapless 1..N per session
  for (const s of sessions) {
    const seqs = rows.filter((r) => r.session_name === s).map((r) => r.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
  // no batch partly stored
  const perBatch = new Map<string, { n: number; size: number }>();
  for (const r of rows) {
    const e = perBatch.get(r.batch as string) ?? { n: 0, size: r.size as number };
    e.n++;
    perBatch.set(r.batch as string, e);
  }
  for (const [, e] of perBatch) expect(e.n).toBe(e.size);
  // reasoning is on by default: every stored message has its work item, written in the same statement
  const orphans = await db.sql`
    SELECT count(*)::int AS n FROM messages m
    WHERE m.workspace_name = 'rel' AND m.session_name = ANY(${sessions}) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id)`;
  expect(orphans[0]!.n).toBe(0);
  return rows.length;
}

describe("concurrent writers", () => {
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn" });
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
  });

  it.each([
    ["one session", (w: number) => "one"],
    ["32 sessions", (w: number) => `many-${w}`],
  ])("32 writers × 50 batches into %s: every acknowledged message once, gapless, in order", async (_n, sessionOf) => {
    const pool = new Pool(svc.url, { connections: 32 });
    const acks: Ack[] = [];
    await Promise.all(Array.from({ length: 32 }, (_, w) => writer(pool, sessionOf(w), 50, acks)));
    await pool.close();
    expect(acks).toHaveLength(32 * 50);
    const sessions = [...new Set(Array.from({ length: 32 }, (_, w) => sessionOf(w)))];
    const n = await verify(sessions, acks);
    expect(n).toBe(acks.reduce((s, a) => s + a.ids.length, 0));
    console.log(`writers into ${_n}: ${acks.length} batches, ${n} messages, all stored once`);
  });
});

describe("kill -9 under load", () => {
  it("loses no acknowledged message and stores no partial batch, five times over", async () => {
    const acks: Ack[] = [];
    const sessions = Array.from({ length: 8 }, (_, i) => `crash-${i}`);
    let port: number | undefined;
    for (let round = 0; round < 5; round++) {
      const svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn" }, port);
      port = svc.port;
      const pool = new Pool(svc.url, { connections: 8 });
      let dead = false;
      const load = Promise.all(sessions.map((s) => writer(pool, s, 100_000, acks, () => dead)));
      await new Promise((r) => setTimeout(r, 700 + round * 150));
      svc.child.kill("SIGKILL");
      await svc.exited;
      dead = true;
      await load;
      await pool.destroy();
    }
    const n = await verify(sessions, acks);
    console.log(`kill -9 ×5: ${acks.length} acknowledged batches, ${n} messages stored, none lost, none partial`);
    expect(acks.length).toBeGreaterThan(50);
  });
});
