// Idempotent retries: the same Idempotency-Key and request answer the first
// response without storing again, even while the first attempt is in flight;
// the same key with another request is a conflict; keys expire.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { defaultConfiguration, loadHonchoSettings } from "../../src/config-honcho.js";
import { newId } from "../../src/domain/ids.js";
import { createMessageStore, type BatchWrite } from "../../src/store/message-store.js";
import { tablesOf } from "../../src/store/schema.js";

const t = useTestApp();
const send = (session: string, key: string, messages: unknown[], url = t.app.url) =>
  postMessages(url, "idem", session, { messages }, { headers: { "content-type": "application/json", "idempotency-key": key } });
const stored = async (session: string) => (await t.db.sql`SELECT count(*)::int AS n FROM messages WHERE session_name = ${session}`)[0]!.n as number;
const one = [{ content: "pay invoice 7", peer_id: "alice" }];

describe("Idempotency-Key", () => {
  it("answers a retry with the first response and stores once", async () => {
    const first = await send("s-seq", "k1", one);
    const retry = await send("s-seq", "k1", one);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(await stored("s-seq")).toBe(1);
    expect((await send("s-seq", "k2", one)).status).toBe(201); // another key is another request
    expect(await stored("s-seq")).toBe(2);
  });

  it("holds retries that arrive while the first attempt is in flight", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => send("s-race", "race", [...one, { content: "and 8", peer_id: "bob" }])));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    const ids = answers.map((a) => (a.json as { id: string }[]).map((m) => m.id).join());
    expect(new Set(ids).size).toBe(1);
    expect(await stored("s-race")).toBe(2);
  });

  it("refuses the key with a different request: 409 / ALREADY_EXISTS", async () => {
    expect((await send("s-conflict", "kc", one)).status).toBe(201);
    const other = await send("s-conflict", "kc", [{ content: "something else", peer_id: "alice" }]);
    expect(other.status).toBe(409);
    expect(other.json).toEqual({ detail: "Idempotency-Key kc was already used with a different request" });
    const err = await messageClient(rpcProtocols["grpc (h2c)"]!(t.app.url))
      .createMessages({ workspaceId: "idem", sessionId: "s-conflict", messages: [{ content: "x", peerId: "a" }] }, { headers: { "idempotency-key": "kc" } })
      .catch((e: ConnectError) => e);
    expect((err as ConnectError).code).toBe(Code.AlreadyExists);
    expect(await stored("s-conflict")).toBe(1);
  });

  it("is the same request whatever the protocol", async () => {
    const rest = await send("s-proto", "kp", one);
    const grpc = await messageClient(rpcProtocols["grpc (h2c)"]!(t.app.url)).createMessages(
      { workspaceId: "idem", sessionId: "s-proto", messages: [{ content: "pay invoice 7", peerId: "alice" }] },
      { headers: { "idempotency-key": "kp" } },
    );
    expect(grpc.messages.map((m) => m.id)).toEqual((rest.json as { id: string }[]).map((m) => m.id));
    expect(await stored("s-proto")).toBe(1);
  });

  it("does not keep the key of an attempt that failed", async () => {
    await postMessages(t.app.url, "idem", "s-closed", { messages: one });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 's-closed'`;
    expect((await send("s-closed", "kf", one)).status).toBe(404);
    await t.db.sql`UPDATE sessions SET is_active = true WHERE name = 's-closed'`;
    expect((await send("s-closed", "kf", one)).status).toBe(201);
    expect(await stored("s-closed")).toBe(2);
  });

  it("refuses an over-long key", async () => {
    expect((await send("s-long", "k".repeat(256), one)).status).toBe(400);
  });
});

describe("expiry", () => {
  let short: App;
  beforeAll(async () => {
    short = await startTestApp(t.db.url, { idempotencyTtlSeconds: 1, idempotencySweepMs: 200 });
  });
  afterAll(async () => short?.stop());

  it("forgets a key after IDEMPOTENCY_TTL_SECONDS", async () => {
    const first = await send("s-exp", "ke", one, short.url);
    expect((await send("s-exp", "ke", one, short.url)).json).toEqual(first.json);
    await new Promise((r) => setTimeout(r, 1_500));
    const later = await send("s-exp", "ke", one, short.url);
    expect(later.status).toBe(201);
    expect(later.json).not.toEqual(first.json);
    expect(await stored("s-exp")).toBe(2);
  });

  it("deletes expired keys from the table, and only those", async () => {
    await t.db.sql`INSERT INTO honcho_ingest.idempotency_keys (scope, key, request_hash, expires_at) VALUES ('test', 'lives', 'h', now() + interval '1 hour')`;
    await send("s-sweep", "ks", one, short.url);
    const keys = () => t.db.sql`SELECT key FROM honcho_ingest.idempotency_keys WHERE key IN ('ks', 'lives') ORDER BY key`.then((r) => r.map((k) => k.key));
    expect(await keys()).toEqual(["ks", "lives"]);
    await new Promise((r) => setTimeout(r, 1_600)); // past its TTL, and a sweep or more
    expect(await keys()).toEqual(["lives"]);
  });
});

describe("under group commit", () => {
  // Two attempts with one key must never share a group: in one transaction
  // the second would find the first's key row with no ids yet and replay none.
  it("writes two attempts with one key in turn, the second answering the first's ids", async () => {
    const names = t.app.db.schemas;
    const store = createMessageStore(t.db.sql, tablesOf(t.db.sql, names), { deadlineMs: 10_000, groupSlots: 1, defaults: defaultConfiguration(loadHonchoSettings({})), embed: false });
    const batch = (session: string): BatchWrite => ({
      workspaceName: "idem", sessionName: session, newWorkspaceId: newId(), newSessionId: newId(), peers: [{ name: "a", newId: newId() }],
      rows: [{ publicId: newId(), peerName: "a", content: "once", metadata: {}, tokenCount: 1, createdAt: null, configuration: null, chunks: [] }],
    });
    const once = { scope: "test:idem/s-group", key: "kg", requestHash: "h", ttlSeconds: 60 };
    // hold the one slot: a write to a session whose lock another transaction holds
    const holder = await t.db.sql.reserve();
    await holder`BEGIN`;
    await holder`SELECT pg_advisory_xact_lock(hashtext('idem'), hashtext('s-held'))`;
    const held = store.write(batch("s-held"));
    await new Promise((r) => setTimeout(r, 100));
    const first = store.write({ ...batch("s-group"), once });
    const second = store.write({ ...batch("s-group"), once });
    await new Promise((r) => setTimeout(r, 100));
    await holder`COMMIT`;
    holder.release();
    await held;
    const [a, b] = await Promise.all([first, second]);
    expect(a.kind).toBe("stored");
    expect(b).toEqual({ kind: "replay", publicIds: (a as { rows: { publicId: string }[] }).rows.map((r) => r.publicId) });
    expect(await stored("s-group")).toBe(1);
  });
});
