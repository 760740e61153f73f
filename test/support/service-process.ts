// The service as its own process (`node --import tsx src/main.ts`), for
// tests that kill it, restart it or watch its memory.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** the embedded PostgreSQL's port, when the service started one */
  pgPort: number;
  exited: Promise<number | null>;
  rssBytes(): number;
}

export async function startService(env: Record<string, string>, port?: number): Promise<ServiceProcess> {
  port ??= await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    // one process unless a test asks for more (WEB_CONCURRENCY defaults to one per core)
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", WEB_CONCURRENCY: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let pgPort = 0;
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out = (out + d).slice(-20_000);
    const m = /"port":(\d+)[^\n]*"msg":"embedded PostgreSQL running"/.exec(String(d));
    if (m) pgPort = Number(m[1]);
  });
  child.stderr!.on("data", (d: Buffer) => (out = (out + d).slice(-20_000)));
  let gone = false;
  let serving = false;
  void exited.then((code) => {
    gone = true;
    // a crash once serving (not a signal the test sent): show why, or a later assertion only says "fetch failed"
    if (serving && code !== 0 && code !== null) console.error(`service exited with code ${code}; its last output:\n${out.slice(-6_000)}`);
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 90_000; ; ) {
    if (gone) throw new Error(`exited before serving:\n${out}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`no start within 90 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  serving = true;
  return {
    child,
    url,
    port,
    pgPort,
    exited,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
