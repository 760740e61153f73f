// A DATABASE_URL whose query names the host and port (libpq's way, as in
// Honcho's URIs) reaches the server they name, not the authority's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";

let db: TestDb;
let app: App | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await app?.stop();
  await db.drop();
});

describe("DATABASE_URL with host and port in its query", () => {
  it("connects where the query says, and writes", async () => {
    const real = new URL(db.url);
    // an authority that leads nowhere: only the query's host and port reach the server
    const url = `postgres://${real.username}:${real.password}@nowhere.invalid:1${real.pathname}?host=${real.hostname}&port=${real.port}`;
    app = await startTestApp(url);
    const res = await postMessages(app.url, "dburl", "s", { messages: [{ content: "through the query's host", peer_id: "p" }] });
    expect(res.status).toBe(201);
    const rows = await db.sql`SELECT content FROM messages WHERE workspace_name = 'dburl'`;
    expect(rows.map((r) => r.content)).toEqual(["through the query's host"]);
  });
});
