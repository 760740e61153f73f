// npm run bench:db — where PostgreSQL's time goes in one batch (one call of
// write_batches and the statements it runs), the
// part of a request the service cannot make cheaper by itself. One connection,
// one session, requests one at a time (no contention), on the embedded server
// (or BENCH_DATABASE_URL), in a database of its own that is dropped at the end:
//  1. wall time and the backend's CPU per statement, with synchronous_commit
//     on (the durability the service and the limit run with) and off: the
//     difference is what the commit's WAL flush costs;
//  2. the executor's own time per plan node and per foreign-key trigger,
//     from auto_explain (ANALYZE, TRIGGERS), for 1- and 100-message batches.
import { nanoid } from "nanoid";
import postgres from "postgres";
import { defaultConfiguration, loadHonchoSettings } from "../src/config-honcho.js";
import { createMessageStore, type BatchWrite, type MessageStore } from "../src/store/message-store.js";
import { migrate } from "../src/store/migrate.js";
import { tablesOf } from "../src/store/schema.js";
import { openBenchDatabase } from "./bench-database.js";
import { cpuMsOf, visible } from "./proc-stats.js";

const REPEATS: Record<number, number> = { 1: 2000, 100: 200 };

interface PlanNode { "Node Type": string; "Relation Name"?: string; "CTE Name"?: string; "Actual Total Time": number; "Actual Loops": number; Plans?: PlanNode[] }
interface Explained { Plan: PlanNode; Triggers?: { "Constraint Name"?: string; "Trigger Name": string; Relation: string; Time: number }[] }

async function main() {
  const db = await openBenchDatabase("bench_db");
  const plans: Explained[] = [];
  const sql = postgres(db.url, {
    max: 1,
    onnotice: (n) => {
      const json = /plan:\s*(\{[\s\S]*)$/.exec(String(n.message))?.[1];
      if (json) plans.push(JSON.parse(json) as Explained);
    },
  });
  try {
    const names = { honcho: "public", service: "honcho_ingest" };
    await migrate(sql, names);
    const store = createMessageStore(sql, tablesOf(sql, names), { deadlineMs: 60_000, defaults: defaultConfiguration(loadHonchoSettings({})), embed: false });
    const ws = `db-profile-${nanoid(6)}`;
    const batch = (n: number): BatchWrite => ({
      workspaceName: ws, sessionName: "s", newWorkspaceId: nanoid(), newSessionId: nanoid(), peers: [{ name: "p0", newId: nanoid() }],
      rows: Array.from({ length: n }, () => ({ publicId: nanoid(), peerName: "p0", content: "lorem ipsum ".repeat(21), metadata: {}, tokenCount: 50, createdAt: null, configuration: null, chunks: [] })),
    });
    await store.write(batch(1));
    const [{ pid }] = (await sql`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
    const cpuMs = visible(pid) ? () => cpuMsOf(pid) : undefined;

    console.log("1. per statement, one at a time (backend CPU read from /proc; n/a when PostgreSQL is elsewhere)");
    for (const n of [1, 100]) {
      for (const commit of ["on", "off", "on", "off"]) {
        await sql.unsafe(`SET synchronous_commit = ${commit}`);
        const r = await timeStatements(store, () => batch(n), REPEATS[n]!, cpuMs);
        console.log(`  ${n} message(s), synchronous_commit=${commit}: wall median ${r.median.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, backend CPU ${r.cpu === undefined ? "n/a" : `${r.cpu.toFixed(3)} ms`}`);
      }
    }
    await sql`RESET synchronous_commit`;

    console.log("2. executor time per statement (auto_explain: self time of each plan node, and each foreign-key check)");
    await sql`LOAD 'auto_explain'`;
    // the batch is one call of write_batches: its statements are nested ones
    for (const s of ["log_min_duration = 0", "log_analyze = on", "log_triggers = on", "log_timing = on", "log_format = json", "log_nested_statements = on"]) await sql.unsafe(`SET auto_explain.${s}`);
    for (const n of [1, 100]) {
      plans.length = 0;
      await sql`SET client_min_messages = log`; // auto_explain's LOG lines arrive as notices
      for (let i = 0; i < REPEATS[n]! / 10; i++) await store.write(batch(n));
      await sql`SET client_min_messages = warning`;
      const selfMs = new Map<string, number>();
      const add = (k: string, ms: number) => selfMs.set(k, (selfMs.get(k) ?? 0) + ms / plans.length);
      const walk = (node: PlanNode) => {
        const total = (x: PlanNode) => x["Actual Total Time"] * x["Actual Loops"];
        add(labelOf(node), total(node) - (node.Plans ?? []).reduce((s, c) => s + total(c), 0));
        node.Plans?.forEach(walk);
      };
      for (const p of plans) {
        walk(p.Plan);
        for (const t of p.Triggers ?? []) add(`foreign key ${t["Constraint Name"] ?? t["Trigger Name"]} (${t.Relation})`, t.Time);
      }
      const rows = [...selfMs].sort((a, b) => b[1] - a[1]);
      console.log(`  ${n} message(s): ${rows.reduce((s, [, ms]) => s + ms, 0).toFixed(3)} ms in the executor (${plans.length} statements)`);
      for (const [label, ms] of rows) if (ms >= 0.001) console.log(`    ${ms.toFixed(3)} ms  ${label}`);
    }
  } finally {
    await sql.end();
    await db.close();
  }
}

const labelOf = (n: PlanNode) =>
  n["Node Type"] === "ModifyTable" ? `${n["CTE Name"] ? `${n["CTE Name"]}: ` : ""}write ${n["Relation Name"]} (row and its indexes)` : `${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}${n["CTE Name"] ? ` (${n["CTE Name"]})` : ""}`;

async function timeStatements(store: MessageStore, make: () => BatchWrite, repeats: number, cpuMs?: () => number) {
  for (let i = 0; i < repeats / 10; i++) await store.write(make()); // warm the plan cache
  const walls: number[] = [];
  const cpuBefore = cpuMs?.();
  for (let i = 0; i < repeats; i++) {
    const b = make();
    const t = performance.now();
    await store.write(b);
    walls.push(performance.now() - t);
  }
  walls.sort((a, b) => a - b);
  return { median: walls[walls.length >> 1]!, p99: walls[Math.floor(walls.length * 0.99)]!, cpu: cpuMs ? (cpuMs() - cpuBefore!) / repeats : undefined };
}

await main();
