// npm run bench: the service on its own PostgreSQL, driven from separate
// processes over REST, Connect and gRPC, beside "the limit" (postgres.js
// writing the same rows directly). Medians of BENCH_RUNS runs (default 5),
// each run of the service followed by a run of the limit.
// Prints a table and writes bench/results.json.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startPgProxy } from "../test/support/pg-proxy.js";
import { openBenchDatabase } from "./bench-database.js";
import type { LoadResult, LoadSpec } from "./load.js";
import { child, median, POOL, ROOT, scrape, startService, stopService } from "./processes.js";
import { cpuMsOf, postgresCpuMs, rssOf } from "./proc-stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

// What users send: an agent's turn is one message, to one of many sessions;
// imports send batches; real traffic mixes them.
interface Scenario { name: string; protocol: LoadSpec["protocol"]; concurrency: number; batch: number; contentLength: number; sessions: number; mix?: LoadSpec["mix"] }
// The three protocols of a scenario run one after the other, so that they
// are compared over minutes, not over the whole run.
const shapes: Omit<Scenario, "protocol">[] = [
  ...[1, 16, 64].map((c) => ({ name: `single c=${c} (1000 sessions)`, concurrency: c, batch: 1, contentLength: 250, sessions: 1000 })),
  { name: "mix 90% single, 10% × 20 c=16 (1000 sessions)", concurrency: 16, batch: 1, contentLength: 250, sessions: 1000, mix: { every: 10, batch: 20 } },
  ...[250, 2500].map((len) => ({ name: `batch-100 × ${len} c=16`, concurrency: 16, batch: 100, contentLength: len, sessions: 16 })),
  { name: "batch-100 × 25000 c=4", concurrency: 4, batch: 100, contentLength: 25_000, sessions: 4 },
];
const scenarios: Scenario[] = shapes.flatMap((shape) => (["rest", "connect", "grpc"] as const).map((protocol) => ({ ...shape, protocol })));
// BENCH_ONLY=regex keeps the scenarios whose "protocol name" matches (a partial run for profiling; results.json is the full table)
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const chosen = scenarios.filter((s) => !only || only.test(`${s.protocol} ${s.name}`));

async function main() {
  const db = await openBenchDatabase("bench");
  const { admin, url: dbUrl } = db;
  const pgVersion = (await admin`SHOW server_version`)[0]!.server_version as string;
  const durability = Object.fromEntries((await admin`SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','wal_level')`).map((r) => [r.name, r.setting]));

  // A fresh service for every scenario, warmed up for a second first, so that
  // no scenario inherits the heap or the JIT state of the ones before it.
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  const rows: Record<string, unknown>[] = [];
  try {
    for (const s of chosen) {
      const key = `${s.batch}/${s.contentLength}/${s.concurrency}/${s.sessions}/${s.mix ? "mix" : ""}`;
      service = await startService(dbUrl);
      const workspaceTag = `${s.protocol}-${key.replace(/\W+/g, "-")}`;
      const spec = (seconds: number, tag: string): LoadSpec => ({ protocol: s.protocol, url: service!.url, concurrency: s.concurrency, batch: s.batch, contentLength: s.contentLength, seconds, sessions: s.sessions, mix: s.mix, tag });
      await child("bench/load.ts", spec(1, workspaceTag)); // warm-up: also creates the sessions, as steady traffic finds them
      // every run of the service is followed by a run of the limit, for every
      // protocol: on a shared host the speed drifts from minute to minute, so
      // each run is compared with the limit measured right after it
      const runs: { load: LoadResult; limit: LoadResult; loopP99: number; rss: number; cpuMs: number; pgCpuMs: number; limitPgCpuMs: number; perCommit: number }[] = [];
      for (let r = 0; r < RUNS; r++) {
        const m0 = await scrape(service.url); // also resets the event-loop delay histogram
        const cpuBefore = cpuMsOf(service.pid);
        const pgBefore = postgresCpuMs();
        const load = await child<LoadResult>("bench/load.ts", spec(SECONDS, workspaceTag));
        const m = await scrape(service.url);
        const sample = { loopP99: (m.nodejs_eventloop_lag_p99_seconds ?? 0) * 1000, rss: rssOf(service.pid), cpuMs: cpuMsOf(service.pid) - cpuBefore, pgCpuMs: postgresCpuMs() - pgBefore,
          perCommit: (m.honcho_write_batches_total! - m0.honcho_write_batches_total!) / (m.honcho_write_statements_total! - m0.honcho_write_statements_total!) };
        const limitPgBefore = postgresCpuMs();
        const limit = await child<LoadResult>("bench/limit.ts", { databaseUrl: dbUrl, concurrency: s.concurrency, batch: s.batch, contentLength: s.contentLength, seconds: SECONDS, poolSize: POOL, sessions: s.sessions, mix: s.mix, tag: `${workspaceTag}-${r}` });
        runs.push({ load, limit, ...sample, limitPgCpuMs: postgresCpuMs() - limitPgBefore });
      }
      const rateOf = (x: LoadResult) => x.messages / x.seconds;
      const rate = median(runs.map((x) => rateOf(x.load)));
      const limitRate = median(runs.map((x) => rateOf(x.limit)));
      const ratios = runs.map((x) => rateOf(x.load) / rateOf(x.limit));
      rows.push({
        scenario: s.name,
        protocol: s.protocol,
        "msgs/s": Math.round(rate),
        "req/s": Math.round(median(runs.map((x) => x.load.requests / x.load.seconds))),
        "p50 ms": round(median(runs.map((x) => x.load.latenciesMs.p50))),
        "p99 ms": round(median(runs.map((x) => x.load.latenciesMs.p99))),
        "limit msgs/s": Math.round(limitRate),
        // the limit's own tail, same host and minute: what p99 the machine allows with no service in between
        "limit p99 ms": round(median(runs.map((x) => x.limit.latenciesMs.p99))),
        // the median of the runs' own ratios, and their range
        "of limit": `${Math.round(median(ratios) * 100)}%`,
        "range": `${Math.round(Math.min(...ratios) * 100)}–${Math.round(Math.max(...ratios) * 100)}%`,
        "errors": runs.reduce((n, x) => n + x.load.errors, 0),
        "RSS MiB": Math.round(median(runs.map((x) => x.rss)) / 1048576),
        "loop p99 ms": round(median(runs.map((x) => x.loopP99))),
        "service CPU ms/req": round(median(runs.map((x) => x.cpuMs / x.load.requests))),
        // the load generator and the limit's client share the cores with what they measure
        "client CPU ms/req": round(median(runs.map((x) => x.load.cpuMs / x.load.requests))),
        "limit client CPU ms/req": round(median(runs.map((x) => x.limit.cpuMs / x.limit.requests))),
        // all of PostgreSQL's processes, per message: what each way of writing costs the database
        "PG CPU ms/msg": round(median(runs.map((x) => x.pgCpuMs / x.load.messages)), 3),
        "requests/commit": round(median(runs.map((x) => x.perCommit))),
        "limit PG CPU ms/msg": round(median(runs.map((x) => x.limitPgCpuMs / x.limit.messages)), 3),
      });
      await stopService(service);
      service = undefined;
      console.error(`done: ${s.protocol} ${s.name}`);
    }
    const trips = await roundTrips(dbUrl);
    for (const row of rows) row["SQL trips/req"] = trips[row.protocol as string];
  } finally {
    if (service) await stopService(service);
    await db.close();
  }
  console.table(rows);
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: pgVersion, durability, runs: RUNS, secondsPerRun: SECONDS, poolSize: POOL };
  if (only) await fs.mkdir(path.join(ROOT, "bench/tmp"), { recursive: true });
  await fs.writeFile(path.join(ROOT, only ? "bench/tmp/partial-results.json" : "bench/results.json"), `${JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2)}\n`);
  console.log(JSON.stringify(machine));
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// SQL round trips per request, per protocol: a second service instance talks
// to PostgreSQL through a counting proxy; sequential requests after warm-up.
async function roundTrips(dbUrl: string): Promise<Record<string, number>> {
  const proxy = await startPgProxy(dbUrl);
  const svc = await startService(proxy.url);
  const out: Record<string, number> = {};
  try {
    for (const protocol of ["rest", "connect", "grpc"] as const) {
      const spec = (seconds: number): LoadSpec => ({ protocol, url: svc.url, concurrency: 1, batch: 10, contentLength: 250, seconds, sessions: 1, tag: `trips-${protocol}` });
      await child("bench/load.ts", spec(1));
      const before = proxy.roundTrips();
      const load = await child<LoadResult>("bench/load.ts", spec(2));
      out[protocol] = round((proxy.roundTrips() - before) / load.requests);
    }
  } finally {
    await stopService(svc);
    await proxy.close();
  }
  return out;
}

await main();
