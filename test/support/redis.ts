// Debian's redis-server on a free port, without persistence, for tests of
// dropping Honcho's cache entries (the Redis Honcho runs with CACHE_ENABLED).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createClient } from "@redis/client";
import { freePort } from "./service-process.js";

const clientOf = (port: number, db: number) => createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, database: db });
export type RedisClient = ReturnType<typeof clientOf>;

export interface RedisServer {
  port: number;
  /** a client on database `db` */
  client(db?: number): Promise<RedisClient>;
  stop(): Promise<void>;
}

/** redis-server: REDIS_SERVER, then PATH, then Debian's /usr/bin. */
export function findRedisServer(): string | undefined {
  const candidates = [process.env.REDIS_SERVER, ...(process.env.PATH ?? "").split(":").map((d) => path.join(d, "redis-server")), "/usr/bin/redis-server"];
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c!) && spawnSync(c!, ["--version"]).status === 0);
}

export async function startRedis(binary: string): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const clients: RedisClient[] = [];
  const client = async (db = 0) => {
    const c = clientOf(port, db);
    await c.connect();
    clients.push(c);
    return c;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await client()).ping();
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start: ${String(err)}\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    client,
    async stop() {
      for (const c of clients) if (c.isOpen) c.destroy();
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}
