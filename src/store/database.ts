// Opens PostgreSQL: DATABASE_URL when set, otherwise the embedded server.
import postgres, { type Sql } from "postgres";
import type { Logger } from "pino";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate, type MigrationResult } from "./migrate.js";
import type { SchemaNames } from "./schema.js";

export interface DatabaseConfig {
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  /** bound on any one statement, and on waiting for a row lock (ms) */
  statementTimeoutMs: number;
  /** Honcho's schema and this service's */
  schemas: SchemaNames;
}

export interface Database {
  sql: Sql;
  schemas: SchemaNames;
  /** attached to Honcho's database or standalone, and what it has */
  layout: MigrationResult;
  /**
   * One connection of its own, outside the pool, that stays open (LISTEN
   * needs a session). postgres.js reconnects it on its next query after a
   * loss; `onclose` says it was lost.
   */
  dedicated(handlers: { onnotify(channel: string, payload: string): void; onclose(): void }): Sql;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export async function openDatabase(cfg: DatabaseConfig, log: Logger): Promise<Database> {
  const embedded = cfg.databaseUrl ? undefined : await startEmbeddedPostgres(cfg.dataDir, log);
  const url = cfg.databaseUrl ?? embedded!.url;
  const common = {
    connect_timeout: 5,
    // Reconnect soon after PostgreSQL comes back: postgres.js's default
    // backoff grows to seconds while it is away (retries here every ≤ 0.5 s).
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 0.5),
    onnotice: () => {},
    connection: {
      application_name: "honcho-ingest",
      statement_timeout: cfg.statementTimeoutMs,
      lock_timeout: Math.min(cfg.statementTimeoutMs, 10_000),
    },
  };
  const sql = postgres(url, { ...common, max: cfg.poolSize, idle_timeout: 60 });
  let layout: MigrationResult;
  try {
    layout = await migrate(sql, cfg.schemas);
    log.info(
      { mode: layout.mode, honchoSchema: cfg.schemas.honcho, serviceSchema: cfg.schemas.service, honchoRevision: layout.honchoRevision, applied: layout.applied, embeddings: layout.embeddings },
      layout.mode === "attached" ? "attached to Honcho's database" : "standalone database (Honcho's tables, created by this service)",
    );
  } catch (err) {
    await sql.end({ timeout: 1 });
    await embedded?.stop();
    throw err;
  }
  // onnotify is postgres.js's own option for NotificationResponse (what its
  // sql.listen uses), missing from its typings.
  const dedicated: Database["dedicated"] = ({ onnotify, onclose }) =>
    postgres(url, { ...common, max: 1, idle_timeout: 0, max_lifetime: 0, fetch_types: false, onclose, ...({ onnotify } as object) });
  return {
    sql,
    schemas: cfg.schemas,
    layout,
    dedicated,
    async close() {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}

/**
 * postgres.js loads array types with a query of its own on every new
 * connection and drops that query's promise (porsager/postgres#1192, #1205,
 * #1223): when it fails (the connection lost under it, the statement
 * cancelled) the rejection reaches no handler, and Node ends the process. The
 * request that opened the connection fails on its own (503), and the types
 * loaded by earlier connections stay in place, so only this rejection may be
 * let go; main.ts does that, and keeps every other one fatal.
 */
export function isArrayTypesLoadFailure(reason: unknown): boolean {
  const query = (reason as { query?: unknown } | null)?.query;
  return typeof query === "string" && query.includes("pg_catalog.pg_type") && query.includes("typarray");
}
