// The database this service runs on, made ready at start-up, in one
// transaction under an advisory lock (replicas starting at once apply each
// step exactly once; the rest wait, then see it done).
//
// Two ways to run, told apart by Honcho's own migration record:
// - attached: Honcho's schema holds alembic_version, so Honcho's migrations
//   made it and own it. Nothing of Honcho's is created, altered or dropped;
//   the tables and columns this service uses are checked, and it refuses to
//   start without them.
// - standalone: no Honcho schema. Honcho's tables are created exactly as
//   Honcho's migrations leave them at head (migrations/honcho/).
// Either way this service's own state lives in its own schema
// (migrations/service/, then the functions in functions/, re-created
// whenever their text changes). A database of this service's first versions
// (its own layout) is moved into Honcho's tables once (migrations/legacy/).
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sql, TransactionSql } from "postgres";
import { renderSql, type SchemaNames } from "./schema.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOCK_KEY = 727_001; // any constant shared by every replica

/** Honcho's alembic head whose schema migrations/honcho/ reproduces. */
export const HONCHO_HEAD = "e4eba9cfaa6f";

export interface Migration {
  version: string;
  sql: string;
}

export interface MigrationResult {
  mode: "attached" | "standalone";
  /** Honcho's alembic revision (attached), or the head the standalone schema follows */
  honchoRevision: string;
  /** the versions this call applied */
  applied: string[];
  /** Honcho's message_embeddings table is there (pending embedding rows can be written) */
  embeddings: boolean;
}

// The tables and columns this service reads and writes in Honcho's schema.
const USES: Record<string, string[]> = {
  workspaces: ["id", "name", "metadata", "configuration", "internal_metadata", "created_at"],
  peers: ["id", "name", "workspace_name", "metadata", "configuration", "internal_metadata", "created_at"],
  sessions: ["id", "name", "workspace_name", "is_active", "metadata", "configuration", "internal_metadata", "created_at"],
  session_peers: ["workspace_name", "session_name", "peer_name", "configuration", "internal_metadata", "joined_at", "left_at"],
  messages: ["id", "public_id", "session_name", "peer_name", "workspace_name", "content", "metadata", "internal_metadata", "token_count", "seq_in_session", "created_at"],
  queue: ["id", "session_id", "work_unit_key", "task_type", "payload", "processed", "error", "created_at", "workspace_name", "message_id"],
  active_queue_sessions: ["id", "work_unit_key", "last_updated"],
};

async function sqlFiles(dir: string): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return Promise.all(files.map(async (f) => ({ version: f.replace(/\.sql$/, ""), sql: await fs.readFile(path.join(dir, f), "utf8") })));
}

export const loadServiceMigrations = () => sqlFiles(path.join(HERE, "migrations/service"));
const loadHonchoSchema = async () => fs.readFile(path.join(HERE, `migrations/honcho/${HONCHO_HEAD}.sql`), "utf8");
const loadFunctions = () => sqlFiles(path.join(HERE, "functions"));

export async function migrate(sql: Sql, names: SchemaNames): Promise<MigrationResult> {
  const [service, honchoSchema, functions] = await Promise.all([loadServiceMigrations(), loadHonchoSchema(), loadFunctions()]);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx.unsafe(renderSql(`CREATE SCHEMA IF NOT EXISTS {{service}}`, names));
    await tx.unsafe(renderSql(`CREATE TABLE IF NOT EXISTS {{service}}.schema_migrations (version text PRIMARY KEY, checksum text, applied_at timestamptz NOT NULL DEFAULT now())`, names));
    const done = new Map((await tx.unsafe<{ version: string; checksum: string | null }[]>(renderSql(`SELECT version, checksum FROM {{service}}.schema_migrations`, names))).map((r) => [r.version, r.checksum]));
    const applied: string[] = [];
    const record = (version: string, checksum: string | null) =>
      tx.unsafe(renderSql(`INSERT INTO {{service}}.schema_migrations (version, checksum) VALUES ($1, $2) ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`, names), [version, checksum]);

    const [{ alembic }] = (await tx`SELECT to_regclass(${`${quote(names.honcho)}.alembic_version`}) IS NOT NULL AS alembic`) as unknown as [{ alembic: boolean }];
    let mode: MigrationResult["mode"];
    let honchoRevision = HONCHO_HEAD;
    let legacy = false;
    const standaloneVersion = `honcho/${HONCHO_HEAD}`;
    if (alembic) {
      mode = "attached";
      const rows = await tx.unsafe<{ version_num: string }[]>(renderSql(`SELECT version_num FROM {{honcho}}.alembic_version`, names));
      honchoRevision = rows[0]?.version_num ?? "(none)";
      await checkHonchoSchema(tx, names);
    } else {
      mode = "standalone";
      if (!done.has(standaloneVersion)) {
        const [{ found }] = (await tx`SELECT to_regclass(${`${quote(names.honcho)}.messages`}) IS NOT NULL AS found`) as unknown as [{ found: boolean }];
        legacy = found && (await isLegacyLayout(tx, names));
        if (found && !legacy) {
          throw new Error(
            `Schema ${names.honcho} has a messages table but no alembic_version, and this service did not create it. ` +
              `Point DATABASE_URL at a database made by Honcho's migrations (alembic upgrade head), or at an empty one.`,
          );
        }
        if (legacy) await tx.unsafe(renderSql(await loadLegacy("1-aside"), names));
        await tx.unsafe(renderSql(`CREATE SCHEMA IF NOT EXISTS {{honcho}}`, names));
        await tx.unsafe(renderSql(honchoSchema, names));
        await record(standaloneVersion, null);
        applied.push(standaloneVersion);
      }
    }

    for (const m of service) {
      const version = `service/${m.version}`;
      if (done.has(version)) continue;
      await tx.unsafe(renderSql(m.sql, names));
      await record(version, null);
      applied.push(version);
    }
    if (legacy) {
      await tx.unsafe(renderSql(await loadLegacy("2-copy"), names));
      applied.push("legacy/upgrade");
    }
    // functions: re-created when their text (with the schema names) changes
    for (const f of functions) {
      const text = renderSql(f.sql, names);
      const checksum = createHash("sha256").update(text).digest("hex");
      const version = `function/${f.version}`;
      if (done.get(version) === checksum) continue;
      await tx.unsafe(text);
      await record(version, checksum);
      applied.push(version);
    }
    const [{ embeddings }] = (await tx`SELECT to_regclass(${`${quote(names.honcho)}.message_embeddings`}) IS NOT NULL AS embeddings`) as unknown as [{ embeddings: boolean }];
    return { mode, honchoRevision, applied, embeddings };
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const loadLegacy = (step: string) => fs.readFile(path.join(HERE, `migrations/legacy/${step}.sql`), "utf8");

// The layout of this service's first versions (before it wrote Honcho's
// schema): its own schema_migrations beside Honcho's table names.
async function isLegacyLayout(tx: TransactionSql, names: SchemaNames): Promise<boolean> {
  const [{ found }] = (await tx`SELECT to_regclass(${`${quote(names.honcho)}.schema_migrations`}) IS NOT NULL AS found`) as unknown as [{ found: boolean }];
  if (!found) return false;
  const rows = await tx.unsafe<{ version: string }[]>(renderSql(`SELECT version FROM {{honcho}}.schema_migrations`, names));
  return rows.some((r) => r.version === "001_init");
}

// Attached: every table and column this service uses must be there.
async function checkHonchoSchema(tx: TransactionSql, names: SchemaNames): Promise<void> {
  const rows = await tx<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ${names.honcho}`;
  const have = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
  const missing = Object.entries(USES).flatMap(([t, cols]) => cols.map((c) => `${t}.${c}`)).filter((tc) => !have.has(tc));
  if (missing.length > 0) {
    throw new Error(`Honcho's schema ${names.honcho} lacks what this service needs (${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ", ..." : ""}); run Honcho's migrations (alembic upgrade head)`);
  }
}

let expected: Promise<string[]> | undefined;

/** True when this service's migrations and functions are all recorded (readiness). */
export async function migrationsApplied(sql: Sql, names: SchemaNames): Promise<boolean> {
  expected ??= Promise.all([loadServiceMigrations(), loadFunctions()]).then(([service, functions]) => [
    ...service.map((m) => `service/${m.version}`),
    ...functions.map((f) => `function/${f.version}`),
  ]);
  const want = await expected;
  const rows = await sql.unsafe<{ n: number }[]>(renderSql(`SELECT count(*)::int AS n FROM {{service}}.schema_migrations WHERE version = ANY($1)`, names), [want]);
  return rows[0]?.n === want.length;
}
