// The statements that write a batch. Both end the same way: the messages,
// numbered from the session's counter, and a `representation` work item for
// every message whose reasoning is enabled (message, then session, then
// workspace configuration, then on); one statement, so all of it commits
// together or not at all. WatchMessages is told after the commit
// (notifications.ts).
import type { Sql } from "postgres";
import type { BatchInsert } from "./message-store.js";
import { micros } from "./micros.js";

export type Row = { public_id: string; micros: string };

// The messages' own configurations; when none brings one (the usual case) an
// empty relation, which saves the database ~7 % of its CPU on a one-message batch.
const ownConfigurations = (q: Sql, b: BatchInsert) =>
  b.rows.some((r) => r.configuration)
    ? q`(
    SELECT public_id, configuration::jsonb AS configuration
    FROM unnest(${b.rows.map((r) => r.publicId)}::text[], ${b.rows.map((r) => (r.configuration ? JSON.stringify(r.configuration) : null))}::text[])
      AS o(public_id, configuration))`
    : q`(SELECT NULL::text AS public_id, NULL::jsonb AS configuration WHERE false)`;

// `sess` must yield (id, base, configuration) for an active session.
const tail = (q: Sql, b: BatchInsert) => q`
  , ins AS (
    INSERT INTO messages (public_id, workspace_name, session_name, peer_name, content, metadata, token_count, seq_in_session, created_at)
    SELECT m.public_id, ${b.workspaceName}, ${b.sessionName}, m.peer_name, m.content, m.metadata::jsonb,
           m.token_count, sess.base + m.ord, coalesce(m.created_at, now())
    FROM sess, unnest(
      ${b.rows.map((r) => r.publicId)}::text[],
      ${b.rows.map((r) => r.peerName)}::text[],
      ${b.rows.map((r) => r.content)}::text[],
      ${b.rows.map((r) => JSON.stringify(r.metadata))}::text[],
      ${b.rows.map((r) => r.tokenCount)}::int[],
      ${b.rows.map((r) => r.createdAt)}::timestamptz[]
    ) WITH ORDINALITY AS m(public_id, peer_name, content, metadata, token_count, created_at, ord)
    RETURNING id, public_id, peer_name, seq_in_session, created_at
  ), own AS ${ownConfigurations(q, b)}, enq AS (
    INSERT INTO queue (session_id, work_unit_key, task_type, payload, workspace_name, message_id)
    SELECT sess.id, 'representation:' || ${b.workspaceName} || ':' || ${b.sessionName} || ':' || ins.peer_name, 'representation',
      jsonb_build_object(
        'task_type', 'representation', 'workspace_name', ${b.workspaceName}::text, 'session_name', ${b.sessionName}::text,
        'message_id', ins.id, 'message_public_id', ins.public_id, 'observed', ins.peer_name,
        'seq_in_session', ins.seq_in_session, 'created_at', ins.created_at, 'configuration', coalesce(own.configuration, '{}'::jsonb)),
      ${b.workspaceName}, ins.id
    FROM ins LEFT JOIN own USING (public_id), sess
    WHERE coalesce(
      (own.configuration -> 'reasoning' ->> 'enabled')::boolean,
      (sess.configuration -> 'reasoning' ->> 'enabled')::boolean,
      (SELECT (configuration -> 'reasoning' ->> 'enabled')::boolean FROM workspaces WHERE name = ${b.workspaceName}),
      true)
    ORDER BY ins.seq_in_session
  )
  SELECT public_id, ${q.unsafe(micros("created_at"))} AS micros
  FROM ins`;

/** Everything exists and every peer is a member: bump the counter, write. */
export function shortStatement(q: Sql, b: BatchInsert) {
  const n = b.rows.length;
  return q<Row[]>`
    WITH sess AS (
      UPDATE sessions SET message_seq = message_seq + ${n}
      WHERE name = ${b.sessionName} AND workspace_name = ${b.workspaceName} AND is_active
      RETURNING id, configuration, message_seq - ${n}::bigint AS base
    )
    ${tail(q, b)}`;
}

/**
 * First use allowed: get-or-create the workspace, the session and the peers,
 * join the peers to the session (again, if they had left), then write.
 */
export function fullStatement(q: Sql, b: BatchInsert) {
  const peers = [...b.peers].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const n = b.rows.length;
  return q<Row[]>`
    WITH ws AS (
      INSERT INTO workspaces (id, name)
      SELECT ${b.newWorkspaceId}, ${b.workspaceName}
      WHERE NOT EXISTS (SELECT 1 FROM workspaces WHERE name = ${b.workspaceName})
      ON CONFLICT (name) DO NOTHING
    ), sess AS (
      INSERT INTO sessions (id, name, workspace_name, message_seq)
      VALUES (${b.newSessionId}, ${b.sessionName}, ${b.workspaceName}, ${n})
      ON CONFLICT (name, workspace_name) DO UPDATE
        SET message_seq = sessions.message_seq + EXCLUDED.message_seq
        WHERE sessions.is_active
      RETURNING id, configuration, message_seq - ${n}::bigint AS base
    ), peer_input AS (
      SELECT p.name, p.id, p.ord FROM unnest(${peers.map((p) => p.name)}::text[], ${peers.map((p) => p.newId)}::text[])
        WITH ORDINALITY AS p(name, id, ord)
      WHERE EXISTS (SELECT 1 FROM sess)
    ), new_peers AS (
      -- The filters keep the steady state (everything exists) free of
      -- speculative inserts and row locks.
      INSERT INTO peers (id, name, workspace_name)
      SELECT i.id, i.name, ${b.workspaceName} FROM peer_input i
      WHERE NOT EXISTS (SELECT 1 FROM peers p WHERE p.name = i.name AND p.workspace_name = ${b.workspaceName})
      ORDER BY i.ord
      ON CONFLICT (name, workspace_name) DO NOTHING
    ), members AS (
      INSERT INTO session_peers (workspace_name, session_name, peer_name)
      SELECT ${b.workspaceName}, ${b.sessionName}, i.name FROM peer_input i
      WHERE NOT EXISTS (
        SELECT 1 FROM session_peers m
        WHERE m.workspace_name = ${b.workspaceName} AND m.session_name = ${b.sessionName} AND m.peer_name = i.name AND m.left_at IS NULL)
      ORDER BY i.ord
      ON CONFLICT (workspace_name, session_name, peer_name) DO UPDATE SET left_at = NULL, joined_at = now()
    )
    ${tail(q, b)}`;
}
