// Group commit's fast path (src/store/functions/write-steady.sql): the
// steady batches of a group are written by one statement, the others (new
// peer, new session, inactive session) one at a time by write_one. Whatever
// the path, the rows must be the ones write_one writes for each batch alone:
// messages, sequence numbers, queue rows and payloads (observers, resolved
// configuration, summary cadence), pending embeddings, idempotency keys.
// On Honcho's own schema (test/fixtures), where message_embeddings exists.
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfiguration, loadHonchoSettings } from "../../src/config-honcho.js";
import { newId } from "../../src/domain/ids.js";
import { createMessageStore, type BatchOutcome, type BatchWrite, type MessageStore, type NewMessageRow } from "../../src/store/message-store.js";
import { migrate } from "../../src/store/migrate.js";
import { tablesOf } from "../../src/store/schema.js";
import type { TestDb } from "../support/app.js";
import { createHonchoDatabase } from "../support/honcho-db.js";

const names = { honcho: "public", service: "honcho_ingest" };
const defaults = defaultConfiguration(loadHonchoSettings({}));

let db: TestDb;
let conn: Sql; // one connection, so that its function statistics can be flushed and read
beforeAll(async () => {
  db = await createHonchoDatabase();
  conn = postgres(db.url, { max: 1, onnotice: () => {}, connection: { track_functions: "all" } });
  await migrate(conn, names);
});
afterAll(async () => {
  await conn?.end({ timeout: 1 });
  await db?.drop();
});

const store = (groupSlots: number) => createMessageStore(conn, tablesOf(conn, names), { deadlineMs: 10_000, groupSlots, defaults, embed: true });

// public ids (21 characters, as Honcho's check wants) name their workspace, so
// that two workspaces' rows compare equal once its name is taken out; the
// workspaces' names are all six characters long
const idOf = (ws: string, name: string) => `${ws}-${name}`.padEnd(21, "_");
const row = (id: string, peer: string, content: string, extra: Partial<NewMessageRow> = {}): NewMessageRow => ({
  publicId: id, peerName: peer, content, metadata: {}, tokenCount: content.length, createdAt: null, configuration: null, chunks: null, ...extra,
});
const batch = (ws: string, session: string, rows: NewMessageRow[], extra: Partial<BatchWrite> = {}): BatchWrite => ({
  workspaceName: ws, sessionName: session, newWorkspaceId: newId(), newSessionId: newId(),
  peers: [...new Set(rows.map((r) => r.peerName))].map((name) => ({ name, newId: newId() })), rows, ...extra,
});

// A workspace whose sessions s1, s2 have members a, b, c (b observes others,
// c is not observed), s3 is inactive; summaries every 2 messages; s1 has
// custom instructions. Written alone, the same way for both workspaces.
async function setUp(ws: string) {
  const alone = store(0);
  for (const s of ["s1", "s2", "s3"]) await alone.write(batch(ws, s, ["a", "b", "c"].map((p) => row(idOf(ws, `setup-${s}-${p}`), p, `hello from ${p}`))));
  await conn`UPDATE workspaces SET configuration = '{"summary": {"messages_per_short_summary": 2}}' WHERE name = ${ws}`;
  await conn`UPDATE sessions SET configuration = '{"reasoning": {"custom_instructions": "be brief"}}' WHERE workspace_name = ${ws} AND name = 's1'`;
  await conn`UPDATE session_peers SET configuration = '{"observe_others": true}' WHERE workspace_name = ${ws} AND peer_name = 'b'`;
  await conn`UPDATE peers SET configuration = '{"observe_me": false}' WHERE workspace_name = ${ws} AND name = 'c'`;
  await conn`UPDATE sessions SET is_active = false WHERE workspace_name = ${ws} AND name = 's3'`;
}

// The group: steady batches (several into one session, a message with its own
// configuration, explicit created_at, metadata, internal_metadata, embedding
// chunks, an idempotency key) among batches that are not (a new peer, a new
// session, an inactive session).
const theGroup = (ws: string): BatchWrite[] => [
  batch(ws, "s1", [row(idOf(ws, "1"), "a", "one")]),
  batch(ws, "s1", [row(idOf(ws, "2"), "a", "two", { metadata: { k: [1, "x"] } }), row(idOf(ws, "3"), "b", "three", { createdAt: "2024-05-01T12:00:00.123456Z" })]),
  batch(ws, "s2", [row(idOf(ws, "4"), "c", "not observed", { chunks: ["not ", "observed"] })]),
  batch(ws, "s2", [row(idOf(ws, "5"), "d", "a new peer")]),
  batch(ws, "s1", [row(idOf(ws, "6"), "b", "quiet", { configuration: { reasoning: { enabled: false } } }), row(idOf(ws, "7"), "a", "five", { internalMetadata: { file: "f.txt" } })]),
  batch(ws, "s3", [row(idOf(ws, "8"), "a", "to an inactive session")]),
  batch(ws, "s4", [row(idOf(ws, "9"), "a", "a new session")]),
  batch(ws, "s1", [row(idOf(ws, "10"), "c", "keyed")], { once: { scope: `${ws}/s1`, key: "k1", requestHash: "h", ttlSeconds: 60 } }),
];

/** Runs the batches as one group: the one slot is held (a write blocked on a session lock) while they queue. */
async function asOneGroup(s: MessageStore, ws: string, batches: BatchWrite[]): Promise<PromiseSettledResult<BatchOutcome>[]> {
  const holder = await db.sql.reserve();
  await holder`BEGIN`;
  await holder`SELECT pg_advisory_xact_lock(hashtext(${ws}), hashtext('held'))`;
  const held = s.write(batch(ws, "held", [row(idOf(ws, "held"), "a", "held")]));
  await new Promise((r) => setTimeout(r, 100));
  const outcomes = Promise.allSettled(batches.map((b) => s.write(b)));
  await holder`COMMIT`;
  holder.release();
  await held;
  return outcomes;
}

const functionCalls = async () => {
  await conn`SELECT pg_stat_force_next_flush()`;
  await conn`SELECT 1`;
  const rows = await conn`SELECT funcname, calls::int FROM pg_stat_user_functions WHERE funcname IN ('write_one', 'write_steady')`;
  return Object.fromEntries(rows.map((r) => [r.funcname, r.calls])) as Record<string, number>;
};

// What was stored for a workspace, with its name taken out (and the times the database chose).
async function storedIn(ws: string) {
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(ws, "WS").replace(/"20\d\d-[^"]*"/g, (t) => (t.includes("2024-05-01") ? t : '"T"')));
  const messages = await conn`
    SELECT session_name, seq_in_session::int AS seq, peer_name, content, metadata, internal_metadata, token_count, public_id
    FROM messages WHERE workspace_name = ${ws} ORDER BY session_name, seq_in_session`;
  const queue = await conn`
    SELECT s.name AS session, q.work_unit_key, q.task_type, q.payload, m.public_id
    FROM queue q JOIN sessions s ON s.id = q.session_id LEFT JOIN messages m ON m.id = q.message_id
    WHERE q.workspace_name = ${ws} ORDER BY s.name, q.id`;
  const embeddings = await conn`
    SELECT session_name, peer_name, content, message_id FROM message_embeddings WHERE workspace_name = ${ws} ORDER BY session_name, id`;
  const members = await conn`
    SELECT session_name, peer_name, configuration, left_at IS NULL AS active FROM session_peers WHERE workspace_name = ${ws} ORDER BY session_name, peer_name`;
  const keys = await conn`SELECT key, public_ids FROM honcho_ingest.idempotency_keys WHERE scope = ${`${ws}/s1`}`;
  return plain({ messages, queue, embeddings, members, keys });
}

const outcomeShape = (o: BatchOutcome) => (o.kind === "stored" ? { kind: o.kind, ids: o.rows.map((r) => r.publicId.slice(6)) } : o);
const valueOf = <T>(r: PromiseSettledResult<T>) => {
  if (r.status === "rejected") throw r.reason;
  return r.value;
};

describe("group commit's fast path", () => {
  it("stores exactly what writing each batch alone stores, and is the path taken", async () => {
    await setUp("wsalon");
    await setUp("wsgrup");
    const alone = store(0);
    const aloneOutcomes: BatchOutcome[] = [];
    await alone.write(batch("wsalon", "held", [row(idOf("wsalon", "held"), "a", "held")]));
    for (const b of theGroup("wsalon")) aloneOutcomes.push(await alone.write(b));

    const before = await functionCalls();
    const groupOutcomes = (await asOneGroup(store(1), "wsgrup", theGroup("wsgrup"))).map(valueOf);
    const after = await functionCalls();

    // one statement for the steady batches; write_one for the held write
    // (alone), the new peer, the new session and the inactive session only
    expect((after.write_steady ?? 0) - (before.write_steady ?? 0)).toBe(1);
    expect(after.write_one! - before.write_one!).toBe(4);

    expect(groupOutcomes.map((o) => o.kind)).toEqual(["stored", "stored", "stored", "stored", "stored", "inactive", "stored", "stored"]);
    expect(groupOutcomes.map(outcomeShape)).toEqual(aloneOutcomes.map(outcomeShape));
    expect(await storedIn("wsgrup")).toEqual(await storedIn("wsalon"));

    // and what was stored is what the batches say (not two equal mistakes)
    const s1 = await conn`SELECT seq_in_session::int AS seq, content FROM messages WHERE workspace_name = 'wsgrup' AND session_name = 's1' ORDER BY seq_in_session`;
    expect(s1.map((r) => `${r.seq}:${r.content}`)).toEqual(["1:hello from a", "2:hello from b", "3:hello from c", "4:one", "5:two", "6:three", "7:quiet", "8:five", "9:keyed"]);
    const reps = await conn`
      SELECT m.content, q.payload -> 'observers' AS observers, q.payload -> 'configuration' -> 'reasoning' AS reasoning
      FROM queue q JOIN messages m ON m.id = q.message_id
      WHERE q.workspace_name = 'wsgrup' AND q.task_type = 'representation' AND m.content IN ('one', 'three', 'quiet', 'not observed')
      ORDER BY m.id`;
    expect(reps.map((r) => [r.content, r.observers, r.reasoning.custom_instructions ?? null])).toEqual([
      ["one", ["a", "b"], "be brief"],
      ["three", ["b"], "be brief"],
    ]);
    const summaries = await conn`
      SELECT (payload ->> 'message_seq_in_session')::int AS seq FROM queue
      WHERE workspace_name = 'wsgrup' AND task_type = 'summary' AND payload ->> 'session_name' = 's1' ORDER BY id`;
    expect(summaries.map((r) => r.seq)).toEqual([4, 6, 8]); // the cadence was set after the first three
    const chunks = await conn`SELECT content FROM message_embeddings WHERE workspace_name = 'wsgrup' AND session_name = 's2' ORDER BY id`;
    expect(chunks.map((r) => r.content).slice(-3)).toEqual(["not ", "observed", "a new peer"]);
  });

  it("falls back to one batch at a time when the group statement fails, and only the failing batch fails", async () => {
    await setUp("wsfail");
    await conn`
      CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content = 'boom' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$`;
    await conn`CREATE TRIGGER refuse_boom BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_boom()`;
    try {
      const before = await functionCalls();
      const results = await asOneGroup(store(1), "wsfail", [
        batch("wsfail", "s1", [row(idOf("wsfail", "1"), "a", "fine 1")]),
        batch("wsfail", "s2", [row(idOf("wsfail", "2"), "b", "boom")]),
        batch("wsfail", "s1", [row(idOf("wsfail", "3"), "b", "fine 2")]),
      ]);
      const after = await functionCalls();
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "23514" });
      // the group statement failed (a function that fails is not counted) and
      // was undone; then write_one wrote the held batch and the two good ones
      // (the failing one, failing twice, is not counted either)
      expect((after.write_steady ?? 0) - (before.write_steady ?? 0)).toBe(0);
      expect(after.write_one! - before.write_one!).toBe(3);
      const rows = await conn`SELECT session_name, seq_in_session::int AS seq, content FROM messages WHERE workspace_name = 'wsfail' AND content <> 'held' AND seq_in_session > 3 ORDER BY session_name, seq_in_session`;
      expect(rows.map((r) => `${r.session_name}:${r.seq}:${r.content}`)).toEqual(["s1:4:fine 1", "s1:5:fine 2"]);
    } finally {
      await conn`DROP TRIGGER refuse_boom ON messages`;
      await conn`DROP FUNCTION refuse_boom()`;
    }
  });
});
