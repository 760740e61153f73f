// Honcho's queue, claimed through Honcho's own protocol
// (src/deriver/queue_manager.py): a consumer owns a work unit when its row in
// active_queue_sessions went in (INSERT .. ON CONFLICT DO NOTHING RETURNING on
// the unique work_unit_key), heartbeats it through last_updated, and releases
// it by deleting that row; Honcho's deriver does the same, so the two never
// hold the same unit. Who holds a unit here, and until when, is this
// service's own record (claims). Beside Honcho, a claim not renewed for
// DERIVER_STALE_SESSION_TIMEOUT_MINUTES (5) is freed by Honcho's deriver.
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import type { Tables } from "./schema.js";

export interface QueueRow {
  id: string;
  work_unit_key: string;
  task_type: string;
  payload: Record<string, unknown>;
  workspace_name: string;
  message_public_id: string | null;
  created_micros: string;
  leased_micros: string;
}

export interface ClaimRequest {
  workspace: string;
  consumer: string;
  maxItems: number;
  leaseSeconds: number;
  /** empty: every task type */
  taskTypes: string[];
  /** ids for the active_queue_sessions rows of units claimed now (at least maxItems) */
  newClaimIds: string[];
}

export interface QueueStore {
  claim(req: ClaimRequest): Promise<QueueRow[]>;
  /** Marks the consumer's items processed; returns how many it held. */
  ack(workspace: string, consumer: string, ids: bigint[], error: string | null): Promise<number>;
}

export function createQueueStore(sql: Sql, t: Tables): QueueStore {
  return {
    claim: (r) =>
      sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        // leases that ended: their units go back (also units whose claim row
        // Honcho's stale cleanup has removed meanwhile)
        await q`
          WITH ended AS (
            DELETE FROM ${t.claims} c
            WHERE c.leased_until < now()
               OR NOT EXISTS (SELECT 1 FROM ${t.activeQueueSessions} a WHERE a.id = c.claim_id AND a.work_unit_key = c.work_unit_key)
            RETURNING c.claim_id, c.work_unit_key
          )
          DELETE FROM ${t.activeQueueSessions} a USING ended WHERE a.id = ended.claim_id AND a.work_unit_key = ended.work_unit_key`;
        // what this consumer holds in the workspace stays its own, renewed
        await q`
          WITH renewed AS (
            UPDATE ${t.claims} SET leased_until = now() + make_interval(secs => ${r.leaseSeconds})
            WHERE workspace_name = ${r.workspace} AND consumer = ${r.consumer}
            RETURNING claim_id
          )
          UPDATE ${t.activeQueueSessions} a SET last_updated = now() FROM renewed WHERE a.id = renewed.claim_id`;
        // free units, oldest first
        await q`
          WITH free AS (
            SELECT u.work_unit_key, min(u.id) AS first FROM ${t.queue} u
            WHERE u.workspace_name = ${r.workspace} AND NOT u.processed
              AND (cardinality(${r.taskTypes}::text[]) = 0 OR u.task_type = ANY(${r.taskTypes}::text[]))
              AND NOT EXISTS (SELECT 1 FROM ${t.activeQueueSessions} a WHERE a.work_unit_key = u.work_unit_key)
            GROUP BY u.work_unit_key ORDER BY first LIMIT ${r.maxItems}
          ), numbered AS (
            SELECT f.work_unit_key, ids.id FROM
              (SELECT work_unit_key, row_number() OVER (ORDER BY first) AS n FROM free) f
              JOIN unnest(${r.newClaimIds}::text[]) WITH ORDINALITY AS ids(id, n) USING (n)
          ), taken AS (
            INSERT INTO ${t.activeQueueSessions} (id, work_unit_key)
            SELECT id, work_unit_key FROM numbered
            ON CONFLICT DO NOTHING
            RETURNING id, work_unit_key
          )
          INSERT INTO ${t.claims} (work_unit_key, claim_id, workspace_name, consumer, leased_until)
          SELECT work_unit_key, id, ${r.workspace}, ${r.consumer}, now() + make_interval(secs => ${r.leaseSeconds}) FROM taken`;
        return q<QueueRow[]>`
          SELECT q.id::text, q.work_unit_key, q.task_type, q.payload, q.workspace_name, m.public_id AS message_public_id,
            ${q.unsafe(micros("q.created_at"))} AS created_micros, ${q.unsafe(micros("c.leased_until"))} AS leased_micros
          FROM ${t.claims} c
          JOIN ${t.queue} q ON q.work_unit_key = c.work_unit_key AND NOT q.processed
          LEFT JOIN ${t.messages} m ON m.id = q.message_id
          WHERE c.workspace_name = ${r.workspace} AND c.consumer = ${r.consumer}
            AND (cardinality(${r.taskTypes}::text[]) = 0 OR q.task_type = ANY(${r.taskTypes}::text[]))
          ORDER BY q.id LIMIT ${r.maxItems}`;
      }) as Promise<QueueRow[]>,

    async ack(workspace, consumer, ids, error) {
      const rows = await sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        const done = await q<{ work_unit_key: string }[]>`
          UPDATE ${t.queue} q SET processed = true, error = ${error}
          FROM ${t.claims} c
          WHERE q.id = ANY(${ids.map(String)}::bigint[]) AND NOT q.processed AND q.workspace_name = ${workspace}
            AND c.work_unit_key = q.work_unit_key AND c.consumer = ${consumer} AND c.workspace_name = ${workspace} AND c.leased_until >= now()
            AND EXISTS (SELECT 1 FROM ${t.activeQueueSessions} a WHERE a.id = c.claim_id AND a.work_unit_key = c.work_unit_key)
          RETURNING q.work_unit_key`;
        const keys = [...new Set(done.map((d) => d.work_unit_key))];
        if (keys.length > 0) {
          // heartbeat what still has work; release what has none
          await q`
            UPDATE ${t.activeQueueSessions} a SET last_updated = now()
            FROM ${t.claims} c WHERE c.work_unit_key = ANY(${keys}::text[]) AND a.id = c.claim_id`;
          await q`
            WITH finished AS (
              DELETE FROM ${t.claims} c
              WHERE c.work_unit_key = ANY(${keys}::text[])
                AND NOT EXISTS (SELECT 1 FROM ${t.queue} q WHERE q.work_unit_key = c.work_unit_key AND NOT q.processed)
              RETURNING c.claim_id, c.work_unit_key
            )
            DELETE FROM ${t.activeQueueSessions} a USING finished WHERE a.id = finished.claim_id AND a.work_unit_key = finished.work_unit_key`;
        }
        return done;
      });
      return rows.length;
    },
  };
}
