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
import { createMessageStore, SPLIT_ARRAY_CHARS, SPLIT_ARRAY_MIN_AVERAGE, textArray, type BatchOutcome, type BatchWrite, type MessageStore, type NewMessageRow } from "../../src/store/message-store.js";
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
  batch(ws, "s1", [row(idOf(ws, "2"), "a", "two", { metadata: { k: [1, "x"] } }), row(idOf(ws, "3"), "b", "three", { createdAt: "2024-05-01T12:00:00.123456Z", createdAtText: "2024-05-01T14:00:00.123456+02:00" })]),
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
  const rows = await conn`SELECT funcname, calls::int FROM pg_stat_user_functions WHERE funcname IN ('write_one', 'write_steady', 'write_batches')`;
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
    const beforeAlone = await functionCalls();
    await alone.write(batch("wsalon", "held", [row(idOf("wsalon", "held"), "a", "held")]));
    for (const b of theGroup("wsalon")) aloneOutcomes.push(await alone.write(b));
    const afterAlone = await functionCalls();
    // written alone, a batch with no idempotency key is one call of
    // write_one; the keyed one goes through write_batches (which calls write_one)
    expect((afterAlone.write_batches ?? 0) - (beforeAlone.write_batches ?? 0)).toBe(1);
    expect((afterAlone.write_one ?? 0) - (beforeAlone.write_one ?? 0)).toBe(9);

    const before = await functionCalls();
    const grouped = store(1);
    const groupOutcomes = (await asOneGroup(grouped, "wsgrup", theGroup("wsgrup"))).map(valueOf);
    const after = await functionCalls();
    // what /metrics reports: two statements, the held write alone and the eight batches together
    expect(grouped.counts()).toEqual({ statements: 2, batches: 9 });
    expect(alone.counts()).toEqual({ statements: 9, batches: 9 });
    // and where the time went: the held write's statement waited ≥ 100 ms on
    // the lock inside PostgreSQL, the eight batches for its slot; written
    // without group commit nothing waits for a slot
    expect(grouped.seconds().writing).toBeGreaterThanOrEqual(0.1);
    expect(grouped.seconds().waiting).toBeGreaterThan(0);
    expect(alone.seconds()).toEqual({ waiting: 0, writing: expect.any(Number) });
    expect(alone.seconds().writing).toBeGreaterThan(0);

    // one statement for the steady batches; write_one for the held write
    // (alone), the new peer, the new session and the inactive session only
    expect((after.write_steady ?? 0) - (before.write_steady ?? 0)).toBe(1);
    expect(after.write_one! - before.write_one!).toBe(4);

    expect(groupOutcomes.map((o) => o.kind)).toEqual(["stored", "stored", "stored", "stored", "stored", "inactive", "stored", "stored"]);
    expect(groupOutcomes.map(outcomeShape)).toEqual(aloneOutcomes.map(outcomeShape));
    const stored = await storedIn("wsgrup");
    expect(stored).toEqual(await storedIn("wsalon"));
    // the created_at a request wrote with an offset is the payload's, as in Honcho's
    expect(JSON.stringify(stored.queue)).toContain('"created_at":"2024-05-01T14:00:00.123456+02:00"');

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

  it("stops a group growing at 256 Ki characters of content: postgres.js serialises a statement on the event loop in one piece", async () => {
    await setUp("wssize");
    const s = store(1);
    // 100 Ki characters each, as five messages (a message's content is limited)
    const long = (i: number) => batch("wssize", "s1", [1, 2, 3, 4, 5].map((k) => row(idOf("wssize", `long${i}-${k}`), "a", "x".repeat(20 * 1024))));
    const short = (i: number) => batch("wssize", "s2", [row(idOf("wssize", `short${i}`), "a", `short ${i}`)]);
    // the held write alone; then two long batches (200 Ki) together; the third long one (past 256 Ki) with the short ones after it
    const outcomes = (await asOneGroup(s, "wssize", [long(1), long(2), long(3), short(1), short(2)])).map(valueOf);
    expect(outcomes.map((o) => o.kind)).toEqual(["stored", "stored", "stored", "stored", "stored"]);
    expect(s.counts()).toEqual({ statements: 3, batches: 6 });
  });

  it("sends long contents and chunks one parameter each, and stores exactly what it was sent, whichever form", async () => {
    // text that an array literal must quote or escape, and a null (a chunk that is the content whole)
    const awkward = ['a "quoted" \\ back\\slash', "{braces}, commas", "NULL", "", "é 𝄞 ", null];
    const long = "y".repeat(SPLIT_ARRAY_CHARS);
    const shapeOf = async (values: (string | null)[]) => {
      const d = await conn`SELECT ${textArray(conn, values)} AS a`.describe();
      return { parameters: d.types.length, split: d.string.includes("ARRAY[") };
    };
    expect(await shapeOf(awkward)).toEqual({ parameters: 1, split: false });
    expect(await shapeOf([...awkward, long])).toEqual({ parameters: 7, split: true });
    // many short elements (a group of single messages), however much they hold together: one literal
    expect(await shapeOf(Array.from({ length: 1000 }, () => "z".repeat(250)))).toEqual({ parameters: 1, split: false });
    expect(await shapeOf(Array.from({ length: 40 }, () => "z".repeat(SPLIT_ARRAY_MIN_AVERAGE)))).toEqual({ parameters: 40, split: true });
    expect(await shapeOf(Array.from({ length: 40 }, () => "z".repeat(SPLIT_ARRAY_MIN_AVERAGE - 1)))).toEqual({ parameters: 1, split: false });
    // more elements than a statement may have parameters for, with the rest: one literal
    const long2k = "w".repeat(2 * SPLIT_ARRAY_MIN_AVERAGE);
    expect(await shapeOf(Array.from({ length: 20_000 }, () => long2k))).toEqual({ parameters: 1, split: false });
    for (const values of [awkward, [...awkward, long]]) {
      // read back as JSON: postgres.js reads an array's unquoted NULL element as the text "NULL"
      const [read] = await conn<{ a: string }[]>`SELECT array_to_json(${textArray(conn, values)})::text AS a`;
      expect(JSON.parse(read!.a)).toEqual(values);
    }

    // through the store: one batch past the limit, alone and in a group, with
    // embedding chunks: what is stored is what was sent, the same both ways
    await setUp("wsspl1");
    await setUp("wsspl2");
    const contents = ['a "quoted" \\ back\\slash', "{braces}, commas", "NULL", "é 𝄞", long];
    const big = (ws: string) =>
      batch(ws, "s1", contents.map((c, i) => row(idOf(ws, `big${i}`), "a", c, { chunks: i % 2 ? null : [c.slice(0, 2), c.slice(2)] })));
    await store(0).write(big("wsspl1"));
    const grouped = (await asOneGroup(store(1), "wsspl2", [big("wsspl2"), batch("wsspl2", "s2", [row(idOf("wsspl2", "small"), "b", "small")])])).map(valueOf);
    expect(grouped.map((o) => o.kind)).toEqual(["stored", "stored"]);
    for (const ws of ["wsspl1", "wsspl2"]) {
      const stored = await conn`SELECT content FROM messages WHERE workspace_name = ${ws} AND session_name = 's1' AND public_id LIKE ${`${ws}-big%`} ORDER BY seq_in_session`;
      expect(stored.map((r) => r.content)).toEqual(contents);
      const chunks = await conn`
        SELECT e.content FROM message_embeddings e WHERE e.workspace_name = ${ws} AND e.message_id LIKE ${`${ws}-big%`} ORDER BY e.id`;
      expect(chunks.map((r) => r.content)).toEqual(contents.flatMap((c, i) => (i % 2 ? [c] : [c.slice(0, 2), c.slice(2)])));
    }
    const { messages: m1, queue: q1 } = await storedIn("wsspl1");
    const { messages: m2, queue: q2 } = await storedIn("wsspl2");
    expect(m2.filter((m: { session_name: string }) => m.session_name === "s1")).toEqual(m1.filter((m: { session_name: string }) => m.session_name === "s1"));
    expect(q2.filter((q: { session: string }) => q.session === "s1")).toEqual(q1.filter((q: { session: string }) => q.session === "s1"));
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

  it("finds the sessions, members and sequence numbers it needs by index, however big the tables are", async () => {
    // a database with many workspaces, sessions, peers, members and messages:
    // a plan that scans a whole table (as a hash join over sessions once did, for every group)
    // costs more with every session a deployment has
    await setUp("wsbig0");
    // as deployments (and the benchmark) name them: the same session and peer
    // names in every workspace
    await conn`INSERT INTO workspaces (id, name) SELECT substr(md5('w' || w), 1, 21), 'wsbig-' || w FROM generate_series(1, 3000) w`;
    await conn`INSERT INTO peers (id, name, workspace_name) SELECT substr(md5(w || 'p' || i), 1, 21), 'p' || i, 'wsbig-' || w FROM generate_series(1, 10) w, generate_series(1, 500) i`;
    await conn`INSERT INTO sessions (id, name, workspace_name) SELECT substr(md5(w || 's' || i), 1, 21), 's' || i, 'wsbig-' || w FROM generate_series(1, 10) w, generate_series(1, 2000) i`;
    await conn`INSERT INTO session_peers (workspace_name, session_name, peer_name) SELECT 'wsbig-' || w, 's' || i, 'p' || (i % 500 + 1) FROM generate_series(1, 10) w, generate_series(1, 2000) i`;
    await conn`
      INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session)
      SELECT substr(md5(w || 'm' || i), 1, 21), 's' || (i % 2000 + 1), 'p' || (i % 500 + 1), 'm', 'wsbig-' || w, i FROM generate_series(1, 10) w, generate_series(1, 3000) i`;
    await conn`ANALYZE workspaces, peers, sessions, session_peers, messages, queue`;

    const plans: { query: string; scans: string[] }[] = [];
    const explained = postgres(db.url, {
      max: 1,
      onnotice: (n) => {
        const json = /plan:\s*(\{[\s\S]*)$/.exec(String(n.message))?.[1];
        if (!json) return;
        const plan = JSON.parse(json) as { "Query Text": string; Plan: PlanNode };
        const scans: string[] = [];
        const walk = (node: PlanNode) => {
          if (node["Node Type"] === "Seq Scan" && node["Relation Name"]) scans.push(node["Relation Name"]);
          node.Plans?.forEach(walk);
        };
        walk(plan.Plan);
        plans.push({ query: plan["Query Text"].replace(/\s+/g, " ").slice(0, 80), scans });
      },
    });
    try {
      await explained`LOAD 'auto_explain'`;
      for (const setting of ["log_min_duration = 0", "log_format = json", "log_nested_statements = on"]) await explained.unsafe(`SET auto_explain.${setting}`);
      // the generic plans, which PL/pgSQL settles on after five calls (the
      // first calls are planned for their actual arguments)
      await explained`SET plan_cache_mode = force_generic_plan`;
      await explained`SET client_min_messages = log`;
      const s = createMessageStore(explained, tablesOf(explained, names), { deadlineMs: 10_000, groupSlots: 1, defaults, embed: true });
      // a group of steady batches (write_steady) and a batch alone (write_one)
      const group = ["s1", "s2", "s1", "s2"].map((session, i) => batch("wsbig0", session, [row(idOf("wsbig0", `g${i}`), "a", `group ${i}`)]));
      const outcomes = await asOneGroup(s, "wsbig0", group);
      expect(outcomes.map((o) => valueOf(o).kind)).toEqual(["stored", "stored", "stored", "stored"]);
      expect((await s.write(batch("wsbig0", "s1", [row(idOf("wsbig0", "lone"), "b", "alone")]))).kind).toBe("stored");
    } finally {
      await explained.end({ timeout: 1 });
    }
    expect(plans.some((p) => p.query.includes("WITH b AS"))).toBe(true); // write_steady's statement was seen
    const honchoTables = new Set(["workspaces", "peers", "sessions", "session_peers", "messages", "queue", "message_embeddings"]);
    expect(plans.filter((p) => p.scans.some((t) => honchoTables.has(t)))).toEqual([]);
  });
});

interface PlanNode { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] }
