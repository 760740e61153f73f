// The service as an operator runs it: `npm start`'s entry point with no
// DATABASE_URL starts an embedded PostgreSQL under DATA_DIR, serves, stops it
// on SIGTERM, and finds its data again on the next start.
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { postMessages } from "../support/clients.js";
import { startService } from "../support/service-process.js";

let dataDir: string;
afterAll(async () => {
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

const start = (env: Record<string, string>) => startService({ ...env, DATABASE_URL: "" });

describe("the service process with an embedded PostgreSQL", () => {
  it("serves, stops cleanly on SIGTERM and keeps its data across restarts", async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "honcho-ingest-"));
    await fs.chmod(dataDir, 0o755); // the embedded server runs as user "postgres" under root
    const first = await start({ DATA_DIR: dataDir });
    expect((await postMessages(first.url, "proc-ws", "proc-s", { messages: [{ content: "one", peer_id: "a" }] })).status).toBe(201);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(await portOpen(first.pgPort)).toBe(false); // the embedded server stopped with the service

    const second = await start({ DATA_DIR: dataDir });
    try {
      expect((await postMessages(second.url, "proc-ws", "proc-s", { messages: [{ content: "two", peer_id: "a" }] })).status).toBe(201);
      const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${second.pgPort}/honcho`, { max: 1 });
      const rows = await sql`SELECT content, seq_in_session::int AS seq FROM messages ORDER BY seq_in_session`;
      await sql.end();
      expect(rows.map((r) => [r.content, r.seq])).toEqual([["one", 1], ["two", 2]]);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 180_000);
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}
