// Reaching Honcho's cache as Honcho's settings name it: CACHE_URL read as
// redis-py reads a URL, keys named as cashews names them, no password in a log.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { cacheKey, openHonchoCache, redactedUrl, redisTarget, unreachableCache } from "../../src/store/honcho-cache.js";

describe("Honcho's cache", () => {
  it("names keys as Honcho's crud modules do", () => {
    expect(cacheKey("honcho", { workspace: "acme" })).toBe("honcho:v2:workspace:acme");
    expect(cacheKey("honcho", { workspace: "acme", peer: "alice" })).toBe("honcho:v2:workspace:acme:peer:alice");
    expect(cacheKey("prod", { workspace: "acme", session: "s-1" })).toBe("prod:v2:workspace:acme:session:s-1");
  });

  it("reads CACHE_URL as redis-py does", () => {
    expect(redisTarget("redis://localhost:6379/0?suppress=true")).toEqual({ socket: { host: "localhost", port: 6379 }, database: 0 });
    expect(redisTarget("redis://:s%40cret@cache:6380/3")).toEqual({ socket: { host: "cache", port: 6380 }, password: "s@cret", database: 3 });
    expect(redisTarget("rediss://user:pw@[::1]")).toEqual({ socket: { host: "::1", port: 6379, tls: true }, username: "user", password: "pw" });
    expect(redisTarget("redis://cache?password=pw&db=5")).toEqual({ socket: { host: "cache", port: 6379 }, password: "pw", database: 5 });
    expect(redisTarget("unix:///run/redis.sock?db=1")).toEqual({ socket: { path: "/run/redis.sock" }, database: 1 });
    for (const out of ["mem://", "memcached://cache:11211", "redis://cache/x", "not a url"]) expect(redisTarget(out), out).toBeNull();
  });

  it("never logs a password", () => {
    expect(redactedUrl("redis://:s3cret@cache:6379/0")).toBe("redis://:***@cache:6379/0");
    expect(redactedUrl("redis://cache/0?password=s3cret&suppress=true")).toBe("redis://cache/0?password=***&suppress=true");
    expect(redactedUrl("::")).toBe("<unparseable url>");
  });

  it("is out of reach, and said so, where no write here can reach it", () => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
    expect(openHonchoCache({ enabled: false, url: "redis://localhost", namespace: "honcho", cluster: false }, log)).toBe(unreachableCache);
    expect(lines).toEqual([]);
    expect(openHonchoCache({ enabled: true, url: "mem://", namespace: "honcho", cluster: false }, log)).toBe(unreachableCache);
    expect(openHonchoCache({ enabled: true, url: "redis://localhost", namespace: "honcho", cluster: true }, log)).toBe(unreachableCache);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual([
      "CACHE_URL is not a redis://, rediss:// or unix:// URL: Honcho may answer rows changed here as they were for up to CACHE_DEFAULT_TTL_SECONDS",
      "CACHE_CLUSTER=true: a Redis Cluster is not supported here; Honcho may answer rows changed here as they were for up to CACHE_DEFAULT_TTL_SECONDS",
    ]);
  });
});
