// PostgreSQL stopped under load, 10 000 fuzzed requests, and slow or hostile
// clients: fail fast, recover fast, never crash, never a 5xx for a client.
import http2 from "node:http2";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import fs from "node:fs/promises";
import fc from "fast-check";
import pino from "pino";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/store/embedded.js";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { startPgProxy, type PgProxy } from "../support/pg-proxy.js";
import { startService, type ServiceProcess } from "../support/service-process.js";

describe("PostgreSQL stopped for 5 s under load", () => {
  let dir: string;
  let pg: EmbeddedDatabase;
  let svc: ServiceProcess;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "outage-"));
    await fs.chmod(dir, 0o755);
    pg = await startEmbeddedPostgres(dir, pino({ level: "warn" }));
    svc = await startService({ DATABASE_URL: pg.url, LOG_LEVEL: "warn", REQUEST_TIMEOUT_MS: "10000", DB_STATEMENT_TIMEOUT_MS: "3000" });
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
    await pg?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("fails fast with 503 and NOT_SERVING, then succeeds within 2 s of its return", async () => {
    // A step that does not end fails the test naming itself, and a request left
    // unanswered past twice REQUEST_TIMEOUT_MS counts as hung (status 0), rather
    // than everything waiting for the 300 s test timeout. Hung requests were
    // seen here three times (2026-12-04; once in about five runs with a core
    // kept busy): 8 requests, two write groups' worth, that came as
    // PostgreSQL went down, never answered; src/store/deadline.ts now gives up
    // on a statement one second after cancelling it (docs/reliability.md).
    const within = <T>(ms: number, step: string, p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${step}: not done within ${ms} ms`)), ms).unref())]);
    const pool = new Pool(svc.url, { connections: 8, headersTimeout: 20_000, bodyTimeout: 20_000 });
    const post = async () => {
      const t = Date.now();
      try {
        const res = await pool.request({ method: "POST", path: "/v3/workspaces/out/sessions/s/messages", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ content: "x", peer_id: "a" }] }) });
        await res.body.dump();
        return { status: res.statusCode, ms: Date.now() - t, at: Date.now() };
      } catch (err) {
        return { status: 0, ms: Date.now() - t, at: Date.now(), error: String(err) };
      }
    };
    expect((await post()).status).toBe(201);
    let running = true;
    const outcomes: { status: number; ms: number; at: number; error?: string }[] = [];
    const load = Promise.all(Array.from({ length: 8 }, async () => {
      while (running) outcomes.push(await post());
    }));
    await new Promise((r) => setTimeout(r, 300));
    await within(60_000, "stopping PostgreSQL", pg.stop());
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_500));
    const ready = await fetch(`${svc.url}/ready`);
    expect(ready.status).toBe(503);
    await new Promise((r) => setTimeout(r, 3_500));
    const restartAt = Date.now();
    pg = await within(60_000, "starting PostgreSQL again", startEmbeddedPostgres(dir, pino({ level: "warn" }), Number(new URL(pg.url).port)));
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    running = false;
    await within(60_000, "the load's last requests", load);
    await pool.close();
    expect(outcomes.filter((o) => o.status === 0)).toEqual([]); // none hung, none cut
    const during = outcomes.filter((o) => o.at > stoppedAt + 200 && o.at < restartAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((o) => o.status === 503)).toBe(true);
    expect(Math.max(...during.map((o) => o.ms))).toBeLessThan(10_000);
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    expect(slowest).toBeLessThan(10_000); // nothing hangs past the request timeout
    console.log(`outage: ${outcomes.length} requests in all, slowest ${slowest} ms`);
    expect(outcomes.some((o) => o.status >= 500 && o.status !== 503)).toBe(false);
    const firstOk = outcomes.find((o) => o.at > backAt && o.status === 201);
    console.log(`outage: ${during.length} requests answered 503 (slowest ${Math.max(...during.map((o) => o.ms))} ms); first 201 ${firstOk ? firstOk.at - backAt : "none"} ms after PostgreSQL was back`);
    expect(firstOk).toBeDefined();
    expect(firstOk!.at - backAt).toBeLessThan(2_000);
  });
});

// postgres.js loads array types with its own query on every new connection
// and drops that query's promise (porsager/postgres#1192): when the query
// fails, its rejection has nobody listening, which ends a Node process. The
// write connections make no such query (src/store/array-types.ts), so it is
// met by a request on the rest of the pool, here a read.
describe("postgres.js's array-types query failing on a new connection", () => {
  let db: TestDb;
  let proxy: PgProxy;
  let svc: ServiceProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startPgProxy(db.url);
    svc = await startService({ DATABASE_URL: proxy.url, LOG_LEVEL: "warn", DB_POOL_SIZE: "2" }); // one write connection, one for the rest
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
    await proxy?.close();
    await db?.drop();
  });

  it("does not end the service: that request fails, the next ones succeed", async () => {
    const post = () =>
      fetch(`${svc.url}/v3/workspaces/types/sessions/s/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ content: "x", peer_id: "a" }] }) }).then((r) => r.status);
    const read = () => fetch(`${svc.url}/v3/workspaces/types/sessions/s/messages/list`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status);
    expect(await post()).toBe(201);
    expect(await read()).toBe(200);
    proxy.failOnce("pg_catalog.pg_type", "57014"); // as if statement_timeout cancelled it
    await proxy.cut(); // every pooled connection goes: the next request opens a new one
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 300)); // the service has seen its connections close
    const first = await read().catch(() => 0);
    await new Promise((r) => setTimeout(r, 500)); // time for a crash to show
    expect(svc.child.exitCode).toBeNull();
    expect(first).toBe(503);
    expect(await read()).toBe(200);
    expect(await post()).toBe(201); // a new write connection: it makes no array-types query
  });
});

describe("abuse", () => {
  let db: TestDb;
  let svc: ServiceProcess;
  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn", HEADERS_TIMEOUT_MS: "1000", REQUEST_TIMEOUT_MS: "2000", IDLE_TIMEOUT_MS: "3000", BODY_LIMIT_BYTES: "262144" });
  });
  afterAll(async () => {
    svc?.child.kill("SIGTERM");
    await svc?.exited;
    await db?.drop();
  });

  it("answers 10 000 fuzzed requests over REST and gRPC with no 5xx, and memory comes back", async () => {
    const baseline = svc.rssBytes();
    const pool = new Pool(svc.url, { connections: 16 });
    const statuses = new Map<number, number>();
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom("", "😀", "\ud800", "a\u0000b", "x".repeat(30_000)));
    const json = fc.jsonValue({ maxDepth: 6 });
    const body = fc.oneof(
      fc.record({ messages: fc.array(fc.record({ content: fc.oneof(text, json), peer_id: fc.oneof(text, json), metadata: json }, { requiredKeys: [] }), { maxLength: 4 }) }).map((b) => JSON.stringify(b)),
      json.map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)),
      fc.constantFrom("[".repeat(10_000), "{", "x".repeat(300_000)),
    );
    const samples = fc.sample(fc.tuple(text, text, body), 7_000);
    for (let i = 0; i < samples.length; i += 16) {
      await Promise.all(samples.slice(i, i + 16).map(async ([ws, ss, b]) => {
        const res = await pool.request({ method: "POST", path: `/v3/workspaces/${encodeURIComponent(ws.toWellFormed())}/sessions/${encodeURIComponent(ss.toWellFormed())}/messages`, headers: { "content-type": "application/json" }, body: b }).catch(() => null);
        if (!res) return statuses.set(0, (statuses.get(0) ?? 0) + 1);
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }));
    }
    await pool.close();
    // gRPC: garbage frames, truncated streams, hostile strings
    const session = http2.connect(svc.url);
    const bytes = fc.sample(fc.uint8Array({ maxLength: 300 }), 3_000);
    let grpc5xx = 0;
    for (let i = 0; i < bytes.length; i += 16) {
      await Promise.all(bytes.slice(i, i + 16).map((b, j) => new Promise<void>((resolve) => {
        const frame = Buffer.alloc(5 + b.length);
        frame.writeUInt32BE(b.length + (j % 5 === 0 ? 7 : 0), 1); // some frames lie about their length (truncated)
        frame.set(b, 5);
        const stream = session.request({ ":method": "POST", ":path": "/honcho.v3.MessageService/CreateMessages", "content-type": "application/grpc", te: "trailers" });
        let status: string | undefined;
        stream.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
        stream.on("trailers", (h) => (status = h["grpc-status"] as string | undefined));
        stream.on("data", () => {});
        stream.on("error", () => {});
        stream.on("close", () => {
          if (status === "13" || status === "2") grpc5xx++;
          resolve();
        });
        if (j % 7 === 0) stream.close(http2.constants.NGHTTP2_CANCEL); // the client gives up mid-request
        else stream.end(frame);
      })));
    }
    session.close();
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(`fuzz: REST statuses ${JSON.stringify(Object.fromEntries(statuses))}; gRPC INTERNAL/UNKNOWN: ${grpc5xx}`);
    expect(fivexx).toBe(0);
    expect(grpc5xx).toBe(0);
    expect(svc.child.exitCode).toBeNull();
    await new Promise((r) => setTimeout(r, 3_000));
    const after = svc.rssBytes();
    console.log(`fuzz: RSS ${Math.round(baseline / 2 ** 20)} MiB before, ${Math.round(after / 2 ** 20)} MiB after`);
    expect(after).toBeLessThan(baseline * 1.5 + 64 * 2 ** 20);
  });

  it("drops a client that sends its headers too slowly (slowloris)", async () => {
    const socket = net.connect(svc.port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((r) => socket.once("connect", r));
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
    const started = Date.now();
    socket.write("POST /v3/workspaces/a/sessions/b/messages HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 300);
    const at = await closed;
    clearInterval(drip);
    expect(at - started).toBeLessThan(4_000);
  });

  it("drops a body that never ends", async () => {
    const socket = net.connect(svc.port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((r) => socket.once("connect", r));
    let answer = "";
    socket.on("data", (d) => (answer += d));
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
    const started = Date.now();
    socket.write("POST /v3/workspaces/a/sessions/b/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"messages\": [");
    const drip = setInterval(() => socket.writable && socket.write(" "), 200);
    const at = await closed;
    clearInterval(drip);
    expect(at - started).toBeLessThan(5_000);
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  });

  it("keeps a busy HTTP/2 connection past IDLE_TIMEOUT_MS (3 s here), and closes it once idle", async () => {
    const session = http2.connect(svc.url);
    session.on("error", () => {});
    const closed = new Promise<number>((r) => session.once("close", () => r(Date.now())));
    const health = () =>
      new Promise<string | undefined>((resolve) => {
        const s = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
        let status: string | undefined;
        s.on("trailers", (h) => (status = h["grpc-status"] as string | undefined));
        s.on("data", () => {});
        s.on("close", () => resolve(status));
        s.on("error", () => resolve(undefined));
        s.end(Buffer.alloc(5)); // an empty HealthCheckRequest
      });
    const started = Date.now();
    while (Date.now() - started < 5_000) {
      expect(await health()).toBe("0"); // the same connection, one call every 100 ms
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(session.closed || session.destroyed).toBe(false);
    const idleFrom = Date.now();
    const at = await closed;
    expect(at - idleFrom).toBeGreaterThanOrEqual(2_500);
    expect(at - idleFrom).toBeLessThan(6_000);
  });

  it("keeps serving others while a client never reads its answers", async () => {
    const greedy = net.connect(svc.port, "127.0.0.1");
    greedy.on("error", () => {});
    await new Promise((r) => greedy.once("connect", r));
    greedy.pause(); // never read
    const body = JSON.stringify({ messages: [{ content: "y".repeat(20_000), peer_id: "a" }] });
    for (let i = 0; i < 200; i++) greedy.write(`POST /v3/workspaces/g/sessions/s/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await new Promise((r) => setTimeout(r, 1_000));
    // Answered while the greedy client is still connected and still not
    // reading: a service blocked behind it would answer only once it is gone.
    // (The bound is liveness, not speed: the greedy client's 200 requests are
    // being written meanwhile, and a slow shared host took 2.1 s here.)
    const res = await fetch(`${svc.url}/v3/workspaces/g/sessions/other/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ content: "hi", peer_id: "b" }] }), signal: AbortSignal.timeout(15_000) });
    expect(res.status).toBe(201);
    expect(greedy.destroyed).toBe(false);
    greedy.destroy();
  });
});
