// Reasoning work: enqueued in the batch's own statement when reasoning is
// enabled (message, then session, then workspace, then on), claimed under
// leases over gRPC, and a stream of a session's messages as they commit.
import { createClient, Code, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { QueueService, WatchMessagesRequestSchema, WatchService } from "../../gen/honcho/v3/queue_pb.js";
import pino from "pino";
import { watchMessagesHandler } from "../../src/handlers/watch-messages.js";
import type { Dependencies } from "../../src/handlers/index.js";
import { createMessageReads } from "../../src/store/message-reads.js";
import { createCommitFeed } from "../../src/store/notifications.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";

const t = useTestApp();
const json = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const write = async (ws: string, session: string, messages: unknown[]) => ((await postMessages(t.app.url, ws, session, { messages })).json as { id: string }[]).map((m) => m.id);

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
    const rows = await t.db.sql`SELECT work_unit_key, task_type, payload FROM queue WHERE payload->>'message_public_id' = ${id!}`;
    expect(rows.length).toBe(enqueued ? 1 : 0);
    if (enqueued) {
      expect(rows[0]).toMatchObject({ work_unit_key: `representation:${ws}:s:alice`, task_type: "representation" });
      expect(rows[0]!.payload).toMatchObject({ workspace_name: ws, session_name: "s", observed: "alice", seq_in_session: 1, message_public_id: id });
    }
  });
});

describe("ClaimWork and AckWork", () => {
  const queue = (): Client<typeof QueueService> => createClient(QueueService, createGrpcTransport({ baseUrl: t.app.url }));

  it("never gives one item to two consumers at once", async () => {
    const ids = [...(await write("claims", "s", Array.from({ length: 100 }, (_, i) => ({ content: `m${i}`, peer_id: "a" })))), ...(await write("claims", "s2", Array.from({ length: 60 }, (_, i) => ({ content: `n${i}`, peer_id: "b" }))))];
    const got: Record<string, bigint[]> = { a: [], b: [], c: [] };
    await Promise.all(Object.keys(got).map(async (consumer) => {
      const client = queue();
      for (;;) {
        const { items } = await client.claimWork({ workspaceId: "claims", consumer, maxItems: 7, leaseSeconds: 60 });
        if (items.length === 0) return;
        got[consumer]!.push(...items.map((i) => i.id));
        expect((await client.ackWork({ workspaceId: "claims", consumer, ids: items.map((i) => i.id) })).acknowledged).toBe(items.length);
      }
    }));
    const all = Object.values(got).flat();
    expect(new Set(all.map(String)).size).toBe(all.length);
    expect(all.length).toBe(ids.length);
  });

  it("gives items back when a lease expires, and only the holder may acknowledge", async () => {
    await write("leases", "s", [{ content: "x", peer_id: "a" }, { content: "y", peer_id: "a" }]);
    const client = queue();
    const first = await client.claimWork({ workspaceId: "leases", consumer: "crashy", maxItems: 10, leaseSeconds: 1 });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.payload).toMatchObject({ observed: "a" });
    expect((await client.claimWork({ workspaceId: "leases", consumer: "other", maxItems: 10, leaseSeconds: 30 })).items).toHaveLength(0);
    expect((await client.ackWork({ workspaceId: "leases", consumer: "other", ids: first.items.map((i) => i.id) })).acknowledged).toBe(0);
    await new Promise((r) => setTimeout(r, 1_300));
    const again = await client.claimWork({ workspaceId: "leases", consumer: "other", maxItems: 10, leaseSeconds: 30 });
    expect(again.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id));
    expect((await client.ackWork({ workspaceId: "leases", consumer: "crashy", ids: first.items.map((i) => i.id) })).acknowledged).toBe(0);
    expect((await client.ackWork({ workspaceId: "leases", consumer: "other", ids: again.items.map((i) => i.id), error: "gave up" })).acknowledged).toBe(2);
    expect((await client.claimWork({ workspaceId: "leases", consumer: "x", maxItems: 10, leaseSeconds: 1 })).items).toHaveLength(0);
    const [row] = await t.db.sql`SELECT processed, error FROM queue WHERE id = ${String(again.items[0]!.id)}`;
    expect(row).toEqual({ processed: true, error: "gave up" });
  });

  it("refuses bad requests and, with auth, tokens of other workspaces", async () => {
    await expect(queue().claimWork({ workspaceId: "claims", consumer: "", maxItems: 5000 })).rejects.toMatchObject({ code: Code.InvalidArgument });
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
    const deps = { reads: createMessageReads(t.db.sql), commits } as unknown as Dependencies;
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
