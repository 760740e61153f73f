// Is PostgreSQL reachable, and is the schema ours? For health and readiness.
import type { Sql } from "postgres";
import { migrationsApplied } from "./migrate.js";
import type { SchemaNames } from "./schema.js";

export interface DatabaseState {
  reachable: boolean;
  migrated: boolean;
}

export async function probeDatabase(sql: Sql, names: SchemaNames, timeoutMs: number): Promise<DatabaseState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("probe timed out")), timeoutMs);
  });
  try {
    const migrated = await Promise.race([migrationsApplied(sql, names), timeout]);
    return { reachable: true, migrated };
  } catch {
    return { reachable: false, migrated: false };
  } finally {
    clearTimeout(timer);
  }
}
