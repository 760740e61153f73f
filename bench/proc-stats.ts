// A local process's CPU time and memory, from /proc (Linux).
import { existsSync, readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** user + system CPU of the process (all its threads; the kernel's work on its behalf included), in ms */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** whether this machine can see the process in /proc */
export const visible = (pid: number) => existsSync(`/proc/${pid}/stat`);

/** CPU of every PostgreSQL process on this machine (the server's backends and its helpers), in ms, with that of the backends that
 * have ended (the postmaster's reaped children: a client's connections close before it can be measured); 0 where /proc shows none */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (!stat.includes(" (postgres) ")) continue;
      const f = stat.split(") ")[1]!.split(" ");
      total += ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** TCP segments this machine has sent (every socket, loopback included: /proc/net/snmp's OutSegs) */
export function tcpSegmentsOut(): number {
  const lines = readFileSync("/proc/net/snmp", "utf8").split("\n").filter((l) => l.startsWith("Tcp:"));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf("OutSegs")]);
}
