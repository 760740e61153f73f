// GET /openapi.json is generated from the proto and its annotations; for the
// Create Messages route it must say what Honcho's own OpenAPI page says.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { COPIES } from "../support/conformance.js";

const SEED = COPIES.seed.copy;
const ROUTE = "/v3/workspaces/{workspace_id}/sessions/{session_id}/messages";

function seed(): { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown>; securitySchemes: unknown } } {
  const md = fs.readFileSync(SEED, "utf8");
  const yaml = /````yaml[^\n]*\n([\s\S]*?)````/.exec(md)![1]!;
  return parse(yaml);
}

let db: TestDb;
let app: App;
let doc: { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown>; securitySchemes: unknown } };
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url);
  const res = await fetch(`${app.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 with the seed's operation for Create Messages", () => {
    const want = seed();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths[ROUTE]!.post).toEqual(want.paths[ROUTE]!.post);
  });

  it.each(["MessageBatchCreate", "MessageCreate", "Message", "MessageConfiguration", "ReasoningConfiguration", "HTTPValidationError", "ValidationError"])(
    "has the seed's %s schema",
    (name) => {
      expect(doc.components.schemas[name]).toEqual(seed().components.schemas[name]);
    },
  );

  it("declares HTTPBearer as the seed does", () => {
    expect(doc.components.securitySchemes).toEqual(seed().components.securitySchemes);
  });
});

// Honcho's own document (test/oracle/honcho_openapi.py: the operations the
// service also serves and the schemas they refer to, from Honcho's server):
// the service's says the same of them, to the letter.
describe("GET /openapi.json against Honcho's", () => {
  const honcho = JSON.parse(fs.readFileSync(new URL("../oracle/honcho-openapi.json", import.meta.url), "utf8")) as typeof doc & { info: unknown };
  const operations = Object.entries(honcho.paths).flatMap(([path, ops]) => Object.entries(ops).map(([verb, op]) => [`${verb.toUpperCase()} ${path}`, path, verb, op] as const));

  it("holds every data-plane operation, under Honcho's info", () => {
    expect(operations.length).toBeGreaterThanOrEqual(28);
    for (const [, path, verb] of operations) expect(doc.paths[path]?.[verb], `${verb} ${path}`).toBeDefined();
    expect((doc as unknown as { info: unknown }).info).toEqual(honcho.info);
  });

  it.each(operations)("%s is Honcho's (parameters, body, responses, words)", (_, path, verb, op) => {
    expect(doc.paths[path]![verb]).toEqual(op);
  });

  it.each(Object.keys(honcho.components.schemas))("has Honcho's %s schema", (name) => {
    expect(doc.components.schemas[name]).toEqual(honcho.components.schemas[name]);
  });

  it("has no schema Honcho's document lacks", () => {
    expect(Object.keys(doc.components.schemas).filter((n) => !(n in honcho.components.schemas))).toEqual([]);
  });
});
