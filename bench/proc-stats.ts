// A local process's CPU time and memory, from /proc (Linux).
import { existsSync, readFileSync } from "node:fs";

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
