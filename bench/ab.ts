// npm run bench:ab: two or more versions of the service compared on one
// database, side by side, each loaded in turn for a few seconds, the order
// alternating from round to round. On a host whose speed drifts from minute
// to minute, a change worth a few per cent shows here where it drowns in
// `npm run bench` (whose runs of one version are minutes apart).
//
//   AB_VARIANTS='[{"name":"before","cwd":"/path/to/a/checkout"},{"name":"after"},{"name":"3 slots","env":{"WRITE_GROUP_SLOTS":"3"}}]'
//   AB_SPEC='{"protocol":"grpc"}' AB_ROUNDS=8 AB_SECONDS=5 npm run bench:ab
//
// A variant is a checkout (`cwd`, default this tree; it needs its own
// node_modules, a symlink to this one's will do), extra environment for the
// service (`env`) and changes to the load (`spec`, over AB_SPEC, over single
// messages at 16 in flight to 1 000 sessions over REST). Prints each
// variant's median rate, its ratio to the first variant round by round
// (median and range), p50 and p99, the event loop's p99 delay, the CPU of the
// service, the load and PostgreSQL, and the TCP segments sent per request.
import { openBenchDatabase } from "./bench-database.js";
import type { LoadResult, LoadSpec } from "./load.js";
import { child, median, scrape, startService, stopService, type Service } from "./processes.js";
import { cpuMsOf, postgresCpuMs, tcpSegmentsOut } from "./proc-stats.js";

type Variant = { name: string; cwd?: string; env?: Record<string, string>; spec?: Partial<LoadSpec> };
const variants = JSON.parse(process.env.AB_VARIANTS ?? "[]") as Variant[];
if (variants.length < 2) throw new Error("AB_VARIANTS: a JSON array of at least two variants (see bench/ab.ts)");
const base: Omit<LoadSpec, "url" | "seconds" | "tag"> = { protocol: "rest", concurrency: 16, batch: 1, contentLength: 250, sessions: 1000, ...JSON.parse(process.env.AB_SPEC ?? "{}") };
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const SECONDS = Number(process.env.AB_SECONDS ?? 5);

type Sample = { rate: number; p50: number; p99: number; loopP99: number; cpuMs: number; loadCpuMs: number; pgCpuMs: number; segments: number; perCommit: number; waitMs: number; statementMs: number };
const db = await openBenchDatabase("ab");
const started: (Variant & { svc: Service; samples: Sample[] })[] = [];
try {
  for (const v of variants) {
    const svc = await startService(db.url, { cwd: v.cwd, env: v.env });
    started.push({ ...v, svc, samples: [] });
  }
  const spec = (v: (typeof started)[number], seconds: number): LoadSpec => ({ ...base, ...v.spec, url: v.svc.url, seconds, tag: `ab-${started.indexOf(v)}` });
  for (const v of started) await child("bench/load.ts", spec(v, 2)); // warm-up: also creates the sessions
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of r % 2 ? [...started].reverse() : started) {
      const m0 = await scrape(v.svc.url); // also resets the event-loop delay histogram
      const cpu0 = cpuMsOf(v.svc.pid);
      const pg0 = postgresCpuMs();
      const seg0 = tcpSegmentsOut();
      const load = await child<LoadResult>("bench/load.ts", spec(v, SECONDS));
      const m = await scrape(v.svc.url);
      const loopP99 = (m.nodejs_eventloop_lag_p99_seconds ?? 0) * 1000;
      // group commit: batches per statement, a batch's wait for a write slot, a statement's time in PostgreSQL
      const delta = (name: string) => (m[name] ?? NaN) - (m0[name] ?? NaN);
      const statements = delta("honcho_write_statements_total");
      const batches = delta("honcho_write_batches_total");
      const grouping = { perCommit: batches / statements, waitMs: (delta("honcho_write_wait_seconds_total") * 1000) / batches, statementMs: (delta("honcho_write_statement_seconds_total") * 1000) / statements };
      const s = { ...grouping, rate: load.messages / load.seconds, p50: load.latenciesMs.p50, p99: load.latenciesMs.p99, loopP99, cpuMs: (cpuMsOf(v.svc.pid) - cpu0) / load.requests, loadCpuMs: load.cpuMs / load.requests, pgCpuMs: (postgresCpuMs() - pg0) / load.messages, segments: (tcpSegmentsOut() - seg0) / load.requests };
      v.samples.push(s);
      console.error(`round ${r + 1} ${v.name}: ${Math.round(s.rate)} msgs/s, p99 ${s.p99.toFixed(1)} ms`);
    }
  }
  const first = started[0]!.samples;
  console.table(
    started.map((v) => {
      const ratios = v.samples.map((s, i) => s.rate / first[i]!.rate);
      return {
        variant: v.name,
        "msgs/s": Math.round(median(v.samples.map((s) => s.rate))),
        "to first": median(ratios).toFixed(3),
        range: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
        "p50 ms": median(v.samples.map((s) => s.p50)).toFixed(2),
        "p99 ms": median(v.samples.map((s) => s.p99)).toFixed(1),
        "loop p99 ms": median(v.samples.map((s) => s.loopP99)).toFixed(1),
        "service CPU ms/req": median(v.samples.map((s) => s.cpuMs)).toFixed(3),
        "load CPU ms/req": median(v.samples.map((s) => s.loadCpuMs)).toFixed(3),
        "PG CPU ms/msg": median(v.samples.map((s) => s.pgCpuMs)).toFixed(3),
        // every socket on the machine: client and service, service and PostgreSQL
        "TCP segs/req": median(v.samples.map((s) => s.segments)).toFixed(2),
        "reqs/commit": median(v.samples.map((s) => s.perCommit)).toFixed(2),
        // NaN for a checkout from before these metrics
        "slot wait ms": median(v.samples.map((s) => s.waitMs)).toFixed(2),
        "statement ms": median(v.samples.map((s) => s.statementMs)).toFixed(2),
      };
    }),
  );
} finally {
  for (const v of started) await stopService(v.svc);
  await db.close();
}
