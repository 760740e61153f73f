// Inside a real Honcho deployment: the service on a database made by Honcho's
// own migrations (test/fixtures, alembic head e4eba9cfaa6f), beside Honcho's
// own writer, writing rows Honcho's deriver accepts.
import fc from "fast-check";
import postgres from "postgres";
import { get_encoding } from "tiktoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { loadHonchoSettings, type HonchoSettings } from "../../src/config-honcho.js";
import { migrate } from "../../src/store/migrate.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { catalogSnapshot, createHonchoDatabase } from "../support/honcho-db.js";
import { checkWithHonchoModels, runPythonOracle } from "../support/honcho-payloads.js";
import { honchoCreateMessages } from "../support/honcho-writer.js";

const settings = (over: Partial<HonchoSettings> = {}): HonchoSettings => ({ ...loadHonchoSettings({}), ...over });
const TABLES = ["workspaces", "peers", "sessions", "session_peers", "messages", "queue", "active_queue_sessions"];
const post = (app: App, ws: string, s: string, messages: unknown[]) => postMessages(app.url, ws, s, { messages });
const ids = (r: { json?: unknown }) => (r.json as { id: string }[]).map((m) => m.id);
const skipped = (what: string) => console.warn(`\n*** SKIPPED: ${what}: python3 with pydantic>=2 is not available ***\n`);

describe("attached to Honcho's database", () => {
  let db: TestDb;
  let app: App;
  let before: string;
  beforeAll(async () => {
    db = await createHonchoDatabase();
    before = await catalogSnapshot(db.sql, "public");
    app = await startTestApp(db.url, { honcho: settings() });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it("knows it is attached, and keeps its own state in its own schema", async () => {
    expect(app.db.layout).toMatchObject({ mode: "attached", honchoRevision: "e4eba9cfaa6f", embeddings: true });
    const own = await db.sql`SELECT relname FROM pg_class WHERE relnamespace = 'honcho_ingest'::regnamespace AND relkind = 'r' ORDER BY relname`;
    expect(own.map((r) => r.relname)).toEqual(["claims", "idempotency_keys", "schema_migrations"]);
  });

  it("answers 201 after Honcho's own server wrote to the session (it answered 500 forever)", async () => {
    await honchoCreateMessages(db.sql, "acme", "after-honcho", [{ peer: "alice", content: "from Honcho" }]);
    const res = await post(app, "acme", "after-honcho", [{ content: "from the service", peer_id: "alice" }]);
    expect(res.status).toBe(201);
    await honchoCreateMessages(db.sql, "acme", "after-honcho", [{ peer: "bob", content: "Honcho again" }]);
    expect((await post(app, "acme", "after-honcho", [{ content: "and again", peer_id: "bob" }])).status).toBe(201);
    const rows = await db.sql`SELECT seq_in_session::int AS seq, content FROM messages WHERE session_name = 'after-honcho' ORDER BY seq_in_session`;
    expect(rows.map((r) => [r.seq, r.content])).toEqual([[1, "from Honcho"], [2, "from the service"], [3, "Honcho again"], [4, "and again"]]);
  });

  it("shares one session with Honcho's writer under Honcho's lock: unique, gapless, no error on either side", async () => {
    const errors: unknown[] = [];
    const batches: { who: string; ids: string[] }[] = [];
    await Promise.all([
      ...Array.from({ length: 6 }, async (_, w) => {
        for (let b = 0; b < 15; b++) {
          const rows = await honchoCreateMessages(db.sql, "acme", "shared", Array.from({ length: 1 + ((w + b) % 3) }, (_, i) => ({ peer: `h${w}`, content: `honcho ${w}/${b}/${i}` }))).catch((e) => void errors.push(e));
          if (rows) batches.push({ who: "honcho", ids: rows.map((r) => r.public_id) });
        }
      }),
      ...Array.from({ length: 6 }, async (_, w) => {
        for (let b = 0; b < 15; b++) {
          const res = await post(app, "acme", "shared", Array.from({ length: 1 + ((w + b) % 4) }, (_, i) => ({ content: `service ${w}/${b}/${i}`, peer_id: `s${w}` })));
          if (res.status !== 201) errors.push(res);
          else batches.push({ who: "service", ids: ids(res) });
        }
      }),
    ]);
    expect(errors).toEqual([]);
    const seqs = new Map((await db.sql`SELECT public_id, seq_in_session::int AS seq FROM messages WHERE session_name = 'shared'`).map((r) => [r.public_id as string, r.seq as number]));
    const all = [...seqs.values()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(all.length).toBe(batches.reduce((n, b) => n + b.ids.length, 0));
    for (const b of batches) {
      const s = b.ids.map((id) => seqs.get(id)!);
      expect(s).toEqual(s.map((_, i) => s[0]! + i));
    }
    expect(new Set(batches.map((b) => b.who))).toEqual(new Set(["honcho", "service"]));
  });

  it("retries a unique violation from a writer racing outside the lock protocol instead of answering 500", async () => {
    // the first insert into this session meets a row with its seq_in_session,
    // written by "someone else" in between (a trigger, once: a sequence is not rolled back)
    await db.sql.unsafe(`
      CREATE SEQUENCE race_once;
      CREATE FUNCTION race() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.session_name = 'race' AND nextval('race_once') = 1 THEN
          INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session)
          VALUES ('racer_racer_racer_123', NEW.session_name, NEW.peer_name, 'racer', NEW.workspace_name, NEW.seq_in_session);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER race BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION race();`);
    try {
      const res = await post(app, "acme", "race", [{ content: "mine", peer_id: "alice" }]);
      expect(res.status).toBe(201);
      expect(await db.sql`SELECT content, seq_in_session::int AS seq FROM messages WHERE session_name = 'race'`).toEqual([{ content: "mine", seq: 1 }]);
    } finally {
      await db.sql.unsafe(`DROP TRIGGER race ON messages; DROP FUNCTION race(); DROP SEQUENCE race_once;`);
    }
  });

  it("refuses a session Honcho has deleted (inactive) with Honcho's 404, writing nothing", async () => {
    await honchoCreateMessages(db.sql, "acme", "gone", [{ peer: "alice", content: "x" }]);
    await db.sql`UPDATE sessions SET is_active = false WHERE name = 'gone'`;
    const res = await post(app, "acme", "gone", [{ content: "y", peer_id: "newcomer" }]);
    expect([res.status, res.json]).toEqual([404, { detail: "Session gone not found in workspace acme" }]);
    expect(await db.sql`SELECT 1 FROM peers WHERE name = 'newcomer'`).toHaveLength(0);
  });

  it("writes queue rows Honcho's own payload models accept, with Honcho's observers and summary cadence", async () => {
    // workspace: summaries every 10 and 20; session: reasoning from a legacy key
    await db.sql`INSERT INTO workspaces (id, name, configuration) VALUES ('wqueuewqueuewqueue123', 'qws', ${db.sql.json({ summary: { messages_per_short_summary: 10, messages_per_long_summary: 20 } })})`;
    await db.sql`INSERT INTO sessions (id, name, workspace_name, configuration) VALUES ('squeuesqueuesqueue123', 'room', 'qws', ${db.sql.json({ deriver: { enabled: true }, reasoning: { custom_instructions: "be kind" } })})`;
    // members: carol observes others, dave observes others but has left, erin is not observed (peer level)
    await db.sql`INSERT INTO peers (id, name, workspace_name, configuration) VALUES
      ('pcarolpcarolpcarol123', 'carol', 'qws', '{}'), ('pdavepdavepdavepdave1', 'dave', 'qws', '{}'), ('perinperinperinperin1', 'erin', 'qws', '{"observe_me": false}')`;
    await db.sql`INSERT INTO session_peers (workspace_name, session_name, peer_name, configuration, left_at) VALUES
      ('qws', 'room', 'carol', '{"observe_me": null, "observe_others": true}', NULL),
      ('qws', 'room', 'dave', '{"observe_others": true}', now()),
      ('qws', 'room', 'erin', '{"observe_me": null, "observe_others": null}', NULL)`;
    const first = await post(app, "qws", "room", Array.from({ length: 19 }, (_, i) => ({ content: `m${i + 1}`, peer_id: i % 2 ? "bob" : "alice" })));
    expect(first.status).toBe(201);
    const last = await post(app, "qws", "room", [
      { content: "m20", peer_id: "erin" },
      { content: "m21", peer_id: "alice", configuration: { reasoning: { enabled: false } } },
    ]);
    expect(last.status).toBe(201);
    const rows = await db.sql<{ id: string; task_type: string; work_unit_key: string; workspace_name: string; session_id: string; seq: number; payload: Record<string, unknown> }[]>`
      SELECT q.id::text, q.task_type, q.work_unit_key, q.workspace_name, q.session_id, m.seq_in_session::int AS seq, q.payload
      FROM queue q JOIN messages m ON m.id = q.message_id WHERE q.workspace_name = 'qws' ORDER BY q.id`;
    // per message: summary (seq 10 and 20) then representation; none for erin (not observed) or m21 (reasoning off)
    expect(rows.map((r) => `${r.seq}:${r.task_type}`)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `${i + 1}:representation`),
      "10:summary", "10:representation",
      ...Array.from({ length: 9 }, (_, i) => `${i + 11}:representation`),
      "20:summary",
    ]);
    expect(new Set(rows.map((r) => r.session_id))).toEqual(new Set(["squeuesqueuesqueue123"]));
    const rep = rows.find((r) => r.seq === 1)!;
    expect(rep.work_unit_key).toBe("representation:qws:room:alice");
    expect(rep.payload).toEqual({
      task_type: "representation",
      session_name: "room",
      content: "m1",
      observers: ["alice", "carol"], // the sender, then active members observing others (not dave: left)
      observed: "alice",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/),
      configuration: {
        reasoning: { enabled: true, custom_instructions: "be kind" },
        peer_card: { use: true, create: true },
        summary: { enabled: true, messages_per_short_summary: 10, messages_per_long_summary: 20 },
        dream: { enabled: true },
      },
    });
    expect(rows.find((r) => r.seq === 20)!.payload).toMatchObject({ task_type: "summary", session_name: "room", message_seq_in_session: 20 });
    expect(rows.find((r) => r.seq === 20)!.work_unit_key).toBe("summary:qws:room:None:None");
    const verdict = await checkWithHonchoModels(rows);
    if (verdict === "unavailable") skipped("queue rows against Honcho's payload models");
    else expect(verdict).toEqual([]);
  });

  it("leaves Honcho's schema exactly as it found it", async () => {
    expect(await catalogSnapshot(db.sql, "public")).toBe(before);
  });
});

describe("attached to Honcho's database in its own DB_SCHEMA", () => {
  const SCHEMA = "honcho_custom";
  let db: TestDb;
  let app: App;
  beforeAll(async () => {
    db = await createHonchoDatabase(SCHEMA);
    app = await startTestApp(db.url, { honcho: settings({ dbSchema: SCHEMA }) });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it("reads and writes Honcho's tables there and creates nothing in public", async () => {
    const before = await catalogSnapshot(db.sql, SCHEMA);
    expect(app.db.layout.mode).toBe("attached");
    const res = await post(app, "w", "s", [{ content: "hello", peer_id: "alice" }]);
    expect(res.status).toBe(201);
    const got = await fetch(`${app.url}/v3/workspaces/w/sessions/s/messages/${ids(res)[0]}`).then((r) => r.json());
    expect(got).toMatchObject({ content: "hello" });
    expect(await db.sql`SELECT count(*)::int AS n FROM honcho_custom.queue`).toEqual([{ n: 1 }]);
    expect(await db.sql`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`).toEqual([]);
    expect(await catalogSnapshot(db.sql, SCHEMA)).toBe(before);
  });
});

describe("pending embeddings (Honcho's EMBED_MESSAGES)", () => {
  let db: TestDb;
  let on: App;
  let off: App;
  const cl100k = get_encoding("cl100k_base");
  beforeAll(async () => {
    db = await createHonchoDatabase();
    [on, off] = await Promise.all([
      startTestApp(db.url, { honcho: settings({ embeddingChunkTokens: 40 }) }),
      startTestApp(db.url, { honcho: settings({ embedMessages: false }) }),
    ]);
  });
  afterAll(async () => {
    await on?.stop();
    await off?.stop();
    await db?.drop();
    cl100k.free();
  });

  // tiktoken's own chunking (src/embedding_client.py _chunk_text_with_tokens)
  const reference = (text: string, max: number) => {
    const tokens = cl100k.encode(text, [], []);
    if (tokens.length <= max) return [text];
    const step = max - Math.trunc(max * 0.2);
    const out: string[] = [];
    for (let i = 0; i < tokens.length; i += step) out.push(new TextDecoder().decode(cl100k.decode(tokens.slice(i, i + max))));
    return out;
  };

  it("writes one pending row per chunk, as Honcho's embedding client chunks, none for blank content", async () => {
    const long = "Les élèves étudièrent l'histoire 日本語のテキスト 🎉 ".repeat(12);
    const res = await post(on, "emb", "s", [
      { content: "short and sweet", peer_id: "alice" },
      { content: long, peer_id: "bob" },
      { content: " \n\t\u3000", peer_id: "alice" },
    ]);
    expect(res.status).toBe(201);
    const [shortId, longId, blankId] = ids(res);
    const rows = await db.sql`SELECT message_id, content, workspace_name, session_name, peer_name, sync_state, embedding, sync_attempts FROM message_embeddings ORDER BY id`;
    expect(rows.filter((r) => r.message_id === shortId)).toEqual([
      { message_id: shortId, content: "short and sweet", workspace_name: "emb", session_name: "s", peer_name: "alice", sync_state: "pending", embedding: null, sync_attempts: 0 },
    ]);
    const chunks = rows.filter((r) => r.message_id === longId).map((r) => r.content);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks).toEqual(reference(long, 40));
    expect(rows.filter((r) => r.message_id === blankId)).toEqual([]);
  });

  it("writes none when EMBED_MESSAGES is off", async () => {
    const res = await post(off, "emb", "off", [{ content: "no embedding", peer_id: "alice" }]);
    expect(await db.sql`SELECT 1 FROM message_embeddings WHERE message_id = ${ids(res)[0]!}`).toHaveLength(0);
  });
});

describe("standalone", () => {
  it("creates the tables it uses exactly as Honcho's migrations leave them", async () => {
    const [fresh, honcho] = await Promise.all([createTestDatabase(), createHonchoDatabase()]);
    try {
      const result = await migrate(fresh.sql, { honcho: "public", service: "honcho_ingest" });
      expect(result.mode).toBe("standalone");
      expect(await catalogSnapshot(fresh.sql, "public", { tables: TABLES })).toBe(await catalogSnapshot(honcho.sql, "public", { tables: TABLES }));
    } finally {
      await Promise.all([fresh.drop(), honcho.drop()]);
    }
  });
});

describe("configuration, resolved as Honcho resolves it", () => {
  let db: TestDb;
  let sql: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.sql, { honcho: "public", service: "honcho_ingest" });
    sql = db.sql;
  });
  afterAll(async () => db?.drop());

  // values of every kind where configuration keys are read, legacy keys included
  const value = fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2, 10, 20, 25.0, 7.5, "true", "no", "ON", "20", " 30 ", "x", "", null, [], {}), fc.integer({ min: -5, max: 200 }));
  const section = (keys: string[]) => fc.oneof(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }), value);
  const level = fc.oneof(
    fc.constant(null),
    fc.record(
      {
        reasoning: section(["enabled", "custom_instructions"]),
        peer_card: section(["use", "create"]),
        summary: section(["enabled", "messages_per_short_summary", "messages_per_long_summary"]),
        dream: section(["enabled"]),
        deriver: section(["enabled"]),
        skip_deriver: value,
        other: value,
      },
      { requiredKeys: [] },
    ),
  );
  const defaults = fc.record({
    reasoning: fc.record({ enabled: fc.boolean() }),
    peer_card: fc.boolean().map((b) => ({ use: b, create: b })),
    summary: fc.record({ enabled: fc.boolean(), messages_per_short_summary: fc.integer({ min: 1, max: 100 }), messages_per_long_summary: fc.integer({ min: 1, max: 500 }) }),
    dream: fc.record({ enabled: fc.boolean() }),
  });

  it("equals Honcho's get_configuration on 5 000 random workspace, session and message configurations", async () => {
    const cases = fc.sample(fc.record({ defaults, workspace: level, session: level, message: level }), { numRuns: 5_000, seed: 15 });
    const honcho = await runPythonOracle<Record<string, unknown>[]>("test/oracle/honcho_configuration.py", cases);
    if (honcho === "unavailable") return skipped("configuration against Honcho's get_configuration");
    const ours = await sql<{ conf: Record<string, unknown> }[]>`
      SELECT honcho_ingest.apply_configuration(honcho_ingest.apply_configuration(honcho_ingest.apply_configuration(
        c.v -> 'defaults', c.v -> 'workspace'), c.v -> 'session'), c.v -> 'message') AS conf
      FROM jsonb_array_elements(${sql.json(cases as never)}) WITH ORDINALITY AS c(v, ord)
      ORDER BY c.ord`;
    let compared = 0;
    honcho.forEach((h, i) => {
      if ("error" in h) return; // Honcho writes no work then; this service keeps the valid levels (README)
      compared++;
      expect({ case: cases[i], conf: ours[i]!.conf }).toEqual({ case: cases[i], conf: h });
    });
    expect(compared).toBeGreaterThan(600); // the rest are cases Honcho fails on
  });
});
