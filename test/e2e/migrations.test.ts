// Migrations: applied once even when several replicas start at the same time,
// functions re-created only when their text changes, and a database with
// Honcho's tables it did not create refused with a clear error.
import fs from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate, migrationsApplied } from "../../src/store/migrate.js";
import { createTestDatabase, type TestDb } from "../support/app.js";

const names = { honcho: "public", service: "honcho_ingest" };
let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

it("applies every step exactly once across three concurrent starters, then nothing", async () => {
  const pools = [1, 2, 3].map(() => postgres(db.url, { max: 1, onnotice: () => {} }));
  try {
    const results = await Promise.all(pools.map((sql) => migrate(sql, names)));
    const all = results.flatMap((r) => r.applied).sort();
    expect(all).toContain("honcho/e4eba9cfaa6f");
    expect(all).toContain("service/001_state");
    expect(all.filter((v) => v.startsWith("function/")).length).toBeGreaterThanOrEqual(2);
    expect(new Set(all).size).toBe(all.length); // each once
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    expect(results.every((r) => r.mode === "standalone" && r.honchoRevision === "e4eba9cfaa6f" && !r.embeddings)).toBe(true);
    const rows = await db.sql`SELECT version FROM honcho_ingest.schema_migrations ORDER BY version`;
    expect(rows.map((r) => r.version)).toEqual(all);
    expect((await migrate(pools[0]!, names)).applied).toEqual([]);
    expect(await migrationsApplied(pools[1]!, names)).toBe(true);
  } finally {
    await Promise.all(pools.map((sql) => sql.end()));
  }
});

it("re-creates a function whose text changed (as after an upgrade), and only that one", async () => {
  await db.sql`UPDATE honcho_ingest.schema_migrations SET checksum = 'stale' WHERE version = 'function/configuration'`;
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    expect((await migrate(sql, names)).applied).toEqual(["function/configuration"]);
  } finally {
    await sql.end();
  }
});

it("refuses a schema with Honcho's tables that neither Honcho's migrations nor this service made", async () => {
  const other = await createTestDatabase();
  try {
    await other.sql`CREATE TABLE messages (id bigint)`;
    await expect(migrate(other.sql, names)).rejects.toThrow(/has a messages table but no alembic_version/);
  } finally {
    await other.drop();
  }
});

it("moves a database of this service's first versions into Honcho's tables, every row and sequence kept", async () => {
  const old = await createTestDatabase();
  try {
    // the old layout, as its own migrations (test/fixtures/legacy) made it
    await old.sql`CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    for (const v of ["001_init", "002_session_message_seq", "003_idempotency_keys", "004_queue"]) {
      await old.sql.unsafe(fs.readFileSync(new URL(`../fixtures/legacy/${v}.sql`, import.meta.url), "utf8"));
      await old.sql`INSERT INTO schema_migrations (version) VALUES (${v})`;
    }
    const id = (c: string) => c.repeat(21);
    await old.sql`INSERT INTO workspaces (id, name, configuration) VALUES (${id("w")}, 'acme', '{"reasoning": {"enabled": false}}')`;
    await old.sql`INSERT INTO peers (id, name, workspace_name) VALUES (${id("p")}, 'alice', 'acme')`;
    await old.sql`INSERT INTO sessions (id, name, workspace_name, message_seq) VALUES (${id("s")}, 's1', 'acme', 2)`;
    await old.sql`INSERT INTO session_peers (workspace_name, session_name, peer_name) VALUES ('acme', 's1', 'alice')`;
    await old.sql`INSERT INTO messages (public_id, session_name, content, seq_in_session, peer_name, workspace_name, token_count) VALUES (${id("a")}, 's1', 'one', 1, 'alice', 'acme', 1), (${id("b")}, 's1', 'two', 2, 'alice', 'acme', 1)`;
    await old.sql`INSERT INTO queue (session_id, work_unit_key, task_type, payload, workspace_name, lease_owner) VALUES (${id("s")}, 'representation:acme:s1:alice', 'representation', '{}', 'acme', 'x')`;
    await old.sql`INSERT INTO idempotency_keys (scope, key, request_hash, public_ids, expires_at) VALUES ('CreateMessages:acme/s1', 'k', 'h', ${[id("a")]}, now() + interval '1 day')`;
    const before = await old.sql`SELECT id::text, public_id, seq_in_session::int AS seq, created_at FROM messages ORDER BY id`;

    const result = await migrate(old.sql, names);
    expect(result.applied).toContain("legacy/upgrade");
    expect(await old.sql`SELECT id::text, public_id, seq_in_session::int AS seq, created_at FROM messages ORDER BY id`).toEqual(before);
    expect(await old.sql`SELECT configuration FROM workspaces WHERE name = 'acme'`).toEqual([{ configuration: { reasoning: { enabled: false } } }]);
    expect(await old.sql`SELECT count(*)::int AS n FROM queue`).toEqual([{ n: 1 }]);
    expect(await old.sql`SELECT public_ids FROM honcho_ingest.idempotency_keys WHERE key = 'k'`).toEqual([{ public_ids: [id("a")] }]);
    // Honcho's layout now: no counter, no leases, Honcho's constraint names, the old schema gone
    const cols = await old.sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name IN ('message_seq', 'leased_until', 'lease_owner')`;
    expect(cols).toEqual([]);
    expect(await old.sql`SELECT conname FROM pg_constraint WHERE conname = 'uq_messages_workspace_name_session_name_seq_in_session'`).toHaveLength(1);
    expect(await old.sql`SELECT 1 FROM pg_namespace WHERE nspname = 'honcho_ingest_legacy'`).toHaveLength(0);
    expect(await old.sql`SELECT to_regclass('public.schema_migrations') AS t`).toEqual([{ t: null }]);
    // new rows take the next ids
    const [next] = await old.sql`INSERT INTO messages (public_id, session_name, content, seq_in_session, peer_name, workspace_name) VALUES (${id("c")}, 's1', 'three', 3, 'alice', 'acme') RETURNING id::int`;
    expect(next!.id).toBe(Number(before.at(-1)!.id) + 1);
  } finally {
    await old.drop();
  }
});
