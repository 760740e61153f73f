// Starts the real service in-process on a fresh database of the shared test
// PostgreSQL, on an ephemeral port.
import { randomBytes } from "node:crypto";
import pino from "pino";
import postgres, { type Sql } from "postgres";
import { inject } from "vitest";
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

export async function startTestApp(databaseUrl: string, overrides: Partial<Config> = {}): Promise<App> {
  return startApp(testConfig(databaseUrl, overrides), pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
}
