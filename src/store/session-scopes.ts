// A session's `scopes` at get-or-create, as Honcho's crud does them
// (src/crud/session.py get_or_create_session, src/crud/scope.py
// get_or_create_scopes and update_scope_backfill_status,
// src/deriver/enqueue.py enqueue_scope_backfill):
//
// - A scope named x is the peer `scope.x` with {"kind": "scope"} in its
//   internal_metadata and {"observe_me": false} as its configuration. A
//   missing one is created; a peer that holds the name without the flag (a
//   legacy row) is never adopted: the request is refused.
// - The scope peer joins the session as an observer (observe_others true,
//   observe_me false); the session-peers store does that with its upsert.
// - When the session already has messages, one `scope_backfill` task per
//   scope is queued (unless one is pending or being processed) and the scope
//   peer's internal_metadata.backfill_status[session] says "pending".
//
// Honcho queues the backfill after its commit, in transactions of its own; here
// it is written in the request's transaction, under the session lock every
// message writer takes: a message batch commits wholly before (and is
// backfilled) or after (and reaches the scope through its own queue work).
import type { Sql } from "postgres";
import { SCOPE_PREFIX } from "../domain/membership.js";
import type { Tables } from "./schema.js";
import { isScopePeer } from "./scope-peer.js";

/** SCOPE_MEMBERSHIP_CONFIG: how a scope peer is a member of its sessions. */
export const SCOPE_MEMBERSHIP = { observe_me: false, observe_others: true } as const;

/** A scope named in a request: its name (unprefixed) and the id its peer gets if it is created. */
export interface ScopeSpec {
  name: string;
  newId: string;
}

/** The scope peers' names, each once, in the order first named. */
export const scopePeerNames = (scopes: ScopeSpec[]): string[] => [...new Set(scopes.map((s) => SCOPE_PREFIX + s.name))];

/**
 * get_or_create_scopes (the workspace exists): the missing scope peers
 * created. Answers the first peer that holds a scope's name and is no scope
 * (the caller refuses the request), if any.
 */
export async function getOrCreateScopePeers(q: Sql, t: Tables, workspace: string, scopes: ScopeSpec[]): Promise<string | undefined> {
  const ids = new Map<string, string>();
  for (const s of scopes) if (!ids.has(SCOPE_PREFIX + s.name)) ids.set(SCOPE_PREFIX + s.name, s.newId);
  const names = [...ids.keys()];
  await q`
    INSERT INTO ${t.peers} (id, name, workspace_name, internal_metadata, configuration)
    SELECT i.id, i.name, ${workspace}, '{"kind": "scope"}'::jsonb, '{"observe_me": false}'::jsonb
    FROM unnest(${[...ids.values()]}::text[], ${names}::text[]) AS i(id, name)
    ORDER BY i.name
    ON CONFLICT (name, workspace_name) DO NOTHING`;
  const [squatter] = await q<{ name: string }[]>`
    SELECT p.name FROM ${t.peers} p
    WHERE p.workspace_name = ${workspace} AND p.name = ANY(${names}::text[]) AND NOT ${q.unsafe(isScopePeer("p"))}
    ORDER BY p.name LIMIT 1`;
  return squatter?.name;
}

// datetime.now(timezone.utc).isoformat(): microseconds, left out when zero
const PY_UTC_NOW = `regexp_replace(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\\.000000$', '') || '+00:00'`;

/**
 * enqueue_scope_backfill for each scope peer, when the session has messages:
 * the scope peers whose task was queued (their rows changed: backfill_status).
 */
export async function queueScopeBackfills(q: Sql, t: Tables, workspace: string, session: string, scopePeers: string[]): Promise<string[]> {
  const rows = await q<{ name: string }[]>`
    WITH wanted AS (
      SELECT i.peer, 'scope_backfill:' || ${workspace} || ':' || i.peer || ':' || ${session} AS key, i.n
      FROM unnest(${scopePeers}::text[]) WITH ORDINALITY AS i(peer, n)
      WHERE EXISTS (SELECT 1 FROM ${t.messages} m WHERE m.workspace_name = ${workspace} AND m.session_name = ${session})
    ), queued AS (
      INSERT INTO ${t.queue} (work_unit_key, task_type, payload, session_id, workspace_name, message_id)
      SELECT w.key, 'scope_backfill', jsonb_build_object('task_type', 'scope_backfill', 'scope_peer', w.peer, 'session_name', ${session}::text), NULL, ${workspace}, NULL
      FROM wanted w
      WHERE NOT EXISTS (SELECT 1 FROM ${t.activeQueueSessions} a WHERE a.work_unit_key = w.key)
        AND NOT EXISTS (SELECT 1 FROM ${t.queue} qi WHERE qi.work_unit_key = w.key AND NOT qi.processed)
      ORDER BY w.n
      RETURNING payload ->> 'scope_peer' AS peer
    )
    UPDATE ${t.peers} p
    SET internal_metadata = p.internal_metadata || jsonb_build_object('backfill_status',
      coalesce(p.internal_metadata -> 'backfill_status', '{}'::jsonb) || jsonb_build_object(${session}::text,
        jsonb_build_object('state', 'pending', 'updated_at', ${q.unsafe(PY_UTC_NOW)})))
    FROM queued WHERE p.workspace_name = ${workspace} AND p.name = queued.peer
    RETURNING p.name`;
  return rows.map((r) => r.name);
}
