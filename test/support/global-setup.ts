// One real PostgreSQL for the whole run: TEST_DATABASE_URL if given, else an
// embedded server with its data under .data-test/ (git-ignored). Each test
// file makes its own database on it (see test/support/app.ts).
import path from "node:path";
import pino from "pino";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/store/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide("adminDatabaseUrl", given);
    return;
  }
  const dir = path.resolve(import.meta.dirname, "../../.data-test");
  const pg = await startEmbeddedPostgres(dir, pino({ level: "warn" }));
  project.provide("adminDatabaseUrl", pg.url);
  return () => pg.stop();
}
