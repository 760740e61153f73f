// Debian's PgBouncer in front of a test PostgreSQL, for tests (and the bench)
// that run the service behind a transaction pooler: its configuration in a
// temporary directory, clients authenticated by md5 against a userlist that
// also holds the password PgBouncer logs in to the server with.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./service-process.js";

export interface Pgbouncer {
  port: number;
  pid: number;
  /** a URL for `database` on the server, through PgBouncer */
  url(database: string): string;
  /** what PgBouncer wrote (its log goes to stderr) */
  output(): string;
  stop(): Promise<void>;
}

/** PgBouncer's binary: PGBOUNCER, then PATH, then Debian's /usr/sbin (not on a user's PATH). */
export function findPgbouncer(): string | undefined {
  const candidates = [process.env.PGBOUNCER, ...(process.env.PATH ?? "").split(":").map((d) => path.join(d, "pgbouncer")), "/usr/sbin/pgbouncer"];
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c!) && spawnSync(c!, ["--version"]).status === 0);
}

export async function startPgbouncer(
  binary: string,
  serverUrl: string,
  opts: { poolMode?: "transaction" | "session"; poolSize?: number } = {},
): Promise<Pgbouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbouncer-"));
  // PgBouncer will not run as root; it switches to this user, who must read the files
  const runAs = process.getuid?.() === 0 ? (["postgres", "nobody"].find((u) => spawnSync("id", ["-u", u]).status === 0) ?? "nobody") : undefined;
  fs.chmodSync(dir, 0o755);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, "userlist.txt"), `${q(user)} ${q(password)}\n`, { mode: 0o644 });
  fs.writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = md5",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      `pool_mode = ${opts.poolMode ?? "transaction"}`,
      // fewer server connections than clients: each client's transactions land on different sessions
      `default_pool_size = ${opts.poolSize ?? 4}`,
      "max_client_conn = 500",
      "log_connections = 0",
      "log_disconnections = 0",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  const child = spawn(binary, [...(runAs ? ["-u", runAs] : []), path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: Buffer) => (out = (out + d).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 10_000; ; ) {
    if (gone) throw new Error(`pgbouncer exited:\n${out}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer not listening within 10 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid!,
    url(database) {
      const u = new URL(serverUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      u.pathname = `/${database}`;
      return u.toString();
    },
    output: () => out,
    async stop() {
      if (!gone) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}
