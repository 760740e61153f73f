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

// Honcho's own document (test/oracle/honcho_openapi.py: its operations the
// service serves, from Honcho's server). So far the parameters of every
// operation, and the message-creating operations whole, match it; the rest
// (request bodies, response schemas' names, docstrings, component schemas)
// still differ: docs/api.md, "The OpenAPI document".
describe("GET /openapi.json against Honcho's", () => {
  const honcho = JSON.parse(fs.readFileSync(new URL("../oracle/honcho-openapi.json", import.meta.url), "utf8")) as typeof doc;
  const operations = Object.entries(honcho.paths).flatMap(([path, ops]) => Object.entries(ops).map(([verb, op]) => [`${verb.toUpperCase()} ${path}`, path, verb, op] as const));

  it("holds every data-plane operation", () => {
    expect(operations.length).toBeGreaterThanOrEqual(28);
    for (const [, path, verb] of operations) expect(doc.paths[path]?.[verb], `${verb} ${path}`).toBeDefined();
  });

  it.each(operations)("%s has Honcho's parameters (path and query, their order, schemas and descriptions)", (_, path, verb, op) => {
    expect(doc.paths[path]![verb]!.parameters).toEqual(op.parameters);
  });

  it.each(["/v3/workspaces/{workspace_id}/sessions/{session_id}/messages", "/v3/workspaces/{workspace_id}/sessions/{session_id}/messages/upload"])(
    "POST %s is Honcho's whole, with the schemas it refers to",
    (path) => {
      expect(doc.paths[path]!.post).toEqual(honcho.paths[path]!.post);
      const refs = (v: unknown) => [...JSON.stringify(v).matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]!);
      const seen = new Set<string>();
      for (let todo = refs(honcho.paths[path]!.post); todo.length; ) {
        const name = todo.pop()!;
        if (seen.has(name)) continue;
        seen.add(name);
        expect(doc.components.schemas[name], name).toEqual(honcho.components.schemas[name]);
        todo.push(...refs(honcho.components.schemas[name]));
      }
    },
  );
});
