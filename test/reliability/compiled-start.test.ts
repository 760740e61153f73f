// npm start serves compiled JavaScript: scripts/start.mjs builds dist/ when it
// is missing or stale and runs it with plain node, with no TypeScript loader
// in the serving process.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { freePort } from "../support/service-process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe("npm start", () => {
  it("builds dist/ when stale and serves it with plain node", async () => {
    // stale on purpose: a source newer than the last build
    const built = path.join(ROOT, "dist/.built");
    if (fs.existsSync(built)) fs.utimesSync(built, new Date(0), new Date(0));
    const port = await freePort();
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "", PORT: String(port), DATABASE_URL: db.url, WEB_CONCURRENCY: "1", LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 600 && !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain("building dist/");
      expect(fs.statSync(built).mtimeMs).toBeGreaterThan(Date.now() - 600_000);
      const res = await fetch(`${url}/v3/workspaces/compiled/sessions/s/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ content: "hi", peer_id: "a" }] }) });
      expect(res.status).toBe(201);
      // the serving process: plain node on the start script, no loader flags, the build's modules
      const cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      expect(cmdline.slice(1)).toEqual(["scripts/start.mjs"]);
      const environ = fs.readFileSync(`/proc/${child.pid}/environ`, "utf8");
      expect(environ).not.toMatch(/NODE_OPTIONS=[^\0]*tsx/);
      expect(fs.existsSync(path.join(ROOT, "dist/src/main.js"))).toBe(true);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }, 240_000);
});
