// "The limit": postgres.js writing the same rows (messages and their work
// items, as Honcho's payloads) into the same tables with the same durability
// settings, no service in between: one statement (and commit) per request,
// that is one per message for single messages and one per batch for batches,
// over the same sessions as the load (numbered in this process: no lock, no
// max()). Run as its own process by bench/run.ts. Input: one JSON argument;
// output: one JSON line.
import { nanoid } from "nanoid";
import { connect } from "../src/store/connection-url.js";
import type { LoadResult } from "./load.js";

const spec = JSON.parse(process.argv[2]!) as { databaseUrl: string; concurrency: number; batch: number; contentLength: number; seconds: number; poolSize: number; sessions: number; mix?: { every: number; batch: number }; tag: string };
const sql = connect(spec.databaseUrl, { max: Math.min(spec.poolSize, spec.concurrency), onnotice: () => {} }); // as the service connects
const ws = `limit-${spec.tag}`;
const sessions = Array.from({ length: spec.sessions }, (_, i) => `s${i}`);
const peers = ["peer-0", "peer-1", "peer-2", "peer-3"];
await sql`INSERT INTO workspaces (id, name) VALUES (${nanoid()}, ${ws}) ON CONFLICT DO NOTHING`;
for (const p of peers) await sql`INSERT INTO peers (id, name, workspace_name) VALUES (${nanoid()}, ${p}, ${ws}) ON CONFLICT DO NOTHING`;
// the sessions and their members, created up front as the service creates them on first use
const rows = await sql<{ name: string; id: string }[]>`
  INSERT INTO sessions (id, name, workspace_name) SELECT id, name, ${ws} FROM unnest(${sessions.map(() => nanoid())}::text[], ${sessions}::text[]) AS s(id, name)
  ON CONFLICT (name, workspace_name) DO UPDATE SET name = EXCLUDED.name RETURNING name, id`;
const sessionIds = new Map(rows.map((r) => [r.name, r.id]));
await sql`
  INSERT INTO session_peers (workspace_name, session_name, peer_name, configuration)
  SELECT ${ws}, s, p, '{"observe_me": null, "observe_others": null}' FROM unnest(${sessions}::text[]) AS s, unnest(${peers}::text[]) AS p
  ON CONFLICT DO NOTHING`;

// Honcho's defaults, resolved, as every payload carries them
const CONFIGURATION = JSON.stringify({
  reasoning: { enabled: true },
  peer_card: { use: true, create: true },
  summary: { enabled: true, messages_per_short_summary: 20, messages_per_long_summary: 60 },
  dream: { enabled: true },
});
const content = (i: number) => `${i} `.padEnd(spec.contentLength, "lorem ipsum dolor sit amet ").slice(0, spec.contentLength);
const contentsOf = (n: number) => Array.from({ length: n }, (_, i) => content(i));
const regular = contentsOf(spec.batch);
const mixed = spec.mix ? contentsOf(spec.mix.batch) : regular;
const seqOf = new Map<string, number>(); // next seq_in_session per session (this process is the only writer)
const latencies: number[] = [];
let messages = 0;
const deadline = performance.now() + spec.seconds * 1000;
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: spec.concurrency }, async (_, w) => {
    for (let k = w; performance.now() < deadline; k++) {
      const session = spec.sessions > spec.concurrency ? sessions[Math.floor(Math.random() * spec.sessions)]! : sessions[w % spec.sessions]!;
      const contents = spec.mix && k % spec.mix.every === spec.mix.every - 1 ? mixed : regular;
      const first = seqOf.get(session) ?? 0;
      seqOf.set(session, first + contents.length);
      const seqs = contents.map((_, i) => first + i + 1);
      const t = performance.now();
      // the same rows the service writes: the messages and, reasoning being on
      // with Honcho's defaults, each one's representation work, and a summary
      // every 20th and 60th message (Honcho's payloads)
      await sql`
        WITH ins AS (
          INSERT INTO messages (public_id, workspace_name, session_name, peer_name, content, metadata, token_count, seq_in_session)
          SELECT id, ${ws}, ${session}, peer, content, '{}'::jsonb, tokens, seq
          FROM unnest(${contents.map(() => nanoid())}::text[], ${contents.map((_, i) => peers[i % 4]!)}::text[], ${contents}::text[],
                      ${contents.map((c) => c.length >> 2)}::int[], ${seqs}::bigint[]) AS m(id, peer, content, tokens, seq)
          RETURNING id, public_id, peer_name, content, seq_in_session, created_at
        )
        INSERT INTO queue (session_id, work_unit_key, task_type, payload, workspace_name, message_id)
        SELECT ${sessionIds.get(session)!}, w.key, w.task_type, w.payload, ${ws}, w.id FROM (
          SELECT ins.id, ins.seq_in_session, 1 AS k, 'summary:' || ${ws} || ':' || ${session} || ':None:None' AS key, 'summary' AS task_type,
            jsonb_build_object('task_type', 'summary', 'session_name', ${session}::text, 'message_seq_in_session', seq_in_session,
              'configuration', ${CONFIGURATION}::jsonb, 'message_public_id', public_id) AS payload
          FROM ins WHERE seq_in_session % 20 = 0 OR seq_in_session % 60 = 0
          UNION ALL
          SELECT ins.id, ins.seq_in_session, 2, 'representation:' || ${ws} || ':' || ${session} || ':' || peer_name, 'representation',
            jsonb_build_object('task_type', 'representation', 'session_name', ${session}::text, 'content', content,
              'observers', jsonb_build_array(peer_name), 'observed', peer_name,
              'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'configuration', ${CONFIGURATION}::jsonb)
          FROM ins
        ) w ORDER BY w.seq_in_session, w.k`;
      latencies.push(performance.now() - t);
      messages += contents.length;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const result: LoadResult = { requests: latencies.length, errors: 0, messages, seconds, latenciesMs: { p50: q(0.5), p99: q(0.99) }, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write(`${JSON.stringify(result)}\n`);
await sql.end();
