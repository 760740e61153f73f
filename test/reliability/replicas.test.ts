// Several service processes on one database (no pooler), as replicas behind
// a load balancer: writers on shared sessions through all of them, and
// kill -9 of one replica under load, then of another, while the rest serve.
// A writer whose replica dies sends the same batch, with the same
// Idempotency-Key, to the next one (what a client behind a balancer does).
// Every acknowledged batch is stored once, sequences stay gapless, and the
// surviving replicas answer every request they get.
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { startService, type ServiceProcess } from "../support/service-process.js";
import { batchOf, postBatch, verify, type Ack } from "../support/writers.js";

const REPLICAS = 3;
const SESSIONS = Array.from({ length: 6 }, (_, i) => `shared-${i}`);
const WRITERS = 24;

let db: TestDb;
let replicas: { svc: ServiceProcess; pool: Pool; alive: boolean; answered: Map<number, number> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // started together: their migrations meet under the advisory lock
  const started = await Promise.all(
    Array.from({ length: REPLICAS }, () => startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn", WEB_CONCURRENCY: "1", DB_POOL_SIZE: "6" })),
  );
  replicas = started.map((svc) => ({ svc, pool: new Pool(svc.url, { connections: 16 }), alive: true, answered: new Map() }));
});

afterAll(async () => {
  for (const r of replicas) {
    await r.pool.destroy().catch(() => {});
    if (r.alive) {
      r.svc.child.kill("SIGTERM");
      await r.svc.exited;
    }
  }
  await db?.drop();
});

describe("replicas on one database", () => {
  it("kill -9 of one replica, then another, under load: every acknowledged batch once, gapless, the others serving", async () => {
    const acks: Ack[] = [];
    let stop = false;
    let failovers = 0;
    let killedAt = 0;
    let ackedAfterKill = 0;

    const writer = async (w: number) => {
      const session = SESSIONS[w % SESSIONS.length]!;
      let at = w % REPLICAS;
      for (let b = 0; !stop; b++) {
        const { tag, messages } = batchOf(b);
        // the same batch, same key, until some replica answers it
        for (let attempt = 0; attempt < 2 * REPLICAS && !stop; attempt++) {
          const r = replicas[at]!;
          if (!r.alive) {
            at = (at + 1) % REPLICAS;
            continue;
          }
          try {
            const res = await postBatch(r.pool, "rep", session, messages, { "idempotency-key": tag });
            r.answered.set(res.status, (r.answered.get(res.status) ?? 0) + 1);
            if (res.ids) {
              acks.push({ session, ids: res.ids });
              if (killedAt) ackedAfterKill++;
            }
            break;
          } catch {
            // this replica died under the request: the next one gets the same batch
            failovers++;
            at = (at + 1) % REPLICAS;
          }
        }
      }
    };

    const load = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    const kill = async (i: number) => {
      replicas[i]!.svc.child.kill("SIGKILL");
      replicas[i]!.alive = false;
      killedAt ||= Date.now();
      await replicas[i]!.svc.exited;
    };
    // under way first (a fresh process answers its first requests slowly), then ~1 s more
    const acked = async (n: number) => {
      for (const deadline = Date.now() + 60_000; acks.length < n && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1_000));
    };
    await acked(100);
    const beforeKill = acks.length;
    await kill(0);
    await acked(acks.length + 100);
    await kill(1);
    await acked(acks.length + 100);
    stop = true;
    await load;

    const n = await verify(db.sql, "rep", SESSIONS, acks);
    const survivor = replicas[2]!;
    const answered = replicas.flatMap((r) => [...r.answered.keys()]);
    console.log(
      `replicas: ${acks.length} acknowledged batches (${beforeKill} before the first kill, ${ackedAfterKill} after), ${n} messages stored, ` +
        `${failovers} requests cut by a kill and sent again elsewhere; survivor answered ${JSON.stringify(Object.fromEntries(survivor.answered))}`,
    );
    expect(beforeKill).toBeGreaterThan(50);
    expect(ackedAfterKill).toBeGreaterThan(50);
    // every request a replica answered (the survivor's, and the others' before their kill) was 201; a replayed batch is 201 too
    expect(new Set(answered)).toEqual(new Set([201]));
    // nothing acknowledged twice: an idempotent retry answers the ids first stored
    const ids = acks.flatMap((a) => a.ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
