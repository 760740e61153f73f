// Nothing acknowledged is lost, nothing half-written is stored: 32 writers
// × 50 batches, then five kill -9 of the service under load.
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { startService, type ServiceProcess } from "../support/service-process.js";
import { verify as verifyIn, writer, type Ack } from "../support/writers.js";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const verify = (sessions: string[], acks: Ack[]) => verifyIn(db.sql, "rel", sessions, acks);

describe("concurrent writers", () => {
  let svc: ServiceProcess;
  beforeAll(async () => {
    svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn" });
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
  });

  it.each([
    ["one session", (w: number) => "one"],
    ["32 sessions", (w: number) => `many-${w}`],
  ])("32 writers × 50 batches into %s: every acknowledged message once, gapless, in order", async (_n, sessionOf) => {
    const pool = new Pool(svc.url, { connections: 32 });
    const acks: Ack[] = [];
    await Promise.all(Array.from({ length: 32 }, (_, w) => writer(pool, sessionOf(w), 50, acks)));
    await pool.close();
    expect(acks).toHaveLength(32 * 50);
    const sessions = [...new Set(Array.from({ length: 32 }, (_, w) => sessionOf(w)))];
    const n = await verify(sessions, acks);
    expect(n).toBe(acks.reduce((s, a) => s + a.ids.length, 0));
    console.log(`writers into ${_n}: ${acks.length} batches, ${n} messages, all stored once`);
  });
});

describe("kill -9 under load", () => {
  it("loses no acknowledged message and stores no partial batch, five times over", async () => {
    const acks: Ack[] = [];
    const sessions = Array.from({ length: 8 }, (_, i) => `crash-${i}`);
    let port: number | undefined;
    for (let round = 0; round < 5; round++) {
      const svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn" }, port);
      port = svc.port;
      const pool = new Pool(svc.url, { connections: 8 });
      let dead = false;
      const load = Promise.all(sessions.map((s) => writer(pool, s, 100_000, acks, () => dead)));
      await new Promise((r) => setTimeout(r, 700 + round * 150));
      svc.child.kill("SIGKILL");
      await svc.exited;
      dead = true;
      await load;
      await pool.destroy();
    }
    const n = await verify(sessions, acks);
    console.log(`kill -9 ×5: ${acks.length} acknowledged batches, ${n} messages stored, none lost, none partial`);
    expect(acks.length).toBeGreaterThan(50);
  });
});
