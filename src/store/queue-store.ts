// The work queue: claim under a lease with FOR UPDATE SKIP LOCKED (two
// consumers never get the same item; an expired lease frees an item again)
// and acknowledge by the lease holder only.
import type { Sql } from "postgres";
import { micros } from "./micros.js";

export interface QueueRow {
  id: string;
  work_unit_key: string;
  task_type: string;
  payload: Record<string, unknown>;
  workspace_name: string;
  created_micros: string;
  leased_micros: string;
}

export interface QueueStore {
  claim(workspace: string, consumer: string, maxItems: number, leaseSeconds: number): Promise<QueueRow[]>;
  ack(workspace: string, consumer: string, ids: bigint[], error: string | null): Promise<number>;
}


export function createQueueStore(sql: Sql): QueueStore {
  return {
    claim: (workspace, consumer, maxItems, leaseSeconds) => sql<QueueRow[]>`
      UPDATE queue q SET leased_until = now() + make_interval(secs => ${leaseSeconds}), lease_owner = ${consumer}
      FROM (
        SELECT id FROM queue
        WHERE workspace_name = ${workspace} AND NOT processed AND (leased_until IS NULL OR leased_until < now())
        ORDER BY id LIMIT ${maxItems}
        FOR UPDATE SKIP LOCKED
      ) free
      WHERE q.id = free.id
      RETURNING q.id::text, q.work_unit_key, q.task_type, q.payload, q.workspace_name,
        ${sql.unsafe(micros("q.created_at"))} AS created_micros, ${sql.unsafe(micros("q.leased_until"))} AS leased_micros`.then((rows) =>
      [...rows].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)),
    ),

    async ack(workspace, consumer, ids, error) {
      const rows = await sql`
        UPDATE queue SET processed = true, error = ${error}, leased_until = NULL
        WHERE workspace_name = ${workspace} AND lease_owner = ${consumer} AND NOT processed
          AND leased_until >= now() AND id = ANY(${ids.map(String)}::bigint[])
        RETURNING id`;
      return rows.length;
    },
  };
}
