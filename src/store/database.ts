// Opens PostgreSQL: DATABASE_URL when set, otherwise the embedded server.
//
// Behind a transaction-mode pooler (PgBouncer; DATABASE_POOLED=true) a
// connection of the pool is a different server session from one transaction
// to the next, so nothing may live in the session:
// - no startup parameters but application_name (PgBouncer refuses the rest:
//   "unsupported startup parameter: statement_timeout"), so no
//   statement_timeout or lock_timeout either: the write path is bounded by its
//   client-side deadline (deadline.ts: the cancel request reaches the server
//   running it through PgBouncer), and other statements by whatever the
//   server's sessions start with (a role's defaults, PgBouncer's
//   query_timeout), which a warning at start-up asks for when there is none;
// - no named prepared statements (postgres.js prepare: false): one prepared in
//   one transaction is missing in the next, and postgres.js's retry of a
//   missing one serialises the parameters twice (porsager/postgres#1197, in
//   3.4.9: jsonb arrives as a string, true as false); with prepare on,
//   test/reliability/pgbouncer.test.ts found batches stored without their
//   queue work, and no error;
// - no LISTEN: notifications go to whichever session ran it.
//   DATABASE_DIRECT_URL (the server itself, which takes the startup
//   parameters) gives the dedicated LISTEN connection and runs the
//   migrations; without it, WatchMessages streams learn of other processes'
//   commits by their 5 s poll.
// The pool mode is a setting, not detected: a client cannot see it (PgBouncer
// passes the server's own server_version through, and its SHOW VERSION exists
// only on its admin console), and a wrong guess towards prepared statements
// fails only under load. PgBouncer's refusal of a startup parameter is
// recognised, though, and turned into an error that names the setting.
import type postgres from "postgres";
import type { Sql } from "postgres";
import type { Logger } from "pino";
import { parseKeepingNumbers } from "../json/exact-numbers.js";
import { WRITE_ARRAY_TYPES } from "./array-types.js";
import { connect } from "./connection-url.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate, type MigrationResult } from "./migrate.js";
import type { SchemaNames } from "./schema.js";

export interface DatabaseConfig {
  databaseUrl?: string;
  /** DATABASE_URL goes through a transaction-mode pooler (PgBouncer): no session state, no prepared statements */
  databasePooled?: boolean;
  /** the server itself, beside a pooled DATABASE_URL: migrations and LISTEN (a session of their own) */
  databaseDirectUrl?: string;
  dataDir: string;
  poolSize: number;
  /** write statements in flight at once (group commit's slots): the write connections, out of poolSize */
  writeGroupSlots: number;
  /** bound on any one statement, and on waiting for a row lock (ms) */
  statementTimeoutMs: number;
  /** Honcho's schema and this service's */
  schemas: SchemaNames;
}

type DedicatedHandlers = { onnotify(channel: string, payload: string): void; onclose(): void };

export interface Database {
  sql: Sql;
  /**
   * The write statements' own connections, out of the pool (`sql` itself
   * when the pool is too small to spare them): see writeConnectionsOf.
   */
  writes: Sql;
  schemas: SchemaNames;
  /** attached to Honcho's database or standalone, and what it has */
  layout: MigrationResult;
  /** the TimeZone its sessions start with (what Honcho's psycopg answers in) */
  timeZone: string;
  /**
   * One connection of its own, outside the pool, that stays open (LISTEN
   * needs a session). postgres.js reconnects it on its next query after a
   * loss; `onclose` says it was lost. Absent behind a transaction pooler
   * without DATABASE_DIRECT_URL: there is no session to LISTEN in.
   */
  dedicated?: (handlers: DedicatedHandlers) => Sql;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

// json and jsonb read back as Honcho reads them: 1.0 stays a float, a 64-bit
// int keeps its digits (exact-numbers.ts); written as postgres.js writes them.
const JSON_TYPES = {
  json: { to: 114, from: [114, 3802], serialize: (x: unknown) => JSON.stringify(x), parse: parseKeepingNumbers },
} satisfies Record<string, postgres.PostgresType>;

export async function openDatabase(cfg: DatabaseConfig, log: Logger): Promise<Database> {
  const embedded = cfg.databaseUrl ? undefined : await startEmbeddedPostgres(cfg.dataDir, log);
  const url = cfg.databaseUrl ?? embedded!.url;
  const pooled = Boolean(cfg.databaseUrl && cfg.databasePooled);
  const directUrl = cfg.databaseUrl ? cfg.databaseDirectUrl : undefined;
  const base = {
    connect_timeout: 5,
    // Reconnect soon after PostgreSQL comes back: postgres.js's default
    // backoff grows to seconds while it is away (retries here every ≤ 0.5 s).
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 0.5),
    onnotice: () => {},
    types: JSON_TYPES,
  };
  // a session of its own: settings for its life
  const session = {
    ...base,
    connection: {
      application_name: "honcho-ingest",
      statement_timeout: cfg.statementTimeoutMs,
      lock_timeout: Math.min(cfg.statementTimeoutMs, 10_000),
    },
  };
  // through a transaction pooler: application_name is one PgBouncer keeps per client
  const pool = pooled ? { ...base, prepare: false, connection: { application_name: "honcho-ingest" } } : session;
  const writers = writeConnectionsOf(cfg.poolSize, cfg.writeGroupSlots);
  const sql = connect(url, { ...pool, max: cfg.poolSize - writers, idle_timeout: 60 });
  let layout: MigrationResult;
  let timeZone: string;
  try {
    layout = await migrateOn(directUrl ? connect(directUrl, { ...session, max: 1 }) : undefined, sql, cfg.schemas);
    [{ timeZone }] = await sql<[{ timeZone: string }]>`SELECT current_setting('TimeZone') AS "timeZone"`;
    log.info(
      { mode: layout.mode, honchoSchema: cfg.schemas.honcho, serviceSchema: cfg.schemas.service, honchoRevision: layout.honchoRevision, applied: layout.applied, embeddings: layout.embeddings, timeZone },
      layout.mode === "attached" ? "attached to Honcho's database" : "standalone database (Honcho's tables, created by this service)",
    );
    if (pooled) await reportPooled(sql, Boolean(directUrl), cfg.statementTimeoutMs, log);
  } catch (err) {
    await sql.end({ timeout: 1 });
    await embedded?.stop();
    throw explained(err, pooled);
  }
  // onnotify is postgres.js's own option for NotificationResponse (what its
  // sql.listen uses), missing from its typings.
  const listenUrl = directUrl ?? (pooled ? undefined : url);
  const dedicated: Database["dedicated"] =
    listenUrl === undefined
      ? undefined
      : ({ onnotify, onclose }) =>
          connect(listenUrl, { ...session, max: 1, idle_timeout: 0, max_lifetime: 0, fetch_types: false, onclose, ...({ onnotify } as object) });
  // no array-types query on their connections (array-types.ts): a write connection that failed it would stay unable to write
  const writes =
    writers === 0
      ? sql
      : connect(url, { ...pool, max: writers, idle_timeout: 60, fetch_types: false, types: { ...JSON_TYPES, ...WRITE_ARRAY_TYPES }, connection: { ...pool.connection, application_name: WRITES_APPLICATION_NAME } });
  return {
    sql,
    writes,
    schemas: cfg.schemas,
    layout,
    timeZone,
    dedicated,
    async close() {
      await Promise.all([sql.end({ timeout: 5 }), writes !== sql && writes.end({ timeout: 5 })]);
      await embedded?.stop();
    },
  };
}

/** what the write connections call themselves in pg_stat_activity (the others: honcho-ingest) */
export const WRITES_APPLICATION_NAME = "honcho-ingest-writes";

/**
 * How many of the pool's connections are the write statements' own: one per
 * write slot, so that at least one is left for everything else (none when
 * there is no such spare, or no slots: every request then writes alone, as
 * many at once as there are requests).
 *
 * Why: postgres.js hands a query the connection that has been idle longest,
 * so with writes and reads in one pool of ten, successive writes went round
 * all ten backends, and each found its memory cold in the CPU's caches.
 * In a pool of their own, writes one at a time stay on one backend
 * (postgres.js opens another only when none is idle) and a busy service's on
 * one per slot. `npm run bench:ab`, single messages over REST: PostgreSQL's
 * CPU per message 1.11 -> 0.88 ms one at a time, 0.54 -> 0.50 ms at 16 in
 * flight (docs/performance.md).
 */
export function writeConnectionsOf(poolSize: number, writeGroupSlots: number): number {
  return Math.max(0, Math.min(writeGroupSlots, poolSize - 1));
}

// Migrations run in one transaction under a transaction-scoped advisory lock
// (migrate.ts), so a transaction pooler can carry them; the direct connection
// is used when there is one all the same (a pooler's query_timeout or its
// refusal of long transactions has no say then).
async function migrateOn(direct: Sql | undefined, pool: Sql, names: SchemaNames): Promise<MigrationResult> {
  if (!direct) return migrate(pool, names);
  try {
    return await migrate(direct, names);
  } finally {
    await direct.end({ timeout: 1 });
  }
}

async function reportPooled(sql: Sql, direct: boolean, statementTimeoutMs: number, log: Logger): Promise<void> {
  const [s] = await sql<{ statement_timeout: string; lock_timeout: string; role: string }[]>`
    SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout, current_user AS role`;
  log.info({ prepare: false, listen: direct }, "DATABASE_URL is a transaction pooler: no prepared statements, no session settings");
  if (!direct) {
    log.warn("LISTEN is off (DATABASE_POOLED without DATABASE_DIRECT_URL): WatchMessages streams see commits made through this process at once, through other processes (replicas, workers) at their 5 s poll");
  }
  if (s && s.statement_timeout === "0") {
    log.warn(
      { role: s.role, lockTimeout: s.lock_timeout },
      `behind the pooler only writes are bounded (by DB_STATEMENT_TIMEOUT_MS, client-side); for the other statements give the role a limit its sessions start with: ALTER ROLE ${s.role} SET statement_timeout = '${statementTimeoutMs}ms' (and lock_timeout), or set PgBouncer's query_timeout`,
    );
  }
}

// PgBouncer refuses a startup parameter it does not track with a FATAL
// protocol violation before anything else happens.
function explained(err: unknown, pooled: boolean): unknown {
  const e = err as { code?: string; message?: string } | null;
  if (!pooled && e?.code === "08P01" && /unsupported startup parameter/.test(e.message ?? "")) {
    return new Error(
      "DATABASE_URL looks like PgBouncer (it refused a startup parameter): behind a transaction-mode pooler set DATABASE_POOLED=true, and DATABASE_DIRECT_URL to the server itself for LISTEN",
      { cause: err },
    );
  }
  return err;
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
