// The background half of a delete, for a database with no Honcho deriver
// (standalone) or where it is configured: `deletion` work units are claimed
// through Honcho's own queue protocol (a row in active_queue_sessions, taken
// with INSERT .. ON CONFLICT DO NOTHING on the unique work_unit_key, as
// Honcho's deriver and queue-store.ts take theirs), each deletion runs
// Honcho's delete_session / delete_workspace steps (src/crud/session.py,
// src/crud/workspace.py) in Honcho's order on the tables that exist, the
// rows are marked processed and the unit released.
//
// Claim, purge, mark and release are ONE transaction per work unit: a crash
// or an error anywhere leaves nothing half-deleted and nothing claimed (the
// unit is simply there again for the next pass). While it runs, the
// uncommitted claim row makes anyone else's claim of the unit wait on it,
// then find nothing left to do.
//
// Where this differs from Honcho's consumer, on purpose:
// - a failure that may pass (the database unreachable or busy, a lock or
//   statement timeout, a serialization failure, a row a concurrent writer
//   added under a foreign key) leaves the unit for the next pass; Honcho
//   marks the item processed with the error at the first failure, so the
//   deletion never happens. Other failures are recorded as Honcho records
//   them (processed, `error` = "<Class>: <message>");
// - a session purge takes the session's lock, as writers do, and purges only
//   an inactive session: a deletion row met after its session was purged and
//   a new one of the same name created must not destroy the new one (Honcho
//   deletes whatever session has the name);
// - queue rows that reference the purged messages or sessions are deleted
//   too, whatever their session_id or workspace_name says (Honcho relies on
//   those columns, and a row outside them makes its delete fail on a
//   foreign key, forever);
// - this service's own state about the purged data goes with it: its claims
//   on the work units removed, and the idempotency keys of writes to the
//   purged sessions.
import type { Logger } from "pino";
import type { Sql } from "postgres";
import { type QueueLook, settledFloor } from "./queue-looks.js";
import { quoteIdent, type SchemaNames, type Tables } from "./schema.js";

export interface PurgeOutcome {
  workUnitKey: string;
  /** the deletion rows of the unit, processed */
  items: number;
  /** a failure recorded on the rows (they are processed, the deletion is not done) */
  error?: string;
}

export interface DeletionPurge {
  /**
   * Looks through the queue for deletion units nobody holds, and claims and
   * purges up to `maxUnits` of them, one transaction each. Reads only the
   * rows queued since the earlier looks could still have missed one
   * (queue-looks.ts), or with `whole` every row; `floor` says which (the
   * ids above it were read; 0: every row).
   */
  runOnce(maxUnits: number, newClaimId: () => string, whole?: boolean): Promise<{ outcomes: PurgeOutcome[]; floor: bigint }>;
  /** Claims and purges the units named (their work_unit_keys), one transaction each; a unit held elsewhere, or done already, is passed over. */
  runUnits(keys: readonly string[], newClaimId: () => string): Promise<PurgeOutcome[]>;
}

interface DeletionRow {
  id: string;
  workspace_name: string | null;
  payload: { deletion_type?: unknown; resource_id?: unknown };
}

// SQLSTATEs worth another try: connection (08), serialization / deadlock
// (40), resources (53), lock not available (55P03), cancelled (57014),
// shutdown (57P0x), and a foreign key broken by a concurrent writer (23503).
const PASSING = /^(08|40|53|55P03$|57014$|57P0|23503$)/;
const PASSING_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);
export const mayPass = (err: unknown): boolean => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && (PASSING.test(code) || PASSING_ERRNOS.has(code));
};

// Honcho's tables beyond those every layout has: present when Honcho's
// migrations made the schema, absent in a standalone one.
const OPTIONAL = ["message_embeddings", "documents", "collections", "webhook_endpoints"] as const;
type Optional = (typeof OPTIONAL)[number];

/** A purge may run long; it is bounded all the same. */
const PURGE_STATEMENT_TIMEOUT = "10min";

export function createDeletionPurge(sql: Sql, t: Tables, schemas: SchemaNames): DeletionPurge {
  let optional: Promise<Partial<Record<Optional, ReturnType<Sql["unsafe"]>>>> | undefined;
  const optionalTables = () =>
    (optional ??= (async () => {
      const found: Partial<Record<Optional, ReturnType<Sql["unsafe"]>>> = {};
      for (const name of OPTIONAL) {
        const qualified = `${quoteIdent(schemas.honcho)}.${quoteIdent(name)}`;
        const [row] = await sql<{ ok: boolean }[]>`SELECT to_regclass(${qualified}) IS NOT NULL AS ok`;
        if (row?.ok) found[name] = sql.unsafe(qualified);
      }
      return found;
    })().catch((err: unknown) => {
      optional = undefined;
      throw err;
    }));

  // Idempotency keys are scoped "<RPC>:<workspace>/<session>" (handlers/create-messages.ts);
  // names hold neither ':' nor '/', so the part after the first ':' names the session.

  async function purgeSession(q: Sql, workspace: string, session: string): Promise<void> {
    const o = await optionalTables();
    await q`SELECT pg_advisory_xact_lock(hashtext(${workspace}), hashtext(${session}))`;
    const [s] = await q<{ id: string }[]>`
      SELECT id FROM ${t.sessions} WHERE workspace_name = ${workspace} AND name = ${session} AND NOT is_active FOR UPDATE`;
    if (!s) return; // gone already (or a new session of that name: not ours to delete)
    const units = await q<{ id: string; work_unit_key: string }[]>`
      DELETE FROM ${t.activeQueueSessions}
      WHERE split_part(work_unit_key, ':', 2) = ${workspace} AND split_part(work_unit_key, ':', 3) = ${session}
      RETURNING id, work_unit_key`;
    await dropClaims(q, units);
    await q`DELETE FROM ${t.queue} WHERE session_id = ${s.id}`;
    await q`
      DELETE FROM ${t.queue} WHERE message_id IN (
        SELECT id FROM ${t.messages} WHERE workspace_name = ${workspace} AND session_name = ${session})`;
    if (o.message_embeddings) await q`DELETE FROM ${o.message_embeddings} WHERE session_name = ${session} AND workspace_name = ${workspace}`;
    if (o.documents) await q`DELETE FROM ${o.documents} WHERE session_name = ${session} AND workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.messages} WHERE session_name = ${session} AND workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.sessionPeers} WHERE session_name = ${session} AND workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.sessions} WHERE id = ${s.id}`;
    await q`DELETE FROM ${t.idempotencyKeys} WHERE substr(scope, strpos(scope, ':') + 1) = ${`${workspace}/${session}`}`;
  }

  async function purgeWorkspace(q: Sql, workspace: string): Promise<void> {
    const o = await optionalTables();
    const [w] = await q`SELECT 1 FROM ${t.workspaces} WHERE name = ${workspace} FOR UPDATE`;
    if (!w) return; // gone already
    // sessions first, so that no batch can be written into one meanwhile
    // (a writer needs a key-share lock on its session row)
    const sessions = await q<{ id: string; name: string }[]>`
      SELECT id, name FROM ${t.sessions} WHERE workspace_name = ${workspace} ORDER BY id FOR UPDATE`;
    const units = await q<{ id: string; work_unit_key: string }[]>`
      DELETE FROM ${t.activeQueueSessions} WHERE split_part(work_unit_key, ':', 2) = ${workspace}
      RETURNING id, work_unit_key`;
    await dropClaims(q, units);
    await q`DELETE FROM ${t.claims} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.queue} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.queue} WHERE message_id IN (SELECT id FROM ${t.messages} WHERE workspace_name = ${workspace})`;
    await q`DELETE FROM ${t.queue} WHERE session_id = ANY(${sessions.map((s) => s.id)}::text[])`;
    if (o.message_embeddings) await q`DELETE FROM ${o.message_embeddings} WHERE workspace_name = ${workspace}`;
    if (o.documents) await q`DELETE FROM ${o.documents} WHERE workspace_name = ${workspace}`;
    if (o.collections) await q`DELETE FROM ${o.collections} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.messages} WHERE workspace_name = ${workspace}`;
    if (o.webhook_endpoints) await q`DELETE FROM ${o.webhook_endpoints} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.sessionPeers} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.sessions} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.peers} WHERE workspace_name = ${workspace}`;
    await q`DELETE FROM ${t.workspaces} WHERE name = ${workspace}`;
    await q`DELETE FROM ${t.idempotencyKeys} WHERE split_part(substr(scope, strpos(scope, ':') + 1), '/', 1) = ${workspace}`;
  }

  // claims of this service's consumers on units whose claim row went
  async function dropClaims(q: Sql, units: { id: string; work_unit_key: string }[]): Promise<void> {
    if (units.length === 0) return;
    await q`DELETE FROM ${t.claims} WHERE claim_id = ANY(${units.map((u) => u.id)}::text[])`;
  }

  async function purgeUnit(key: string, claimId: string): Promise<PurgeOutcome | undefined> {
    return sql.begin(async (tx) => {
      const q = tx as unknown as Sql;
      await q.unsafe(`SET LOCAL statement_timeout = '${PURGE_STATEMENT_TIMEOUT}'`);
      const [claimed] = await q`
        INSERT INTO ${t.activeQueueSessions} (id, work_unit_key) VALUES (${claimId}, ${key})
        ON CONFLICT DO NOTHING RETURNING id`;
      if (!claimed) return undefined; // someone else holds it
      const rows = await q<DeletionRow[]>`
        SELECT id::text, workspace_name, payload FROM ${t.queue}
        WHERE work_unit_key = ${key} AND task_type = 'deletion' AND NOT processed ORDER BY id`;
      // each item in order, as Honcho's consumer takes them (a workspace
      // purge deletes the queue rows of the workspace, its own included)
      for (const row of rows) {
        const type = row.payload?.deletion_type;
        const resource = row.payload?.resource_id;
        const workspace = row.workspace_name;
        if (typeof resource !== "string" || !workspace) throw Object.assign(new Error(`deletion item ${row.id} has no resource or workspace`), { permanent: true });
        if (type === "session") await purgeSession(q, workspace, resource);
        else if (type === "workspace") await purgeWorkspace(q, workspace);
        else throw Object.assign(new Error(`Unsupported deletion type: ${String(type)}`), { permanent: true });
      }
      const ids = rows.map((r) => r.id);
      await q`UPDATE ${t.queue} SET processed = true WHERE id = ANY(${ids}::bigint[]) AND work_unit_key = ${key}`;
      await q`DELETE FROM ${t.activeQueueSessions} WHERE id = ${claimId} AND work_unit_key = ${key}`;
      return { workUnitKey: key, items: rows.length };
    }) as Promise<PurgeOutcome | undefined>;
  }

  // Honcho's mark_queue_item_as_errored: the first unprocessed item of the unit
  async function recordFailure(key: string, err: unknown): Promise<PurgeOutcome> {
    const e = err as Error;
    const text = `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`.slice(0, 65535);
    const marked = await sql`
      UPDATE ${t.queue} SET processed = true, error = ${text}
      WHERE id = (SELECT id FROM ${t.queue} WHERE work_unit_key = ${key} AND NOT processed ORDER BY id LIMIT 1)
      RETURNING id`;
    return { workUnitKey: key, items: marked.length, error: text };
  }

  // the completed looks through the queue that a later one's floor may rise to
  let looks: QueueLook[] = [];

  async function purgeUnits(keys: readonly string[], newClaimId: () => string): Promise<PurgeOutcome[]> {
    const outcomes: PurgeOutcome[] = [];
    for (const key of keys) {
      try {
        const done = await purgeUnit(key, newClaimId());
        if (done) outcomes.push(done);
      } catch (err) {
        if (mayPass(err) && !(err as { permanent?: boolean }).permanent) throw err;
        outcomes.push(await recordFailure(key, err));
      }
    }
    return outcomes;
  }

  return {
    async runOnce(maxUnits, newClaimId, whole = false) {
      const settled = settledFloor(looks);
      const { floor, keep } = whole ? { ...settled, floor: 0n } : settled;
      // on one core: a parallel scan of a big queue takes both, for a few hundred ms
      const { free, look } = (await sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        await q`SET LOCAL max_parallel_workers_per_gather = 0`;
        const [now] = await q<{ xmin: string; xmax: string; max_id: string }[]>`
          SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax,
            (SELECT coalesce(max(id), 0) FROM ${t.queue})::text AS max_id
          FROM pg_current_snapshot() AS s`;
        // free session and workspace deletion units, oldest first (observation
        // deletions are Honcho's: they delete conclusions)
        const free = await q<{ work_unit_key: string }[]>`
          SELECT q.work_unit_key FROM ${t.queue} q
          WHERE q.task_type = 'deletion' AND NOT q.processed ${floor > 0n ? q`AND q.id > ${floor.toString()}::bigint` : q``}
            AND split_part(q.work_unit_key, ':', 3) IN ('session', 'workspace')
            AND NOT EXISTS (SELECT 1 FROM ${t.activeQueueSessions} a WHERE a.work_unit_key = q.work_unit_key)
          GROUP BY q.work_unit_key ORDER BY min(q.created_at), q.work_unit_key LIMIT ${maxUnits}`;
        return { free, look: { maxId: BigInt(now!.max_id), xmin: BigInt(now!.xmin), xmax: BigInt(now!.xmax) } };
      })) as { free: { work_unit_key: string }[]; look: QueueLook };
      const outcomes = await purgeUnits(free.map((f) => f.work_unit_key), newClaimId);
      // a look counts once everything it found is done (not when its LIMIT cut it short, nor when it failed)
      if (free.length < maxUnits) looks = [...keep, look];
      return { outcomes, floor };
    },

    async runUnits(keys, newClaimId) {
      // purgeUnit reads a unit's rows along Honcho's (work_unit_key, processed, id) index
      const outcomes = await purgeUnits(keys, newClaimId);
      return outcomes.filter((o) => o.items > 0 || o.error);
    },
  };
}

export interface PurgerOptions {
  /** a look through the queue every this many ms (and one at start) */
  intervalMs: number;
  /** every this many looks (the first included), one through the whole queue (default 60) */
  wholeEvery?: number;
  /** work units per pass (each its own transaction) */
  maxUnits: number;
  newClaimId: () => string;
  /** subscribes to the deletions this process queues (their work_unit_keys, after the commit): each is purged at once */
  onQueued?: (listener: (workUnitKey: string) => void) => () => void;
}

/**
 * Purges each deletion this process queues as soon as it has committed, and
 * looks through the queue at start and every `intervalMs` for the rest
 * (queued by other replicas or by Honcho, or left by a pass that failed):
 * through what was queued since the looks before, and every `wholeEvery`
 * looks through all of it.
 * One pass at a time; each unit purged, or failed, is logged.
 */
export function startDeletionPurger(purge: DeletionPurge, opts: PurgerOptions, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  let lookDue = true;
  let looks = 0;
  const named = new Set<string>();
  const report = (outcomes: PurgeOutcome[]) => {
    for (const o of outcomes) {
      if (o.error) log.error({ workUnitKey: o.workUnitKey, error: o.error }, "deletion failed; recorded on its queue item");
      else log.info({ workUnitKey: o.workUnitKey, items: o.items }, "deletion purged");
    }
  };
  const work = async () => {
    while (!stopped && named.size > 0) {
      const keys = [...named];
      named.clear();
      report(await purge.runUnits(keys, opts.newClaimId));
    }
    // until a pass finds less than a full batch: a backlog is worked off at once
    while (!stopped && lookDue) {
      const { outcomes } = await purge.runOnce(opts.maxUnits, opts.newClaimId, looks++ % (opts.wholeEvery ?? 60) === 0);
      report(outcomes);
      lookDue = outcomes.length >= opts.maxUnits;
    }
  };
  const pass = (): void => {
    running ??= work()
      // a unit left undone is there for the next look through the queue
      .catch((err: unknown) => log.warn({ err }, "deletion purge interrupted; trying again later"))
      .finally(() => {
        running = undefined;
        if (!stopped && named.size > 0) pass();
      });
  };
  const unsubscribe = opts.onQueued?.((key) => {
    named.add(key);
    pass();
  });
  const timer = setInterval(() => {
    lookDue = true;
    pass();
  }, opts.intervalMs);
  timer.unref();
  pass();
  log.info({ intervalMs: opts.intervalMs }, "purging deleted sessions and workspaces in the background");
  return {
    async stop() {
      stopped = true;
      unsubscribe?.();
      clearInterval(timer);
      await running;
    },
  };
}
