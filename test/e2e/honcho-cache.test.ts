// Honcho's Redis cache (CACHE_ENABLED): a write here that changes a cached
// workspace, peer or session row drops Honcho's entry for it, under Honcho's
// key names, in CACHE_URL's database; what changes nothing, or only inserts,
// drops nothing; an unreachable Redis costs a warning, never the write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { loadHonchoSettings, type HonchoCacheSettings } from "../../src/config-honcho.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { findRedisServer, startRedis, type RedisClient, type RedisServer } from "../support/redis.js";
import { rest } from "../support/rest.js";
import { freePort } from "../support/service-process.js";

const binary = findRedisServer();
if (!binary) {
  console.warn("\n*** SKIPPED test/e2e/honcho-cache.test.ts: redis-server is not installed (apt-get install redis-server, or REDIS_SERVER=/path/to/redis-server). ***\n");
}

const NS = "acme-honcho";
const honcho = (cache: Partial<HonchoCacheSettings>) => {
  const s = loadHonchoSettings({});
  return { ...s, cache: { ...s.cache, enabled: true, namespace: NS, ...cache } };
};
const key = (ws: string, kind?: "peer" | "session", name?: string) => `${NS}:v2:workspace:${ws}${kind ? `:${kind}:${name}` : ""}`;

describe.skipIf(!binary)("dropping Honcho's cache entries", () => {
  let redis: RedisServer;
  let db3: RedisClient;
  let db0: RedisClient;
  let db: TestDb;
  let app: App;
  beforeAll(async () => {
    redis = await startRedis(binary!);
    db3 = await redis.client(3);
    db0 = await redis.client(0);
    db = await createTestDatabase();
    // database 3 of the URL, and cashews' own query option, as Honcho's docker-compose writes it
    app = await startTestApp(db.url, { honcho: honcho({ url: `redis://127.0.0.1:${redis.port}/3?suppress=true` }) });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await redis?.stop();
  });

  /** Honcho's entries for workspace `ws`, its peer p and session s, and a neighbour's; each test its own workspace. */
  async function cached(ws: string) {
    const keys = [key(ws), key(ws, "peer", "p"), key(ws, "session", "s"), key(`${ws}0`), key(`${ws}0`, "peer", "p")];
    for (const k of keys) await db3.set(k, "cached row");
    await db0.set(key(ws), "another database");
    return async () => {
      const left = [];
      for (const k of keys) if ((await db3.exists(k)) === 1) left.push(k);
      expect(await db0.get(key(ws))).toBe("another database");
      return left;
    };
  }
  const without = (ws: string, ...gone: string[]) =>
    [key(ws), key(ws, "peer", "p"), key(ws, "session", "s"), key(`${ws}0`), key(`${ws}0`, "peer", "p")].filter((k) => !gone.includes(k));

  it("a workspace whose metadata or configuration changes", async () => {
    expect((await rest(app.url, "POST", "/v3/workspaces", { id: "w1", metadata: { v: 1 } })).status).toBe(201);
    let left = await cached("w1");
    expect((await rest(app.url, "PUT", "/v3/workspaces/w1", { metadata: { v: 1 } })).status).toBe(200);
    expect(await left()).toEqual(without("w1")); // the same metadata: nothing changed
    expect((await rest(app.url, "PUT", "/v3/workspaces/w1", { metadata: { v: 2 } })).status).toBe(200);
    expect(await left()).toEqual(without("w1", key("w1")));
    left = await cached("w1");
    expect((await rest(app.url, "PUT", "/v3/workspaces/w1", { configuration: { reasoning: { enabled: false } } })).status).toBe(200);
    expect(await left()).toEqual(without("w1", key("w1")));
    left = await cached("w1");
    expect((await rest(app.url, "POST", "/v3/workspaces", { id: "w1", metadata: { v: 3 } })).status).toBe(200); // get-or-create leaves a workspace as it is
    expect(await left()).toEqual(without("w1"));
  });

  it("a peer updated, got-or-created with other values, or given a card", async () => {
    expect((await rest(app.url, "POST", "/v3/workspaces/w2/peers", { id: "p", metadata: { a: 1 } })).status).toBe(201);
    let left = await cached("w2");
    expect((await rest(app.url, "POST", "/v3/workspaces/w2/peers", { id: "p", metadata: { a: 1 } })).status).toBe(200);
    expect(await left()).toEqual(without("w2"));
    expect((await rest(app.url, "POST", "/v3/workspaces/w2/peers", { id: "p", metadata: { a: 2 } })).status).toBe(200);
    expect(await left()).toEqual(without("w2", key("w2", "peer", "p")));
    left = await cached("w2");
    expect((await rest(app.url, "PUT", "/v3/workspaces/w2/peers/p", { configuration: { observe_me: false } })).status).toBe(200);
    expect(await left()).toEqual(without("w2", key("w2", "peer", "p")));
    left = await cached("w2");
    expect((await rest(app.url, "PUT", "/v3/workspaces/w2/peers/p/card", { peer_card: ["likes tea"] })).status).toBe(200);
    expect(await left()).toEqual(without("w2", key("w2", "peer", "p")));
  });

  it("a session updated, got-or-created with other values, or deleted", async () => {
    expect((await rest(app.url, "POST", "/v3/workspaces/w3/sessions", { id: "s", peers: { p: {} } })).status).toBe(201);
    let left = await cached("w3");
    expect((await rest(app.url, "POST", "/v3/workspaces/w3/sessions", { id: "s", peers: { q: {} } })).status).toBe(200); // members only
    expect(await left()).toEqual(without("w3"));
    expect((await rest(app.url, "POST", "/v3/workspaces/w3/sessions", { id: "s", configuration: { summary: { enabled: false } } })).status).toBe(200);
    expect(await left()).toEqual(without("w3", key("w3", "session", "s")));
    left = await cached("w3");
    expect((await rest(app.url, "PUT", "/v3/workspaces/w3/sessions/s", { metadata: { topic: "tea" } })).status).toBe(200);
    expect(await left()).toEqual(without("w3", key("w3", "session", "s")));
    left = await cached("w3");
    // messages only insert (the peer is new, the session is not changed)
    expect((await rest(app.url, "POST", "/v3/workspaces/w3/sessions/s/messages", { messages: [{ content: "hi", peer_id: "p" }, { content: "yo", peer_id: "r" }] })).status).toBe(201);
    expect(await left()).toEqual(without("w3"));
    expect((await rest(app.url, "DELETE", "/v3/workspaces/w3/sessions/s")).status).toBe(202);
    expect(await left()).toEqual(without("w3", key("w3", "session", "s")));
  });

  it("a scope peer whose backfill status a session's `scopes` write", async () => {
    const scope = key("w5", "peer", "scope.team");
    expect((await rest(app.url, "POST", "/v3/workspaces/w5/sessions", { id: "s", peers: { p: {} } })).status).toBe(201);
    expect((await rest(app.url, "POST", "/v3/workspaces/w5/sessions/s/messages", { messages: [{ content: "hi", peer_id: "p" }] })).status).toBe(201);
    // a new session in a new scope: rows inserted only
    expect((await rest(app.url, "POST", "/v3/workspaces/w5/sessions", { id: "fresh", scopes: ["team"] })).status).toBe(201);
    await db3.set(scope, "cached row");
    expect((await rest(app.url, "POST", "/v3/workspaces/w5/sessions", { id: "fresh", scopes: ["team"] })).status).toBe(200);
    expect(await db3.exists(scope)).toBe(1);
    const left = await cached("w5");
    // a session with messages joins: its backfill's status is written into the scope peer's row
    expect((await rest(app.url, "POST", "/v3/workspaces/w5/sessions", { id: "s", scopes: ["team"] })).status).toBe(200);
    expect(await db3.exists(scope)).toBe(0);
    expect(await left()).toEqual(without("w5"));
  });

  it("an unreachable Redis: the write is answered and stored, and the operator told", async () => {
    const closed = await freePort();
    const { log, lines } = memoryLogger();
    const dark = await startTestApp(db.url, { honcho: honcho({ url: `redis://127.0.0.1:${closed}/0` }) }, log);
    try {
      const put = await rest(dark.url, "PUT", "/v3/workspaces/w4", { metadata: { v: 1 } });
      expect(put.status).toBe(200);
      expect((await rest(dark.url, "PUT", "/v3/workspaces/w4", { metadata: { v: 2 } })).json.metadata).toEqual({ v: 2 });
      expect((await db.sql`SELECT metadata FROM workspaces WHERE name = 'w4'`)[0]!.metadata).toEqual({ v: 2 });
      const warned = lines().filter((l) => l.level === 40).map((l) => String(l.msg));
      expect(warned).toContain("could not drop Honcho's cache entries: Honcho may answer these rows as they were until the entries expire (CACHE_DEFAULT_TTL_SECONDS)");
    } finally {
      await dark.stop();
    }
  });
});
