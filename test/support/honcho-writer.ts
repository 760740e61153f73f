// Honcho's own message writer, re-enacted with postgres.js against a database
// with Honcho's schema: crud.create_messages (src/crud/message.py:300-411)
// with get_or_create_session / _workspace / _peers and the session_peers
// upsert (src/crud/session.py, workspace.py, peer.py), statement for statement
// as /work/research/write-path.md §1.2-1.3 and §7.1 describe it. Tests run it
// beside the service to show that both writers can share one database.
//
// Left out, because they do not change what reaches the database: request
// validation other than what crud itself does, the cashews cache (reads go to
// the database; Honcho's cache can only make them staler), pending
// message_embeddings rows (EMBED_MESSAGES needs an embedding API key) and the
// background enqueue after the response.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { nanoid } from "nanoid";
import type { Helper, JSONValue, Sql, TransactionSql } from "postgres";

export interface HonchoMessageInput {
  peer: string;
  content: string;
  /** ISO-8601; stored as given (the server's now() when absent) */
  createdAt?: string;
  metadata?: Record<string, unknown>;
}

export interface HonchoMessageRow {
  /** messages.id (BIGINT, as postgres.js returns it) */
  id: string;
  public_id: string;
  seq_in_session: number;
  token_count: number;
  created_at: Date;
}

/** An error Honcho answers with an HTTP status (crud's ValidationException 422, 404, 409). */
export class HonchoWriteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HonchoWriterOptions {
  /** Honcho's DB_SCHEMA; its models qualify every table with it (default public) */
  schema?: string;
}

const SCOPE_PREFIX = "scope.";
const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
// o200k_base's special tokens: tiktoken's encode() refuses them by default,
// and Honcho's MessageCreate validator turns that into a 422.
const SPECIAL_TOKENS = ["<|endoftext|>", "<|endofprompt|>"];
const ORDINARY = { disallowedSpecial: new Set<string>() };

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === "23505";

/**
 * Creates `messages` in `session` of `workspace` the way Honcho does, in
 * Honcho's two transactions, and returns the inserted rows in batch order.
 */
export async function honchoCreateMessages(
  sql: Sql,
  workspace: string,
  session: string,
  messages: HonchoMessageInput[],
  opts: HonchoWriterOptions = {},
): Promise<HonchoMessageRow[]> {
  const schema = opts.schema ?? "public";
  // MessageCreate (src/schemas/api.py): NULs stripped from content, tokens
  // counted on the result.
  const prepared = messages.map((m) => {
    const content = m.content.replaceAll("\0", "");
    if (SPECIAL_TOKENS.some((s) => content.includes(s))) throw new HonchoWriteError(422, "content contains a special token");
    return { ...m, content, tokens: content.length === 0 ? 0 : countTokens(content, ORDINARY) };
  });
  const peerNames = [...new Set(prepared.map((m) => m.peer))]; // first appearance, as the Python dict

  // T1: scope guard, get-or-create workspace / session / peers, membership upsert, COMMIT.
  await sql.begin(async (tx) => {
    const t = (name: string) => tx(`${schema}.${name}`);
    await rejectScopePeers(tx, t, workspace, peerNames);
    await getOrCreateSession(tx, t, workspace, session, peerNames, false);
  });

  // T2: lock the session, number the batch after the highest seq, insert, COMMIT.
  return sql.begin(async (tx) => {
    const t = (name: string) => tx(`${schema}.${name}`);
    await tx`SET LOCAL lock_timeout = '5s'`;
    await tx`SELECT pg_advisory_xact_lock(hashtext(${workspace}), hashtext(${session}))`;
    const [last] = await tx`
      SELECT seq_in_session FROM ${t("messages")}
      WHERE workspace_name = ${workspace} AND session_name = ${session}
      ORDER BY seq_in_session DESC LIMIT 1`;
    const lastSeq = last ? Number(last.seq_in_session) : 0;
    // created_at: SQLAlchemy leaves a None out of the INSERT so the server
    // default now() applies; coalesce gives the same value in one statement.
    // The text cast matters: a parameter PostgreSQL types as timestamptz goes
    // through postgres.js's Date serializer, which drops the microseconds.
    const rows = prepared.map(
      (m, i) => tx`(${session}, ${m.peer}, ${m.content}, ${tx.json((m.metadata ?? {}) as JSONValue)}::jsonb, '{}'::jsonb, ${workspace},
        ${nanoid()}, ${m.tokens}, coalesce(${m.createdAt ?? null}::text::timestamptz, now()), ${lastSeq + i + 1})`,
    );
    const values = rows.reduce((a, b) => tx`${a}, ${b}`);
    const inserted = await tx`
      INSERT INTO ${t("messages")}
        (session_name, peer_name, content, metadata, internal_metadata, workspace_name, public_id, token_count, created_at, seq_in_session)
      VALUES ${values}
      RETURNING id, public_id, seq_in_session, token_count, created_at`;
    return inserted
      .map((r) => ({ id: String(r.id), public_id: r.public_id as string, seq_in_session: Number(r.seq_in_session), token_count: r.token_count as number, created_at: r.created_at as Date }))
      .sort((a, b) => a.seq_in_session - b.seq_in_session);
  });
}

// A table of the schema, as an escaped identifier to interpolate.
type Table = (name: string) => Helper<string>;

// reject_scope_peers (src/crud/peer.py:229-248): SQL only for reserved-prefix names.
async function rejectScopePeers(tx: TransactionSql, t: Table, workspace: string, names: string[]) {
  rejectImpossiblePeerNames(names);
  const candidates = names.filter((n) => n.startsWith(SCOPE_PREFIX)).sort();
  if (candidates.length === 0) return;
  const rows = await tx`
    SELECT name FROM ${t("peers")}
    WHERE workspace_name = ${workspace} AND name = ANY(${candidates}::text[])
      AND name LIKE 'scope.%' AND internal_metadata @> '{"kind": "scope"}'::jsonb`;
  if (rows.length) throw new HonchoWriteError(422, `Peer name(s) ${JSON.stringify(rows.map((r) => r.name).sort())} are scopes. Scope peers cannot author messages.`);
}

// _reject_impossible_peer_names (src/crud/peer.py:50-77)
function rejectImpossiblePeerNames(names: string[]) {
  if (names.some((n) => n.includes("\0"))) throw new HonchoWriteError(422, "Peer name(s) must not contain NUL (0x00) bytes");
  if (names.some((n) => [...n].length > 512)) throw new HonchoWriteError(422, "Peer name(s) must be at most 512 characters");
}

// get_or_create_session (src/crud/session.py:190-400) for SessionCreate(name, peers={author: SessionPeerConfig()}).
async function getOrCreateSession(tx: TransactionSql, t: Table, workspace: string, session: string, peers: string[], retry: boolean): Promise<void> {
  const [existing] = await tx`SELECT id, is_active FROM ${t("sessions")} WHERE workspace_name = ${workspace} AND name = ${session}`;
  if (existing && !existing.is_active) throw new HonchoWriteError(404, `Session ${session} not found in workspace ${workspace}`);
  if (!existing) {
    await getOrCreateWorkspace(tx, t, workspace, false);
    try {
      await tx.savepoint(
        (sp) => sp`
          INSERT INTO ${t("sessions")} (id, name, is_active, metadata, internal_metadata, workspace_name, configuration)
          VALUES (${nanoid()}, ${session}, true, '{}'::jsonb, '{}'::jsonb, ${workspace}, '{}'::jsonb)`,
      );
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (retry) throw new HonchoWriteError(409, `Unable to create or get session: ${session}`);
      return getOrCreateSession(tx, t, workspace, session, peers, true);
    }
  }
  if (peers.length === 0) return;
  const resolved = await getOrCreatePeers(tx, t, workspace, peers, false);
  const scopes = resolved.filter((p) => p.name.startsWith(SCOPE_PREFIX) && p.internal_metadata?.kind === "scope");
  if (scopes.length) throw new HonchoWriteError(422, `Peer name(s) ${JSON.stringify(scopes.map((p) => p.name).sort())} are scopes. Scope membership is managed via the scopes routes.`);
  // _get_or_add_peers_to_session (src/crud/session.py:1243-1271); no observer
  // count, since SessionPeerConfig() observes nobody. Rows in peer order.
  const rows = peers.map(
    (p) => tx`(${session}, ${p}, ${workspace}, now(), NULL, '{"observe_me": null, "observe_others": null}'::jsonb, '{}'::jsonb)`,
  );
  await tx`
    INSERT INTO ${t("session_peers")} (session_name, peer_name, workspace_name, joined_at, left_at, configuration, internal_metadata)
    VALUES ${rows.reduce((a, b) => tx`${a}, ${b}`)}
    ON CONFLICT (session_name, peer_name, workspace_name) DO UPDATE SET
      joined_at = now(), left_at = NULL,
      configuration = CASE WHEN session_peers.left_at IS NOT NULL
                           THEN excluded.configuration ELSE session_peers.configuration END`;
}

// get_or_create_workspace (src/crud/workspace.py:84-155) for WorkspaceCreate(name).
async function getOrCreateWorkspace(tx: TransactionSql, t: Table, workspace: string, retry: boolean): Promise<void> {
  const [existing] = await tx`SELECT id FROM ${t("workspaces")} WHERE name = ${workspace}`;
  if (existing) return;
  try {
    await tx.savepoint(
      (sp) => sp`
        INSERT INTO ${t("workspaces")} (id, name, metadata, internal_metadata, configuration)
        VALUES (${nanoid()}, ${workspace}, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb)`,
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    if (retry) throw new HonchoWriteError(409, `Unable to create or get workspace: ${workspace}`);
    return getOrCreateWorkspace(tx, t, workspace, true);
  }
}

interface PeerRow {
  name: string;
  internal_metadata: Record<string, unknown> | null;
}

// get_or_create_peers (src/crud/peer.py:251-388) for PeerSpec(name) each: existing peers untouched.
async function getOrCreatePeers(tx: TransactionSql, t: Table, workspace: string, names: string[], retry: boolean): Promise<PeerRow[]> {
  await getOrCreateWorkspace(tx, t, workspace, false);
  rejectImpossiblePeerNames(names);
  const existing = (await tx`
    SELECT name, internal_metadata FROM ${t("peers")}
    WHERE workspace_name = ${workspace} AND name = ANY(${names}::text[])`) as unknown as PeerRow[];
  const known = new Set(existing.map((p) => p.name));
  const create = names.filter((n) => !known.has(n));
  if (create.length === 0) return existing;
  // _validate_new_peer_names: the reserved prefix first, then the pattern.
  const reserved = create.filter((n) => n.startsWith(SCOPE_PREFIX)).sort();
  if (reserved.length) throw new HonchoWriteError(422, `Peer name(s) ${JSON.stringify(reserved)} use the reserved scope prefix '${SCOPE_PREFIX}'. Use the scopes routes to create scopes.`);
  const bad = create.filter((n) => !NAME_PATTERN.test(n)).sort();
  if (bad.length) throw new HonchoWriteError(422, `Peer name(s) ${JSON.stringify(bad)} must match pattern ^[a-zA-Z0-9_-]+$`);
  const rows = create.map((n) => tx`(${nanoid()}, ${n}, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, ${workspace})`);
  try {
    await tx.savepoint(
      (sp) => sp`
        INSERT INTO ${t("peers")} (id, name, metadata, configuration, internal_metadata, workspace_name)
        VALUES ${rows.reduce((a, b) => sp`${a}, ${b}`)}`,
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    if (retry) throw new HonchoWriteError(409, `Unable to create or get peers: ${JSON.stringify(names)}`);
    return getOrCreatePeers(tx, t, workspace, names, true);
  }
  return [...existing, ...create.map((name) => ({ name, internal_metadata: {} }))];
}
