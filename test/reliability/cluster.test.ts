// Every core: WEB_CONCURRENCY workers on one port and one embedded
// PostgreSQL; a worker that dies is replaced while the others serve; the
// metrics add up over the workers; SIGTERM stops them all, then PostgreSQL.
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type ServiceProcess } from "../support/service-process.js";

let dir: string;
let svc: ServiceProcess;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "cluster-"));
  await fsp.chmod(dir, 0o755);
  svc = await startService({ WEB_CONCURRENCY: "2", DATA_DIR: dir, LOG_LEVEL: "info" });
});
afterAll(async () => {
  if (svc?.child.exitCode === null) svc.child.kill("SIGTERM");
  await svc?.exited;
  await fsp.rm(dir, { recursive: true, force: true });
});

// the primary's children that are node processes: its workers
const workers = () =>
  fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const [comm] = /\(([^)]*)\)/.exec(stat)!.slice(1);
      return comm === "node" && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === svc.child.pid;
    } catch {
      return false;
    }
  }).map(Number);
const cpuTicks = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").slice(fs.readFileSync(`/proc/${pid}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
};
const post = (i: number) =>
  fetch(`${svc.url}/v3/workspaces/cluster/sessions/s${i % 7}/messages`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: JSON.stringify({ messages: [{ content: `m${i}`, peer_id: "a" }] }) }).then((r) => r.status);

describe("WEB_CONCURRENCY=2", () => {
  it("serves from two workers on one port, with one embedded PostgreSQL", async () => {
    expect(workers()).toHaveLength(2);
    const before = workers().map(cpuTicks);
    const statuses = await Promise.all(Array.from({ length: 300 }, (_, i) => post(i)));
    expect(statuses.every((s) => s === 201)).toBe(true);
    const after = workers().map(cpuTicks);
    expect(after.every((t, i) => t > before[i]!)).toBe(true); // both did work
    // the metrics add up over the workers
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const served = Number(/honcho_requests_total\{protocol="rest",procedure="POST \/v3\/workspaces\/\{workspace_id\}\/sessions\/\{session_id\}\/messages",code="201"\} (\d+)/.exec(metrics)?.[1]);
    expect(served).toBe(300);
    expect(metrics).toMatch(/honcho_messages_ingested_total 300/);
  });

  // Requests in flight as the worker dies: each one is answered or refused,
  // none is left waiting. (Under Node's round-robin scheduling the primary
  // accepts every connection and hands it to a worker; a connection handed to
  // a worker that has just died is never answered nor closed.)
  it("replaces a worker killed with SIGKILL while the other serves, leaving no request hanging", async () => {
    const [victim] = workers();
    const settle = (i: number) =>
      fetch(`${svc.url}/v3/workspaces/cluster/sessions/s${i % 7}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
        body: JSON.stringify({ messages: [{ content: `m${i}`, peer_id: "a" }] }),
        signal: AbortSignal.timeout(15_000),
      }).then(
        (r) => String(r.status),
        (e: Error) => (e.name === "TimeoutError" ? "hung" : "refused"),
      );
    const during = Array.from({ length: 60 }, (_, i) => settle(1000 + i));
    process.kill(victim!, "SIGKILL");
    const after: Promise<string>[] = [];
    for (let i = 0; i < 60; i++) {
      after.push(settle(1100 + i));
      await new Promise((r) => setTimeout(r, 5));
    }
    const outcomes = await Promise.all([...during, ...after]);
    expect(outcomes.filter((o) => o === "hung")).toEqual([]);
    expect(outcomes.filter((o) => o === "201").length).toBeGreaterThan(100); // only those on the dying worker may fail
    for (let i = 0; i < 100 && workers().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers()).toHaveLength(2);
    expect(workers()).not.toContain(victim);
    expect(await post(2000)).toBe(201);
  }, 60_000);

  it("stops every worker and the embedded PostgreSQL on SIGTERM", async () => {
    const pids = workers();
    svc.child.kill("SIGTERM");
    expect(await svc.exited).toBe(0);
    expect(pids.every((p) => !fs.existsSync(`/proc/${p}`))).toBe(true);
    const pgOpen = await new Promise<boolean>((resolve) => {
      const s = net.connect(svc.pgPort, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    expect(svc.pgPort).toBeGreaterThan(0);
    expect(pgOpen).toBe(false);
  });
});
