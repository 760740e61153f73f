// MessageService/ImportMessages: a client stream of messages stored in
// batches of 100 through the CreateMessages write path, each batch
// idempotent under the import key and its index, so that an import cut off
// mid-stream and sent again from the start stores every message exactly once.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportMessagesRequestSchema, MessageService } from "../../gen/honcho/v3/messages_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { hs256 } from "../support/jwt.js";

type Req = MessageInitShape<typeof ImportMessagesRequestSchema>;

let db: TestDb;
let app: App;
let client: Client<typeof MessageService>;
const logs = memoryLogger();

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, {}, logs.log);
  client = createClient(MessageService, createGrpcTransport({ baseUrl: app.url }));
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const message = (i: number) => ({ content: `message ${i}`, peerId: i % 3 === 0 ? "bob" : "alice", metadata: { i } });

/** The import as requests: the first names it, then messages in requests of `per` (the service re-cuts them), the last marked end. */
async function* requests(ws: string, session: string, key: string, count: number, per = 37, end = true): AsyncGenerator<Req> {
  yield { workspaceId: ws, sessionId: session, importKey: key };
  for (let i = 0; i < count; i += per) yield { messages: Array.from({ length: Math.min(per, count - i) }, (_, k) => message(i + k)), end: end && i + per >= count };
  if (end && count === 0) yield { end: true };
}

const stored = (ws: string, session: string) =>
  db.sql<{ content: string; seq: number; peer_name: string }[]>`
    SELECT content, seq_in_session::int AS seq, peer_name FROM messages WHERE workspace_name = ${ws} AND session_name = ${session} ORDER BY seq_in_session`;

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("ImportMessages over gRPC", () => {
  it("imports 1 000 messages in batches of 100, resumes after a disconnect mid-stream, and stores each exactly once", async () => {
    // first attempt: 537 messages sent, then the client goes away once 5 batches are stored
    const abort = new AbortController();
    const cut = (async function* () {
      for await (const r of requests("imp", "s1", "import-1", 537, 37, false)) yield r;
      await until(async () => (await stored("imp", "s1")).length >= 500);
      await new Promise((r) => setTimeout(r, 200)); // a batch in flight would show by now
      abort.abort();
      await new Promise(() => {}); // the stream stays open until the abort ends it
    })();
    const first = await client.importMessages(cut, { signal: abort.signal }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(first?.code).toBe(Code.Canceled);
    // the server may still be on the stream: give it time to (not) store the tail
    await until(async () => logs.lines().some((l) => l.import === "import-1" && l.msg === "import cut off"));
    expect((await stored("imp", "s1")).length).toBe(500);

    // the client sends everything again under the same key, cut differently
    const res = await client.importMessages(requests("imp", "s1", "import-1", 1000, 64));
    expect({ ...res, firstMessageId: typeof res.firstMessageId, lastMessageId: typeof res.lastMessageId }).toMatchObject({
      messages: 1000n,
      messagesStored: 500n,
      messagesReplayed: 500n,
      batches: 10,
      batchesStored: 5,
      batchesReplayed: 5,
      firstMessageId: "string",
      lastMessageId: "string",
    });

    const rows = await stored("imp", "s1");
    expect(rows.map((r) => r.content)).toEqual(Array.from({ length: 1000 }, (_, i) => `message ${i}`));
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(rows.map((r) => r.peer_name)).toEqual(Array.from({ length: 1000 }, (_, i) => message(i).peerId));
    const [ends] = await db.sql<{ first: string; last: string }[]>`
      SELECT (SELECT public_id FROM messages WHERE session_name = 's1' AND workspace_name = 'imp' AND seq_in_session = 1) AS first,
             (SELECT public_id FROM messages WHERE session_name = 's1' AND workspace_name = 'imp' AND seq_in_session = 1000) AS last`;
    expect([res.firstMessageId, res.lastMessageId]).toEqual([ends!.first, ends!.last]);

    // queued as created messages are: one representation per message
    const [{ n }] = (await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.workspace_name = 'imp' AND m.session_name = 's1' AND q.task_type = 'representation'`) as unknown as [{ n: number }];
    expect(n).toBe(1000);

    // progress, every 10 batches, with counts and a rate; then the total
    const lines = logs.lines().filter((l) => l.import === "import-1");
    const progress = lines.filter((l) => l.msg === "import progress");
    expect(progress.at(-1)).toMatchObject({ workspace: "imp", session: "s1", batches: 10, batchesStored: 5, batchesReplayed: 5, messages: 1000, messagesStored: 500, messagesReplayed: 500 });
    expect(progress.at(-1)!.messagesPerSecond).toBeGreaterThan(0);
    expect(lines.filter((l) => l.msg === "import done").at(-1)).toMatchObject({ batches: 10, messages: 1000, messagesStored: 500, messagesReplayed: 500 });

    // and once more: nothing left to store
    const again = await client.importMessages(requests("imp", "s1", "import-1", 1000, 100));
    expect([again.messagesStored, again.messagesReplayed, again.firstMessageId, again.lastMessageId]).toEqual([0n, 1000n, res.firstMessageId, res.lastMessageId]);
    expect((await stored("imp", "s1")).length).toBe(1000);
  });

  it("refuses a batch that differs from the one stored under its key", async () => {
    await client.importMessages(requests("imp", "s2", "k", 150));
    const changed = (async function* () {
      yield { workspaceId: "imp", sessionId: "s2", importKey: "k", messages: [{ content: "different", peerId: "alice" }], end: true };
    })();
    await expect(client.importMessages(changed)).rejects.toMatchObject({ code: Code.AlreadyExists, rawMessage: "Import k: batch 0 was stored before with other messages" });
    expect((await stored("imp", "s2")).length).toBe(150);
  });

  it("validates each message as Create Messages does, at its place in the import; the batches before it stay stored", async () => {
    const bad = (async function* () {
      for await (const r of requests("imp", "s3", "k3", 250, 37, false)) yield r;
      yield { messages: [{ content: "x".repeat(25_001), peerId: "alice" }], end: true };
    })();
    const err = await client.importMessages(bad).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toBe("1 validation error: body.messages.250.content: String should have at most 25000 characters");
    expect((await stored("imp", "s3")).length).toBe(200);
  });

  it("takes an existing peer under a name the pattern refuses, as Create Messages does; refuses such a name no peer has, and a scope", async () => {
    await db.sql`INSERT INTO workspaces (id, name) VALUES ('importlegacyworkspace', 'imp-legacy')`;
    await db.sql`INSERT INTO peers (id, name, workspace_name) VALUES ('importlegacypeer00001', 'alice.smith', 'imp-legacy')`;
    await db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('importscopepeer000001', 'scope.team', 'imp-legacy', '{"kind": "scope"}')`;
    const one = (session: string, peerId: string) =>
      client
        .importMessages((async function* () { yield { workspaceId: "imp-legacy", sessionId: session, importKey: "k", messages: [{ content: "hi", peerId }, { content: "yo", peerId: "bob" }], end: true }; })())
        .then((r) => r.messagesStored, (e: unknown) => ConnectError.from(e));
    expect(await one("s1", "alice.smith")).toBe(2n);
    expect(await db.sql`SELECT peer_name FROM messages WHERE workspace_name = 'imp-legacy' ORDER BY seq_in_session`).toEqual([{ peer_name: "alice.smith" }, { peer_name: "bob" }]);
    const unknown = await one("s2", "carol.jones");
    expect([(unknown as ConnectError).code, (unknown as ConnectError).rawMessage]).toEqual([
      Code.InvalidArgument,
      "1 validation error: body.messages.0.peer_id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    ]);
    const scope = await one("s3", "scope.team");
    expect([(scope as ConnectError).code, (scope as ConnectError).rawMessage]).toEqual([Code.InvalidArgument, "Peer name(s) ['scope.team'] are scopes. Scope peers cannot author messages."]);
    expect(await db.sql`SELECT name FROM peers WHERE workspace_name = 'imp-legacy' AND name = 'carol.jones'`).toEqual([]);
    expect(await db.sql`SELECT name FROM sessions WHERE workspace_name = 'imp-legacy' ORDER BY name`).toEqual([{ name: "s1" }]);
  });

  it("needs a workspace, a session and an import key in its first request, and keeps them", async () => {
    const call = (reqs: Req[]) =>
      client.importMessages((async function* () { yield* reqs; })()).then(() => undefined, (e: unknown) => ConnectError.from(e));
    const noKey = await call([{ workspaceId: "imp", sessionId: "s4", messages: [message(0)], end: true }]);
    expect([noKey?.code, noKey?.rawMessage]).toEqual([Code.InvalidArgument, "1 validation error: body.import_key: Field required"]);
    const noSession = await call([{ workspaceId: "imp", importKey: "k" }]);
    expect(noSession?.code).toBe(Code.InvalidArgument);
    const moved = await call([{ workspaceId: "imp", sessionId: "s4", importKey: "k" }, { sessionId: "elsewhere", messages: [message(0)], end: true }]);
    expect(moved?.code).toBe(Code.InvalidArgument);
    const afterEnd = await call([{ workspaceId: "imp", sessionId: "s4", importKey: "k", end: true }, { messages: [message(0)] }]);
    expect([afterEnd?.code, afterEnd?.rawMessage]).toEqual([Code.InvalidArgument, "No request may follow the one marked end"]);
    const empty = await call([]);
    expect(empty?.code).toBe(Code.InvalidArgument);
    // an import of nothing is an empty answer
    const none = await client.importMessages((async function* () { yield create(ImportMessagesRequestSchema, { workspaceId: "imp", sessionId: "s5", importKey: "k", end: true }); })());
    expect([none.messages, none.batches, none.firstMessageId]).toEqual([0n, 0, ""]);
  });

  it("fails a stream that closes without its end, storing its whole batches only", async () => {
    const err = await client.importMessages(requests("imp", "s6", "k6", 150, 50, false)).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect([err?.code, err?.rawMessage]).toEqual([
      Code.InvalidArgument,
      "The stream closed without a request marked end: 50 message(s) after the last whole batch were not stored; send the import again under the same key, its last request marked end",
    ]);
    expect((await stored("imp", "s6")).length).toBe(100);
    const res = await client.importMessages(requests("imp", "s6", "k6", 150, 50));
    expect([res.messagesReplayed, res.messagesStored]).toEqual([100n, 50n]);
    expect((await stored("imp", "s6")).map((r) => r.content)).toEqual(Array.from({ length: 150 }, (_, i) => `message ${i}`));
  });
});

describe("ImportMessages and tokens", () => {
  const SECRET = "import-secret";
  let authApp: App;
  beforeAll(async () => {
    authApp = await startTestApp(db.url, { authUseAuth: true, authJwtSecret: SECRET });
  });
  afterAll(async () => {
    await authApp?.stop();
  });

  it("admits the stream by its first request's workspace and session, as Create Messages", async () => {
    const c = createClient(MessageService, createGrpcTransport({ baseUrl: authApp.url }));
    const as = (claims: object | undefined) => (claims ? { headers: { authorization: `Bearer ${hs256(claims, SECRET)}` } } : {});
    const run = (claims: object | undefined) => c.importMessages(requests("imp", "auth", `k-${JSON.stringify(claims)}`, 10), as(claims)).then(() => "ok", (e: unknown) => Code[ConnectError.from(e).code]);
    expect(await run(undefined)).toBe("Unauthenticated");
    expect(await run({ w: "imp", s: "other" })).toBe("Unauthenticated");
    expect(await run({ w: "imp", p: "alice" })).toBe("Unauthenticated");
    expect(await run({ w: "imp", s: "auth" })).toBe("ok");
    expect(await run({ w: "imp" })).toBe("ok");
  });
});
