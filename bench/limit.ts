// "The limit": postgres.js writing the same rows (messages and their work
// items, as Honcho's payloads) into the same tables with the same durability
// settings, no service in between. Each writer owns a session and numbers its
// own rows (no lock, no max()); one INSERT per batch. Run as its own
// process by bench/run.ts. Input: one JSON argument; output: one JSON line.
import { nanoid } from "nanoid";
import postgres from "postgres";
import type { LoadResult } from "./load.js";

const spec = JSON.parse(process.argv[2]!) as { databaseUrl: string; concurrency: number; batch: number; contentLength: number; seconds: number; poolSize: number; tag: string };
const sql = postgres(spec.databaseUrl, { max: Math.min(spec.poolSize, spec.concurrency), onnotice: () => {} });
const ws = `limit-${spec.tag}`;
const sessions = Array.from({ length: spec.concurrency }, (_, i) => `s${i}`);
const peers = ["peer-0", "peer-1", "peer-2", "peer-3"];
await sql`INSERT INTO workspaces (id, name) VALUES (${nanoid()}, ${ws}) ON CONFLICT DO NOTHING`;
for (const p of peers) await sql`INSERT INTO peers (id, name, workspace_name) VALUES (${nanoid()}, ${p}, ${ws}) ON CONFLICT DO NOTHING`;
const sessionIds = new Map<string, string>();
for (const s of sessions) {
  const [row] = await sql`INSERT INTO sessions (id, name, workspace_name) VALUES (${nanoid()}, ${s}, ${ws})
    ON CONFLICT (name, workspace_name) DO UPDATE SET name = EXCLUDED.name RETURNING id`;
  sessionIds.set(s, row!.id as string);
  for (const p of peers) await sql`INSERT INTO session_peers (workspace_name, session_name, peer_name, configuration) VALUES (${ws}, ${s}, ${p}, '{"observe_me": null, "observe_others": null}') ON CONFLICT DO NOTHING`;
}

// Honcho's defaults, resolved, as every payload carries them
const CONFIGURATION = JSON.stringify({
  reasoning: { enabled: true },
  peer_card: { use: true, create: true },
  summary: { enabled: true, messages_per_short_summary: 20, messages_per_long_summary: 60 },
  dream: { enabled: true },
});
const content = (i: number) => `${i} `.padEnd(spec.contentLength, "lorem ipsum dolor sit amet ").slice(0, spec.contentLength);
const contents = Array.from({ length: spec.batch }, (_, i) => content(i));
const latencies: number[] = [];
const deadline = performance.now() + spec.seconds * 1000;
const started = performance.now();
await Promise.all(
  sessions.map(async (session) => {
    let seq = 0;
    while (performance.now() < deadline) {
      const t = performance.now();
      const seqs = contents.map(() => ++seq);
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
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const result: LoadResult = { requests: latencies.length, errors: 0, messages: latencies.length * spec.batch, seconds, latenciesMs: { p50: q(0.5), p99: q(0.99) } };
process.stdout.write(`${JSON.stringify(result)}\n`);
await sql.end();
