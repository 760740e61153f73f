// Storage semantics against real PostgreSQL: gapless per-session sequences
// under concurrent writers, all-or-nothing batches, round trips per request,
// and data that survives a restart.
import { describe, expect, it } from "vitest";
import { WRITES_APPLICATION_NAME, writeConnectionsOf } from "../../src/store/database.js";
import { createTestDatabase, startTestApp, useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { startPgProxy } from "../support/pg-proxy.js";

const t = useTestApp();

async function seqsOf(session: string): Promise<Map<string, number>> {
  const rows = await t.db.sql`SELECT public_id, seq_in_session::int AS seq FROM messages WHERE session_name = ${session}`;
  return new Map(rows.map((r) => [r.public_id as string, r.seq as number]));
}

describe("sequences", () => {
  it.each([
    ["an existing session", "busy", true],
    ["a session created by the racing writers themselves", "born-busy", false],
  ])("stay gapless and in batch order with 24 concurrent writers on %s", async (_label, session, warm) => {
    if (warm) expect((await postMessages(t.app.url, "seq-ws", session, { messages: [{ content: "first", peer_id: "p0" }] })).status).toBe(201);
    const grpc = messageClient(rpcProtocols["grpc (h2c)"]!(t.app.url));
    const batches = await Promise.all(
      Array.from({ length: 24 }, async (_, w) => {
        const ids: string[][] = [];
        for (let b = 0; b < 5; b++) {
          const messages = Array.from({ length: 1 + ((w + b) % 4) }, (_, i) => ({ content: `w${w} b${b} m${i}`, peer_id: `writer-${w % 6}` }));
          if (w % 2) {
            const res = await grpc.createMessages({ workspaceId: "seq-ws", sessionId: session, messages: messages.map((m) => ({ content: m.content, peerId: m.peer_id })) });
            ids.push(res.messages.map((m) => m.id));
          } else {
            const res = await postMessages(t.app.url, "seq-ws", session, { messages });
            expect(res.status).toBe(201);
            ids.push((res.json as { id: string }[]).map((m) => m.id));
          }
        }
        return ids;
      }),
    );
    const seqs = await seqsOf(session);
    const all = [...seqs.values()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    const acknowledged = batches.flat();
    expect(all.length).toBe(acknowledged.flat().length + (warm ? 1 : 0));
    for (const ids of acknowledged) {
      const s = ids.map((id) => seqs.get(id)!);
      expect(s).toEqual(s.map((_, i) => s[0]! + i)); // consecutive, in batch order
    }
  });
});

describe("atomicity", () => {
  it("leaves nothing behind when a batch fails part-way", async () => {
    // A real failure inside PostgreSQL after the first row of the batch is written.
    await t.db.sql.unsafe(`
      CREATE OR REPLACE FUNCTION fail_on_boom() RETURNS trigger AS $$
      BEGIN IF NEW.content = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
      DROP TRIGGER IF EXISTS fail_on_boom ON messages;
      CREATE TRIGGER fail_on_boom BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION fail_on_boom();`);
    try {
      const fresh = await postMessages(t.app.url, "atomic-ws", "atomic-s", { messages: [{ content: "fine", peer_id: "new-peer" }, { content: "boom", peer_id: "other-peer" }] });
      expect(fresh.status).toBe(500);
      expect(fresh.json).toEqual({ detail: "An unexpected error occurred" });
      expect(await t.db.sql`SELECT 1 FROM workspaces WHERE name = 'atomic-ws'`).toHaveLength(0);
      expect(await t.db.sql`SELECT 1 FROM peers WHERE workspace_name = 'atomic-ws'`).toHaveLength(0);

      expect((await postMessages(t.app.url, "acme", "atomic-2", { messages: [{ content: "one", peer_id: "a" }] })).status).toBe(201);
      const failed = await postMessages(t.app.url, "acme", "atomic-2", { messages: [{ content: "two", peer_id: "a" }, { content: "boom", peer_id: "b" }] });
      expect(failed.status).toBe(500);
      const next = await postMessages(t.app.url, "acme", "atomic-2", { messages: [{ content: "three", peer_id: "a" }] });
      expect(next.status).toBe(201);
      const rows = await t.db.sql`SELECT content, seq_in_session::int AS seq FROM messages WHERE session_name = 'atomic-2' ORDER BY seq_in_session`;
      expect(rows.map((r) => [r.content, r.seq])).toEqual([["one", 1], ["three", 2]]);
      expect(await t.db.sql`SELECT 1 FROM peers WHERE name = 'b'`).toHaveLength(0);
    } finally {
      await t.db.sql.unsafe(`DROP TRIGGER IF EXISTS fail_on_boom ON messages`);
    }
  });
});

describe("round trips to PostgreSQL", () => {
  // The batch is one statement; the commit announcement for WatchMessages
  // follows it on its own (one for all the batches committed within
  // ANNOUNCE_GAP_MS), so one request at a time costs two at most, and less
  // when requests follow each other more closely than the gap.
  it("spends at most 2 per request in the steady state: the batch and its announcement", async () => {
    const proxy = await startPgProxy(t.db.url);
    const counted = await startTestApp(proxy.url, { poolSize: 1 });
    try {
      const send = (i: number) => postMessages(counted.url, "rt-ws", "rt-s", { messages: [{ content: `m${i}`, peer_id: `p${i % 3}` }, { content: "x", peer_id: "q" }] });
      for (let i = 0; i < 5; i++) expect((await send(i)).status).toBe(201); // connect, prepare
      // an announcement goes out just after its response: count once all are out
      const settled = async () => {
        for (let last = -1; last !== proxy.roundTrips(); ) {
          last = proxy.roundTrips();
          await new Promise((r) => setTimeout(r, 100));
        }
        return proxy.roundTrips();
      };
      const before = await settled();
      const n = 20;
      for (let i = 0; i < n; i++) expect((await send(i)).status).toBe(201);
      const perRequest = ((await settled()) - before) / n;
      expect(perRequest).toBeGreaterThanOrEqual(1);
      expect(perRequest).toBeLessThanOrEqual(2);
    } finally {
      await counted.stop();
      await proxy.close();
    }
  });
});

describe("connections", () => {
  // Writes have connections of their own (database.ts, writeConnectionsOf),
  // so that one write at a time stays on one backend, hot in the CPU's
  // caches, instead of going round every connection of the pool.
  it("gives writes one connection per write slot, one while they come one at a time, within DB_POOL_SIZE", async () => {
    const db = await createTestDatabase(); // its own, so that only this app's connections are counted
    const app = await startTestApp(db.url, { poolSize: 5, writeGroupSlots: 2 });
    const connections = async () => {
      const rows = await db.sql<{ name: string; n: number }[]>`
        SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'honcho-ingest%' GROUP BY 1`;
      return Object.fromEntries(rows.map((r) => [r.name, r.n])) as Record<string, number>;
    };
    const send = (i: number) => postMessages(app.url, "conn-ws", `s${i % 7}`, { messages: [{ content: `m${i}`, peer_id: `p${i % 3}` }] });
    try {
      for (let i = 0; i < 30; i++) expect((await send(i)).status).toBe(201);
      expect((await connections())[WRITES_APPLICATION_NAME]).toBe(1);
      const statuses = await Promise.all(Array.from({ length: 48 }, (_, i) => send(i).then((r) => r.status)));
      expect(statuses.every((s) => s === 201)).toBe(true);
      const after = await connections();
      expect(after[WRITES_APPLICATION_NAME]).toBeGreaterThanOrEqual(1);
      expect(after[WRITES_APPLICATION_NAME]).toBeLessThanOrEqual(2);
      expect(Object.values(after).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5);
      const stored = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM messages WHERE workspace_name = 'conn-ws'`;
      expect(stored[0]!.n).toBe(78);
    } finally {
      await app.stop();
      await db.drop();
    }
  });

  it("leaves one connection for everything else, and shares the pool when it cannot", () => {
    expect(writeConnectionsOf(10, 2)).toBe(2);
    expect(writeConnectionsOf(3, 4)).toBe(2);
    expect(writeConnectionsOf(2, 2)).toBe(1);
    expect(writeConnectionsOf(1, 2)).toBe(0);
    expect(writeConnectionsOf(10, 0)).toBe(0);
  });
});

describe("restart", () => {
  it("keeps the data and continues the sequence", async () => {
    const first = await startTestApp(t.db.url);
    await postMessages(first.url, "keep-ws", "keep-s", { messages: [{ content: "before restart", peer_id: "a" }] });
    await first.stop();
    const second = await startTestApp(t.db.url);
    try {
      const res = await postMessages(second.url, "keep-ws", "keep-s", { messages: [{ content: "after restart", peer_id: "a" }] });
      expect(res.status).toBe(201);
      const rows = await t.db.sql`SELECT content, seq_in_session::int AS seq FROM messages WHERE session_name = 'keep-s' ORDER BY seq_in_session`;
      expect(rows.map((r) => [r.content, r.seq])).toEqual([["before restart", 1], ["after restart", 2]]);
    } finally {
      await second.stop();
    }
  });
});
