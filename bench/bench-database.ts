// A scratch database for a benchmark: on the embedded PostgreSQL (data under
// bench/tmp) unless BENCH_DATABASE_URL names a server, created fresh and
// dropped, with the server stopped if this process started it, by `close`.
import path from "node:path";
import pino from "pino";
import type { Sql } from "postgres";
import { connect } from "../src/store/connection-url.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";

export interface BenchDatabase {
  /** the scratch database */
  url: string;
  /** one connection to the server's own database (settings, version) */
  admin: Sql;
  close(): Promise<void>;
}

export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const root = path.resolve(import.meta.dirname, "..");
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres(path.join(root, "bench/tmp"), pino({ level: "warn" }));
  const adminUrl = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const admin = connect(adminUrl, { max: 1, onnotice: () => {} });
  const name = `${prefix}_${Date.now()}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return {
    url: Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString(),
    admin,
    async close() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
    },
  };
}
