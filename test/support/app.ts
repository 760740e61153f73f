// Starts the real service in-process on a fresh database of the shared test
// PostgreSQL, on an ephemeral port.
import { randomBytes } from "node:crypto";
import pino, { type Logger } from "pino";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { startApp, type App } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";

export interface TestDb {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDb> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = withDatabase(adminUrl, name);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 1 });
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), port: 0, host: "127.0.0.1", databaseUrl, shutdownGraceMs: 2_000, ...overrides };
}

export async function startTestApp(databaseUrl: string, overrides: Partial<Config> = {}, log?: Logger): Promise<App> {
  return startApp(testConfig(databaseUrl, overrides), log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
}

/** A logger whose JSON lines are kept in memory, for tests that read the logs. */
export function memoryLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void chunks.push(s) });
  return { log, lines: () => chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A fresh database and the service on it for the test file: `t.db`, `t.app` once beforeAll has run. */
export function useTestApp(overrides: Partial<Config> = {}): { db: TestDb; app: App } {
  const t = {} as { db: TestDb; app: App };
  beforeAll(async () => {
    t.db = await createTestDatabase();
    t.app = await startTestApp(t.db.url, overrides);
  });
  afterAll(async () => {
    await t.app?.stop();
    await t.db?.drop();
  });
  return t;
}
