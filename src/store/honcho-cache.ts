// Honcho's cache of workspaces, peers and sessions (src/cache/client.py, and
// the @cache-decorated _fetch_workspace, _fetch_peer and get_or_create_session
// of src/crud/): with CACHE_ENABLED, Honcho's server and deriver read these
// rows through Redis for CACHE_DEFAULT_TTL_SECONDS (300), and drop an entry
// when they change its row. A write here changes the same rows, so it drops
// the same entries. Otherwise Honcho goes on answering the old row, takes
// messages into a session deleted here, and merges its own PUT into its
// stale copy, writing back what a write here had changed (a lost update).
//
// Keys as cashews writes them: `{namespace}:v2:workspace:{w}`, and under it
// `:peer:{p}` and `:session:{s}`.
//
// Best effort, as Honcho's safe_cache_delete: a failure is logged, never the
// caller's, and each attempt has a deadline, so that an unreachable Redis
// never holds a write's answer for long. Honcho's entries are in Redis only
// with CACHE_ENABLED; without it each Honcho process keeps its own in memory,
// out of reach (README, docs/deployment.md).
import { createClient } from "@redis/client";
import type { Logger } from "pino";
import type { HonchoCacheSettings } from "../config-honcho.js";

/** A row Honcho caches: a workspace, or a peer or (not both) a session of it. */
export interface CacheEntry {
  workspace: string;
  peer?: string;
  session?: string;
}

export interface HonchoCache {
  /** drops these entries; resolves when done or given up (logged), never rejects */
  forget(entries: CacheEntry[]): Promise<void>;
  close(): Promise<void>;
}

export const unreachableCache: HonchoCache = { forget: async () => {}, close: async () => {} };

export function cacheKey(namespace: string, e: CacheEntry): string {
  const workspace = `${namespace}:v2:workspace:${e.workspace}`;
  if (e.peer !== undefined) return `${workspace}:peer:${e.peer}`;
  if (e.session !== undefined) return `${workspace}:session:${e.session}`;
  return workspace;
}

export interface RedisTarget {
  socket: { host: string; port: number; tls?: true } | { path: string };
  username?: string;
  password?: string;
  database?: number;
}

/**
 * CACHE_URL as redis-py reads it: redis://, rediss:// (TLS) or unix://;
 * user and password in the authority or as ?password=; the database as the
 * path or ?db=. Other query options (cashews' suppress, timeouts) are
 * Honcho's client's own. null: a URL Honcho's entries cannot be reached by (mem://).
 */
export function redisTarget(url: string): RedisTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const q = u.searchParams;
  const password = q.get("password") ?? (u.password ? decodeURIComponent(u.password) : undefined);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const db = q.get("db") ?? (u.protocol === "unix:" ? "" : u.pathname.replace(/^\//, ""));
  const database = db === "" ? undefined : Number(db);
  if (database !== undefined && !(Number.isInteger(database) && database >= 0)) return null;
  const auth = { ...(username ? { username } : {}), ...(password !== undefined ? { password } : {}), ...(database !== undefined ? { database } : {}) };
  if (u.protocol === "unix:") return { socket: { path: decodeURIComponent(u.pathname) }, ...auth };
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") return null;
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "localhost";
  const port = u.port ? Number(u.port) : 6379;
  return { socket: u.protocol === "rediss:" ? { host, port, tls: true } : { host, port }, ...auth };
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (u.searchParams.has("password")) u.searchParams.set("password", "***");
    if (u.searchParams.has("secret")) u.searchParams.set("secret", "***");
    return u.toString();
  } catch {
    return "<unparseable url>";
  }
}

/** Each attempt's deadline, and how many: an unreachable Redis holds a write's answer for about 3 s at most. */
const ATTEMPT_MS = 1_000;
const ATTEMPTS = 3;

/** Honcho's cache as its settings describe it, or `unreachableCache` (logged) where no write here can reach it. */
export function openHonchoCache(s: HonchoCacheSettings, log: Logger): HonchoCache {
  if (!s.enabled) return unreachableCache;
  const target = redisTarget(s.url);
  const where = { url: redactedUrl(s.url), namespace: s.namespace };
  if (target === null || s.cluster) {
    log.warn(where, s.cluster
      ? "CACHE_CLUSTER=true: a Redis Cluster is not supported here; Honcho may answer rows changed here as they were for up to CACHE_DEFAULT_TTL_SECONDS"
      : "CACHE_URL is not a redis://, rediss:// or unix:// URL: Honcho may answer rows changed here as they were for up to CACHE_DEFAULT_TTL_SECONDS");
    return unreachableCache;
  }
  const client = createClient({
    ...target,
    socket: { ...target.socket, connectTimeout: ATTEMPT_MS, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 5_000) },
    // a command while disconnected fails at once instead of waiting for the connection
    disableOfflineQueue: true,
  });
  let lastComplaint = 0;
  client.on("error", (err: unknown) => {
    // the client reconnects by itself; say so once a minute, not at every try
    if (Date.now() - lastComplaint < 60_000) return;
    lastComplaint = Date.now();
    log.warn({ ...where, err }, "Honcho's cache (Redis) is unreachable: retrying; meanwhile Honcho may answer rows changed here as they were");
  });
  client.on("ready", () => log.info(where, "dropping Honcho's cache entries for the rows written here"));
  // not awaited: the service starts whether or not Redis is up, and the client keeps trying
  client.connect().catch(() => undefined);

  return {
    async forget(entries) {
      if (entries.length === 0) return;
      let last: unknown;
      for (let i = 0; i < ATTEMPTS; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** (i - 1)));
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            client.del(entries.map((e) => cacheKey(s.namespace, e))),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ATTEMPT_MS} ms`)), ATTEMPT_MS))),
          ]);
          return;
        } catch (err) {
          last = err;
        } finally {
          clearTimeout(timer);
        }
      }
      log.warn({ ...where, err: last, keys: entries.map((e) => cacheKey(s.namespace, e)) },
        "could not drop Honcho's cache entries: Honcho may answer these rows as they were until the entries expire (CACHE_DEFAULT_TTL_SECONDS)");
    },
    async close() {
      if (!client.isOpen) return;
      if (client.isReady) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
  };
}
