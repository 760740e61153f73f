// Honcho's queue status (src/crud/deriver.py get_queue_status): the rows of
// the workspace's queue of the user-facing task types (representation,
// summary, dream), counted as completed (processed), in progress (not
// processed, its work unit claimed in active_queue_sessions) or pending, in
// all and per session (keyed by the internal sessions.id, as Honcho keys
// them). Optional filters: the session by name, and peers — observer OR
// sender, as Honcho combines them.
//
// Fixed here: Honcho matches the observer against payload->>'observer',
// which only dream payloads have; representation payloads list theirs in
// `observers`, so filtering by observer never counted representation work.
// Here either matches.
import type { Sql } from "postgres";
import type { Tables } from "./schema.js";

export interface Counts {
  total: number;
  completed: number;
  inProgress: number;
  pending: number;
}

export interface QueueStatusFilter {
  session: string | null;
  observer: string | null;
  sender: string | null;
}

export interface QueueStatusReads {
  /** the totals, and the counts of each session (by sessions.id) in id order */
  status(workspace: string, f: QueueStatusFilter): Promise<{ totals: Counts; sessions: [string, Counts][] }>;
}

const TRACKED = ["representation", "summary", "dream"];

export function createQueueStatusReads(sql: Sql, t: Tables): QueueStatusReads {
  return {
    async status(workspace, f) {
      // text PostgreSQL cannot hold matches nothing stored
      const none = [f.session, f.observer, f.sender].some((v) => v?.includes("\0"));
      const peers = [
        ...(f.observer !== null ? [sql`(q.payload ->> 'observer') = ${f.observer} OR (q.payload -> 'observers') @> jsonb_build_array(${f.observer}::text)`] : []),
        ...(f.sender !== null ? [sql`(q.payload ->> 'observed') = ${f.sender}`] : []),
      ];
      const peerCondition = peers.length === 0 ? sql`TRUE` : peers.length === 1 ? sql`(${peers[0]!})` : sql`((${peers[0]!}) OR (${peers[1]!}))`;
      const rows = none
        ? []
        : await sql<{ session_id: string | null; total: number; completed: number; in_progress: number; pending: number }[]>`
            SELECT q.session_id,
              count(*)::int AS total,
              count(*) FILTER (WHERE q.processed)::int AS completed,
              count(*) FILTER (WHERE NOT q.processed AND a.id IS NOT NULL)::int AS in_progress,
              count(*) FILTER (WHERE NOT q.processed AND a.id IS NULL)::int AS pending
            FROM ${t.queue} q
            LEFT JOIN ${t.activeQueueSessions} a ON a.work_unit_key = q.work_unit_key
            ${f.session !== null ? sql`JOIN ${t.sessions} s ON s.id = q.session_id AND s.name = ${f.session} AND s.workspace_name = ${workspace}` : sql``}
            WHERE q.workspace_name = ${workspace} AND q.task_type = ANY(${TRACKED}::text[]) AND ${peerCondition}
            GROUP BY q.session_id ORDER BY q.session_id NULLS LAST`;
      const totals: Counts = { total: 0, completed: 0, inProgress: 0, pending: 0 };
      const sessions: [string, Counts][] = [];
      for (const r of rows) {
        totals.total += r.total;
        totals.completed += r.completed;
        totals.inProgress += r.in_progress;
        totals.pending += r.pending;
        if (r.session_id) sessions.push([r.session_id, { total: r.completed + r.in_progress + r.pending, completed: r.completed, inProgress: r.in_progress, pending: r.pending }]);
      }
      return { totals, sessions };
    },
  };
}
