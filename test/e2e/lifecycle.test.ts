// Graceful shutdown and the typed client other services use.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe("graceful shutdown", () => {
  it("finishes the request in flight, then refuses connections and closes the pool", async () => {
    const app = await startTestApp(db.url, { shutdownGraceMs: 5_000 });
    expect((await postMessages(app.url, "gs", "s", { messages: [{ content: "first", peer_id: "a" }] })).status).toBe(201);
    // Hold the session row so the next batch is still in flight when the stop begins.
    const release = deferred();
    const locked = deferred();
    const holder = db.sql.begin(async (tx) => {
      await tx`SELECT 1 FROM sessions WHERE name = 's' FOR UPDATE`;
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    const inFlight = postMessages(app.url, "gs", "s", { messages: [{ content: "in flight", peer_id: "a" }] });
    await new Promise((r) => setTimeout(r, 200));
    const stopped = app.stop();
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`${app.url}/health`)).rejects.toThrow(); // no longer accepting
    release.resolve();
    await holder;
    expect((await inFlight).status).toBe(201);
    await stopped;
    const conns = await db.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'honcho-ingest%' AND datname = current_database()`;
    expect(conns[0]!.n).toBe(0);
    const rows = await db.sql`SELECT content FROM messages WHERE session_name = 's' ORDER BY seq_in_session`;
    expect(rows.map((r) => r.content)).toEqual(["first", "in flight"]);
  });
});

describe("gen/ as a typed client", () => {
  it("runs the README's ten-line gRPC client", async () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const example = fs.readFileSync(path.join(ROOT, "examples/client.ts"), "utf8");
    expect(readme).toContain(example.trim());
    const app = await startTestApp(db.url);
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["--import", "tsx", "examples/client.ts"], { cwd: ROOT, env: { ...process.env, HONCHO_URL: app.url } }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      expect(out).toMatch(/^[A-Za-z0-9_-]{21} alice 4 hi from gRPC\n$/);
    } finally {
      await app.stop();
    }
  });
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
