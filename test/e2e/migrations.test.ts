// Migrations: applied once even when several replicas start at the same time.
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadMigrations, migrate, migrationsApplied } from "../../src/store/migrate.js";
import { createTestDatabase, type TestDb } from "../support/app.js";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

it("applies every version exactly once across three concurrent starters, then nothing", async () => {
  const pools = [1, 2, 3].map(() => postgres(db.url, { max: 1, onnotice: () => {} }));
  try {
    const results = await Promise.all(pools.map((sql) => migrate(sql)));
    const versions = (await loadMigrations()).map((m) => m.version);
    expect(results.flat().sort()).toEqual(versions);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
    expect(rows.map((r) => r.version)).toEqual(versions);
    expect(await migrate(pools[0]!)).toEqual([]);
    expect(await migrationsApplied(pools[1]!)).toBe(true);
  } finally {
    await Promise.all(pools.map((sql) => sql.end()));
  }
});
