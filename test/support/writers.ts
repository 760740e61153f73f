// Writers for the reliability tests, and the check of what they leave: every
// acknowledged batch stored once, in order, gapless per session, no batch
// partly stored, every message with its queue work. Shared by the crash, the
// replica and the PgBouncer tests.
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import type { Pool } from "undici";
import { expect } from "vitest";

export interface Ack { session: string; ids: string[] }

/** Batch `b` of a writer: 1–4 messages, each tagged with the batch's id and size. */
export function batchOf(b: number): { tag: string; messages: { content: string; peer_id: string; metadata: { batch: string; size: number } }[] } {
  const tag = randomUUID();
  const size = 1 + (b % 4);
  return { tag, messages: Array.from({ length: size }, (_, i) => ({ content: `${tag} ${i}`, peer_id: `p${i % 3}`, metadata: { batch: tag, size } })) };
}

/** POST one batch; the status and, on 201, the ids. Throws when the connection fails. */
export async function postBatch(pool: Pool, workspace: string, session: string, messages: unknown[], headers: Record<string, string> = {}) {
  const res = await pool.request({
    method: "POST",
    path: `/v3/workspaces/${workspace}/sessions/${session}/messages`,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, ids: res.statusCode === 201 ? (JSON.parse(text) as { id: string }[]).map((m) => m.id) : undefined };
}

/** One writer: `batches` batches one after the other; a failed one is not acknowledged and not retried. */
export async function writer(pool: Pool, session: string, batches: number, acks: Ack[], stop = () => false, workspace = "rel") {
  for (let b = 0; b < batches && !stop(); b++) {
    try {
      const r = await postBatch(pool, workspace, session, batchOf(b).messages);
      if (r.ids) acks.push({ session, ids: r.ids });
    } catch {
      // the service died under us: this batch was not acknowledged
    }
  }
}

/** Checks what `acks` say against the table; returns the number of messages stored in `sessions`. */
export async function verify(sql: Sql, workspace: string, sessions: string[], acks: Ack[]): Promise<number> {
  const rows = await sql`
    SELECT public_id, session_name, seq_in_session::int AS seq, metadata->>'batch' AS batch, (metadata->>'size')::int AS size
    FROM messages WHERE workspace_name = ${workspace} AND session_name = ANY(${sessions})`;
  const byId = new Map(rows.map((r) => [r.public_id as string, r]));
  // every acknowledged message stored, once, in batch order
  for (const ack of acks) {
    const seqs = ack.ids.map((id) => byId.get(id)?.seq as number);
    expect(seqs.every((s) => s !== undefined)).toBe(true);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  }
  expect(new Set(rows.map((r) => r.public_id)).size).toBe(rows.length);
  // gapless 1..N per session
  for (const s of sessions) {
    const seqs = rows.filter((r) => r.session_name === s).map((r) => r.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
  // no batch partly stored, none stored twice
  const perBatch = new Map<string, { n: number; size: number }>();
  for (const r of rows) {
    const e = perBatch.get(r.batch as string) ?? { n: 0, size: r.size as number };
    e.n++;
    perBatch.set(r.batch as string, e);
  }
  for (const [, e] of perBatch) expect(e.n).toBe(e.size);
  // reasoning is on by default: every stored message has its work item, written in the same statement
  const orphans = await sql`
    SELECT count(*)::int AS n FROM messages m
    WHERE m.workspace_name = ${workspace} AND m.session_name = ANY(${sessions}) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id)`;
  expect(orphans[0]!.n).toBe(0);
  return rows.length;
}
