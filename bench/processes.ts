// The benchmark's processes: the service under test (from this tree or
// another checkout, for an A/B) and the load and limit scripts, each a
// process of its own so that its CPU is measured apart.
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { freePort } from "../test/support/service-process.js";

export const ROOT = path.resolve(import.meta.dirname, "..");
/** the service's pool, and the limit's */
export const POOL = 10;

export interface Service {
  url: string;
  child: ReturnType<typeof spawn>;
  pid: number;
}

/** The service from `cwd` (this tree by default) on `databaseUrl`, once it answers /ready; `env` is added to its environment. */
export async function startService(databaseUrl: string, opts: { port?: number; cwd?: string; env?: Record<string, string> } = {}): Promise<Service> {
  const port = opts.port ?? (await freePort());
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service only (e.g. --cpu-prof --cpu-prof-dir=DIR)
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: opts.cwd ?? ROOT,
    env: { WEB_CONCURRENCY: "1", ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", DB_POOL_SIZE: String(POOL), ...opts.env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) return { url, child, pid: child.pid! };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  throw new Error("service did not become ready");
}

export async function stopService(svc: Service) {
  svc.child.kill("SIGTERM");
  await new Promise((r) => svc.child.once("exit", r));
}

/** The service's /metrics as numbers by name (reading them also resets its event-loop delay histogram). */
export async function scrape(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([a-z0-9_]+) ([0-9.e+-]+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Runs a bench script with its spec as JSON and returns the JSON of its last line. */
export function child<T>(script: string, spec: object): Promise<T> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ["--import", "tsx", script, JSON.stringify(spec)], { cwd: ROOT, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${script}: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!) as T),
    ),
  );
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
