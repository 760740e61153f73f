// Versioned SQL migrations (src/store/migrations/NNN_name.sql), applied at
// start-up in one transaction under an advisory lock, so replicas starting at
// once apply each version exactly once and the rest wait, then see it done.
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sql } from "postgres";

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
const LOCK_KEY = 727_001; // any constant shared by every replica

export interface Migration {
  version: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => ({ version: f.replace(/\.sql$/, ""), sql: await fs.readFile(path.join(dir, f), "utf8") })));
}

/** Applies pending migrations; returns the versions this call applied. */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version) VALUES (${m.version})`;
      applied.push(m.version);
    }
    return applied;
  });
}

/** True when every known migration is recorded as applied. */
export async function migrationsApplied(sql: Sql): Promise<boolean> {
  const all = await loadMigrations();
  const rows = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM schema_migrations WHERE version = ANY(${all.map((m) => m.version)})`;
  return rows[0]?.n === all.length;
}
