// Honcho's queue: representation work written in the batch's own transaction
// when reasoning resolves on (message, then session, then workspace, then
// Honcho's default), claimed a work unit at a time through Honcho's own
// protocol (active_queue_sessions) under leases over gRPC; and a stream of a
// session's messages as they commit. Payloads are checked in detail against
// Honcho's models in test/e2e/honcho-deployment.test.ts.
import { createClient, Code, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { QueueService, WatchMessagesRequestSchema, WatchService } from "../../gen/honcho/v3/queue_pb.js";
import pino from "pino";
import { watchMessagesHandler } from "../../src/handlers/watch-messages.js";
import type { Dependencies } from "../../src/handlers/index.js";
import { createMessageReads } from "../../src/store/message-reads.js";
import { ANNOUNCE_GAP_MS, createCommitFeed, MESSAGES_CHANNEL } from "../../src/store/notifications.js";
import { tablesOf } from "../../src/store/schema.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";

const t = useTestApp();
const json = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const write = async (ws: string, session: string, messages: unknown[]) => ((await postMessages(t.app.url, ws, session, { messages })).json as { id: string }[]).map((m) => m.id);
const representationOf = (publicId: string) =>
  t.db.sql`SELECT q.work_unit_key, q.task_type, q.payload FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.public_id = ${publicId} AND q.task_type = 'representation'`;

describe("enqueueing", () => {
  const off = { reasoning: { enabled: false } };
  const on = { reasoning: { enabled: true } };

  it.each([
    ["nothing set: on", {}, {}, {}, true],
    ["message off", {}, {}, off, false],
    ["session off", {}, off, {}, false],
    ["session off, message on", {}, off, on, true],
    ["workspace off", off, {}, {}, false],
    ["workspace off, session on", off, on, {}, true],
    ["workspace on, session off, message on", on, off, on, true],
  ])("%s", async (name, workspace, session, message, enqueued) => {
    const ws = `q-${name.replace(/[^a-z]+/g, "-")}`;
    await json(`${t.app.url}/v3/workspaces`, { id: ws, configuration: workspace });
    await json(`${t.app.url}/v3/workspaces/${ws}/sessions`, { id: "s", configuration: session });
    const [id] = await write(ws, "s", [{ content: "hi", peer_id: "alice", configuration: message }]);
    const rows = await representationOf(id!);
    expect(rows.length).toBe(enqueued ? 1 : 0);
    if (enqueued) {
      expect(rows[0]).toMatchObject({ work_unit_key: `representation:${ws}:s:alice`, task_type: "representation" });
      expect(rows[0]!.payload).toMatchObject({ task_type: "representation", session_name: "s", content: "hi", observed: "alice", observers: ["alice"], configuration: { reasoning: { enabled: true } } });
    }
  });
});

describe("ClaimWork and AckWork", () => {
  const queue = (): Client<typeof QueueService> => createClient(QueueService, createGrpcTransport({ baseUrl: t.app.url }));
  const representation = ["representation"];

  it("never gives one item to two consumers at once, and hands out every item once", async () => {
    // ten senders in one session and six in another: sixteen work units
    await write("claims", "s", Array.from({ length: 100 }, (_, i) => ({ content: `m${i}`, peer_id: `p${i % 10}` })));
    await write("claims", "s2", Array.from({ length: 60 }, (_, i) => ({ content: `n${i}`, peer_id: `q${i % 6}` })));
    const [{ n }] = (await t.db.sql`SELECT count(*)::int AS n FROM queue WHERE workspace_name = 'claims' AND task_type = 'representation'`) as unknown as [{ n: number }];
    expect(n).toBe(160);
    const got: Record<string, bigint[]> = { a: [], b: [], c: [] };
    const holders = new Map<string, string>(); // unit → consumer holding it now
    await Promise.all(Object.keys(got).map(async (consumer) => {
      const client = queue();
      for (;;) {
        const { items } = await client.claimWork({ workspaceId: "claims", consumer, maxItems: 7, leaseSeconds: 60, taskTypes: representation });
        if (items.length === 0) return;
        for (const i of items) {
          const other = holders.get(i.workUnitKey);
          expect(other === undefined || other === consumer).toBe(true);
          holders.set(i.workUnitKey, consumer);
          expect(i.taskType).toBe("representation");
          expect(i.messageId).toMatch(/^[A-Za-z0-9_-]{21}$/);
        }
        got[consumer]!.push(...items.map((i) => i.id));
        const units = new Set(items.map((i) => i.workUnitKey));
        const left = await t.db.sql`SELECT work_unit_key FROM queue WHERE work_unit_key = ANY(${[...units]}) AND NOT processed AND id <> ALL(${items.map((i) => String(i.id))}::bigint[])`;
        for (const u of units) if (!left.some((l) => l.work_unit_key === u)) holders.delete(u); // released by this ack
        expect((await client.ackWork({ workspaceId: "claims", consumer, ids: items.map((i) => i.id) })).acknowledged).toBe(items.length);
      }
    }));
    const all = Object.values(got).flat();
    expect(new Set(all.map(String)).size).toBe(all.length);
    expect(all.length).toBe(160);
    // every unit released once done: Honcho's table holds none of them
    expect(await t.db.sql`SELECT 1 FROM active_queue_sessions WHERE work_unit_key LIKE 'representation:claims:%'`).toHaveLength(0);
  });

  it("gives a unit back when its lease ends, and only the holder may acknowledge", async () => {
    await write("leases", "s", [{ content: "x", peer_id: "a" }, { content: "y", peer_id: "a" }]);
    const client = queue();
    const first = await client.claimWork({ workspaceId: "leases", consumer: "crashy", maxItems: 10, leaseSeconds: 1, taskTypes: representation });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.payload).toMatchObject({ observed: "a", content: "x" });
    expect((await client.claimWork({ workspaceId: "leases", consumer: "other", maxItems: 10, leaseSeconds: 30 })).items).toHaveLength(0);
    expect((await client.ackWork({ workspaceId: "leases", consumer: "other", ids: first.items.map((i) => i.id) })).acknowledged).toBe(0);
    await new Promise((r) => setTimeout(r, 1_300));
    const again = await client.claimWork({ workspaceId: "leases", consumer: "other", maxItems: 10, leaseSeconds: 30, taskTypes: representation });
    expect(again.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id));
    expect((await client.ackWork({ workspaceId: "leases", consumer: "crashy", ids: first.items.map((i) => i.id) })).acknowledged).toBe(0);
    expect((await client.ackWork({ workspaceId: "leases", consumer: "other", ids: again.items.map((i) => i.id), error: "gave up" })).acknowledged).toBe(2);
    expect((await client.claimWork({ workspaceId: "leases", consumer: "x", maxItems: 10, leaseSeconds: 1, taskTypes: representation })).items).toHaveLength(0);
    const [row] = await t.db.sql`SELECT processed, error FROM queue WHERE id = ${String(again.items[0]!.id)}`;
    expect(row).toEqual({ processed: true, error: "gave up" });
  });

  it("shares work units with Honcho's deriver through active_queue_sessions, never the same one", async () => {
    await write("interop", "s", [{ content: "one", peer_id: "held" }, { content: "two", peer_id: "free" }]);
    // Honcho's deriver holds one unit (src/deriver/queue_manager.py claim_work_units)
    const honchoClaim = await t.db.sql`
      INSERT INTO active_queue_sessions (id, work_unit_key) VALUES ('honcho-deriver-claim-1', 'representation:interop:s:held')
      ON CONFLICT DO NOTHING RETURNING work_unit_key`;
    expect(honchoClaim).toHaveLength(1);
    const { items } = await queue().claimWork({ workspaceId: "interop", consumer: "ours", maxItems: 10, taskTypes: representation });
    expect(items.map((i) => i.workUnitKey)).toEqual(["representation:interop:s:free"]);
    // ours now: Honcho's own claim of it finds it taken
    const honchoTry = await t.db.sql`
      INSERT INTO active_queue_sessions (id, work_unit_key) VALUES ('honcho-deriver-claim-2', 'representation:interop:s:free')
      ON CONFLICT DO NOTHING RETURNING work_unit_key`;
    expect(honchoTry).toHaveLength(0);
    await queue().ackWork({ workspaceId: "interop", consumer: "ours", ids: items.map((i) => i.id) });
    // released once done: Honcho can take the key again
    expect(await t.db.sql`SELECT 1 FROM active_queue_sessions WHERE work_unit_key = 'representation:interop:s:free'`).toHaveLength(0);
    expect(await t.db.sql`SELECT 1 FROM active_queue_sessions WHERE work_unit_key = 'representation:interop:s:held'`).toHaveLength(1);
  });

  it("hands a consumer only the task types it asks for", async () => {
    await json(`${t.app.url}/v3/workspaces`, { id: "types", configuration: { summary: { messages_per_short_summary: 10, messages_per_long_summary: 20 } } });
    await write("types", "s", Array.from({ length: 10 }, (_, i) => ({ content: `m${i}`, peer_id: "a" })));
    const client = queue();
    const summaries = await client.claimWork({ workspaceId: "types", consumer: "summariser", maxItems: 50, taskTypes: ["summary"] });
    expect(summaries.items.map((i) => [i.taskType, i.workUnitKey, i.payload?.message_seq_in_session])).toEqual([["summary", "summary:types:s:None:None", 10]]);
    const reps = await client.claimWork({ workspaceId: "types", consumer: "reasoner", maxItems: 50, taskTypes: ["representation"] });
    expect(reps.items).toHaveLength(10);
    expect(reps.items.every((i) => i.taskType === "representation")).toBe(true);
  });

  it("refuses bad requests and, with auth, tokens of other workspaces", async () => {
    await expect(queue().claimWork({ workspaceId: "claims", consumer: "", maxItems: 5000 })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(queue().claimWork({ workspaceId: "claims", consumer: "c", taskTypes: ["Rep; DROP"] })).rejects.toMatchObject({ code: Code.InvalidArgument });
    const secured = await startTestApp(t.db.url, { authUseAuth: true, authJwtSecret: "q" });
    try {
      const client = createClient(QueueService, createGrpcTransport({ baseUrl: secured.url }));
      const as = (claims: object) => ({ headers: { authorization: `Bearer ${hs256(claims, "q")}` } });
      await expect(client.claimWork({ workspaceId: "claims", consumer: "c" }, as({ w: "claims" }))).resolves.toBeDefined();
      await expect(client.claimWork({ workspaceId: "claims", consumer: "c" }, as({ w: "other" }))).rejects.toMatchObject({ code: Code.Unauthenticated });
      await expect(client.claimWork({ workspaceId: "claims", consumer: "c" }, as({ w: "claims", s: "s" }))).rejects.toMatchObject({ code: Code.Unauthenticated });
    } finally {
      await secured.stop();
    }
  });
});

describe("WatchMessages", () => {
  it("follows the read rules: members' peer tokens may watch, other workspaces may not", async () => {
    await write("watch-auth", "s", [{ content: "hello", peer_id: "alice" }]);
    const secured = await startTestApp(t.db.url, { authUseAuth: true, authJwtSecret: "w" });
    try {
      const watch = createClient(WatchService, createGrpcTransport({ baseUrl: secured.url }));
      const first = async (claims: object) => {
        const abort = new AbortController();
        try {
          for await (const m of watch.watchMessages({ workspaceId: "watch-auth", sessionId: "s" }, { signal: abort.signal, headers: { authorization: `Bearer ${hs256(claims, "w")}` } })) {
            abort.abort();
            return m.message!.content;
          }
        } catch (e) {
          if (abort.signal.aborted) return "aborted";
          return (e as { code: number }).code;
        }
        return "none";
      };
      expect(await first({ w: "watch-auth", p: "alice" })).toBe("hello");
      expect(await first({ w: "watch-auth" })).toBe("hello");
      expect(await first({ w: "other" })).toBe(Code.Unauthenticated);
      expect(await first({ w: "watch-auth", p: "mallory" })).toBe(Code.Unauthenticated);
    } finally {
      await secured.stop();
    }
  });

  it("delivers every message once, in order, across a reconnect with after_seq", async () => {
    const watch = createClient(WatchService, createGrpcTransport({ baseUrl: t.app.url }));
    const early = await write("watch", "s", [{ content: "0", peer_id: "a" }, { content: "1", peer_id: "b" }]);
    const seen: { id: string; seq: bigint }[] = [];
    // first connection: replay, then tail until 5 messages, then hang up
    const first = new AbortController();
    const writer = (async () => {
      for (let i = 2; i < 12; i++) {
        await write("watch", "s", [{ content: String(i), peer_id: "a" }]);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for await (const m of watch.watchMessages({ workspaceId: "watch", sessionId: "s", afterSeq: 0n }, { signal: first.signal })) {
        seen.push({ id: m.message!.id, seq: m.seqInSession });
        if (seen.length === 5) first.abort();
      }
    } catch {
      // the abort ends the stream
    }
    await writer;
    // second connection resumes after the last one seen
    const second = new AbortController();
    const rest = (async () => {
      for await (const m of watch.watchMessages({ workspaceId: "watch", sessionId: "s", afterSeq: seen.at(-1)!.seq }, { signal: second.signal })) {
        seen.push({ id: m.message!.id, seq: m.seqInSession });
        if (seen.length === 13) second.abort();
      }
    })().catch(() => {});
    await write("watch", "s", [{ content: "12", peer_id: "b" }]);
    await rest;
    expect(seen.map((s) => Number(s.seq))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const stored = await t.db.sql`SELECT public_id FROM messages WHERE session_name = 's' AND workspace_name = 'watch' ORDER BY seq_in_session`;
    expect(seen.map((s) => s.id)).toEqual(stored.map((r) => r.public_id));
    expect(seen.slice(0, 2).map((s) => s.id)).toEqual(early);
  });

  // The stream's own generator, on the real store: the test decides when it
  // resumes, so a commit lands while it is suspended at a yield ("sending").
  it("reads again at once when told of a commit while it was sending, not at the next poll", async () => {
    const commits = createCommitFeed(t.db.sql, t.app.db.dedicated, pino({ level: "silent" }));
    const abort = new AbortController();
    const deps = { reads: createMessageReads(t.db.sql, tablesOf(t.db.sql, t.app.db.schemas)), commits } as unknown as Dependencies;
    const stream = watchMessagesHandler(deps)(create(WatchMessagesRequestSchema, { workspaceId: "watch-late", sessionId: "s", afterSeq: 0n }), { requestId: "t", signal: abort.signal, headers: new Headers() });
    const it = stream[Symbol.asyncIterator]();
    try {
      await write("watch-late", "s", [{ content: "0", peer_id: "a" }]);
      expect((await it.next()).value?.message?.content).toBe("0");
      await new Promise((r) => setTimeout(r, 500)); // LISTEN is up
      await write("watch-late", "s", [{ content: "1", peer_id: "a" }]);
      await new Promise((r) => setTimeout(r, 300)); // its notification arrives while the stream is suspended
      const started = Date.now();
      expect((await it.next()).value?.message?.content).toBe("1");
      expect(Date.now() - started).toBeLessThan(2_000); // the poll is 5 s
    } finally {
      abort.abort();
      await it.return?.(undefined);
      await commits.close();
    }
  });
});

// Commit announcements on real PostgreSQL: the feed's own NOTIFY statements
// are counted through the pool's tag function; a LISTEN connection of the
// test's own hears what they say.
describe("commit announcements", () => {
  async function feedAndEar(gapMs?: number) {
    const statements: number[] = [];
    const counted = ((strings: TemplateStringsArray, ...values: unknown[]) => {
      if (strings.join("?").includes("pg_notify")) statements.push((values[1] as string[]).length);
      return t.db.sql(strings, ...(values as never[]));
    }) as unknown as typeof t.db.sql;
    const commits = createCommitFeed(counted, undefined, pino({ level: "silent" }), gapMs);
    const heard: string[] = [];
    const ear = t.app.db.dedicated!({ onnotify: (channel, key) => channel === MESSAGES_CHANNEL && heard.push(key), onclose: () => {} });
    await ear.unsafe(`LISTEN ${MESSAGES_CHANNEL}`);
    const until = async (n: number) => {
      for (let i = 0; i < 500 && heard.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    return { statements, commits, heard, until, close: async () => (await commits.close(), await ear.end()) };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it("announces a commit after a quiet spell at once, and the commits of a busy spell together, one statement per gap", async () => {
    const f = await feedAndEar(1_000);
    try {
      f.commits.announce("ann", "first");
      await tick();
      expect(f.statements).toEqual([1]); // sent without waiting for a timer
      await f.until(1);
      const sentAt = performance.now();
      for (let i = 0; i < 20; i++) f.commits.announce("ann", `s${i}`);
      f.commits.announce("ann", "s0"); // the same session twice: told once
      await new Promise((r) => setTimeout(r, 300));
      expect(f.statements).toEqual([1]); // the gap has not passed
      await f.until(21);
      expect(performance.now() - sentAt).toBeGreaterThan(600);
      expect(f.heard.sort()).toEqual(["ann/first", ...Array.from({ length: 20 }, (_, i) => `ann/s${i}`)].sort());
      expect(f.statements).toEqual([1, 20]); // the busy spell: one statement, once the gap had passed
    } finally {
      await f.close();
    }
  });

  it("waits no longer than the gap: the default is a few milliseconds", async () => {
    expect(ANNOUNCE_GAP_MS).toBeLessThanOrEqual(20);
    const f = await feedAndEar();
    try {
      f.commits.announce("ann-gap", "a");
      await f.until(1);
      f.commits.announce("ann-gap", "b");
      await f.until(2);
      await new Promise((r) => setTimeout(r, 2 * ANNOUNCE_GAP_MS));
      f.commits.announce("ann-gap", "c");
      await tick();
      expect(f.statements.length).toBe(3); // b after its gap, c at once
      await f.until(3);
      expect(f.heard).toEqual(["ann-gap/a", "ann-gap/b", "ann-gap/c"]);
    } finally {
      await f.close();
    }
  });

  it("sends what waits for its turn when it closes", async () => {
    const f = await feedAndEar(60_000);
    try {
      f.commits.announce("ann-close", "a");
      f.commits.announce("ann-close", "b"); // waits for the gap
      const closing = performance.now();
      await f.commits.close();
      expect(performance.now() - closing).toBeLessThan(10_000);
      expect(f.statements).toEqual([1, 1]);
      await f.until(2);
      expect(f.heard).toEqual(["ann-close/a", "ann-close/b"]);
    } finally {
      await f.close();
    }
  });
});
