// The peers of a session: get-or-create of a session with its members, and
// adding, replacing, removing and configuring members, as Honcho's crud does
// them (src/crud/session.py, src/crud/peer.py), each request in ONE
// transaction. Honcho commits several times in a request (and S7 commits the
// new membership before it finds the session inactive); here a refusal at any
// step leaves nothing written.
//
// Every write that changes who is a member, or how a member observes, first
// takes Honcho's session lock, pg_advisory_xact_lock(hashtext(workspace),
// hashtext(session)), the lock every message writer takes
// (functions/write-batches.sql): a batch is written wholly before or wholly
// after a membership change, so the observers of its queued work are the
// members of one moment. Taking the lock first, before any row is touched,
// keeps the lock order of the message writers (lock, then rows): no deadlock.
//
// Membership upsert (_get_or_add_peers_to_session): new members are inserted
// with the configuration given; members who had left rejoin with the new
// configuration and joined_at = now(); members already active keep their
// configuration and, unlike Honcho, their joined_at (as the message write
// path does: Honcho's now() on every call hides the session's earlier
// messages from that peer's peer_perspective searches).
import { pythonJson } from "../json/exact-numbers.js";
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import { merged, replaced, sameAsGiven, splitPrior, targetRow, type Prior } from "./resource-updates.js";
import type { Tables } from "./schema.js";
import { isScopePeer } from "./scope-peer.js";
import { getOrCreateScopePeers, queueScopeBackfills, SCOPE_MEMBERSHIP, scopePeerNames, type ScopeSpec } from "./session-scopes.js";

export interface SessionRow {
  name: string;
  workspace_name: string;
  is_active: boolean;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
  micros: string;
}

export interface PeerRow {
  name: string;
  workspace_name: string;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
  micros: string;
}

export interface MemberConfig {
  observe_me: boolean | null;
  observe_others: boolean | null;
}

/** A peer named in a request: its id if it has to be created, and its session configuration. */
export interface NamedMember {
  name: string;
  newId: string;
  config: MemberConfig;
}

/** Why a request changed nothing (the handler says it in Honcho's words). */
export type Refusal =
  /** peers named that are real scope peers (sorted) */
  | { kind: "scope_peers"; names: string[] }
  | { kind: "no_session" }
  | { kind: "inactive_session" }
  /** peer names that would have to be created and are not acceptable */
  | { kind: "new_peer_names"; names: string[] }
  /** the number of observers the session would have */
  | { kind: "observers"; count: number }
  | { kind: "no_peer" }
  /** the peer named is a real scope peer */
  | { kind: "peer_is_scope"; name: string }
  | { kind: "no_member" }
  /** the session exists under a name Honcho's SessionCreate refuses (a legacy row): Honcho's ValueError path */
  | { kind: "invalid_session_name" }
  /** a peer that is no scope holds the name of a scope the request names */
  | { kind: "scope_name_taken"; name: string };

export class MembershipRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`membership change refused: ${refusal.kind}`);
    this.name = "MembershipRefused";
  }
}

export interface MembershipRules {
  /** SESSION_OBSERVERS_LIMIT */
  observersLimit: number;
  /** whether these names (not yet peers of the workspace) may be created */
  acceptsNewPeers(names: string[]): boolean;
  /** whether a session name is one Honcho's SessionCreate accepts */
  acceptsSessionName(name: string): boolean;
}

export interface SessionSpec {
  workspace: string;
  name: string;
  /** ids used only when the workspace / the session is created */
  newWorkspaceId: string;
  newSessionId: string;
  /** replaces the stored metadata when not null */
  metadata: Record<string, unknown> | null;
  /** merged over the stored configuration (top-level keys) when not null; the configuration of a new session */
  configuration: Record<string, unknown> | null;
  /** members to get or add (null or empty: none) */
  peers: NamedMember[] | null;
  /** scopes to add the session to (session-scopes.ts; absent, null or empty: none) */
  scopes?: ScopeSpec[] | null;
}

export interface SessionPeerStore {
  /** S2 POST .../sessions and S6 POST .../sessions/{id}/peers: the session (created when missing) after the members are added. */
  /** also what the call found (resource-updates.ts), and the scope peers whose rows a queued backfill changed */
  getOrCreateSession(spec: SessionSpec, rules: MembershipRules): Promise<{ row: SessionRow; created: boolean; prior: Prior; backfilled: string[] }>;
  /** S7 PUT .../peers: exactly these members (each with the configuration given); every other ordinary member leaves. */
  setPeers(workspace: string, session: string, peers: NamedMember[], rules: MembershipRules): Promise<SessionRow>;
  /** S8 DELETE .../peers: these peers leave (non-members ignored). */
  removePeers(workspace: string, session: string, names: string[], rules: MembershipRules): Promise<SessionRow>;
  /** S9: the stored configuration of a member (left members included); session null: one no row can match. */
  memberConfig(workspace: string, session: string | null, peer: string): Promise<unknown>;
  /** S10: merges the set fields into a member's configuration; a peer that is no member becomes one; peer null: one no row can match. */
  setMemberConfig(workspace: string, session: string, peer: string | null, update: Partial<MemberConfig>, rules: MembershipRules): Promise<void>;
  /** S11: a page of the active, non-scope members. */
  listPeers(workspace: string, session: string, offset: number, limit: number): Promise<{ rows: PeerRow[]; total: number }>;
}

// deadlock or serialization failure: the transaction is tried again
const RETRYABLE = new Set(["40P01", "40001"]);

const SESSION_COLUMNS = `name, workspace_name, is_active, metadata, configuration, ${micros("created_at")} AS micros`;
const PEER_COLUMNS = `p.name, p.workspace_name, p.metadata, p.configuration, ${micros("p.created_at")} AS micros`;

export function createSessionPeerStore(sql: Sql, t: Tables): SessionPeerStore {
  const sessionCols = sql.unsafe(SESSION_COLUMNS);
  const peerCols = sql.unsafe(PEER_COLUMNS);
  const isScope = sql.unsafe(isScopePeer("p"));
  const pyBool = t.fn("py_bool");
  const pyTruthy = t.fn("py_truthy");

  async function transaction<T>(work: (q: Sql) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return (await sql.begin((tx) => work(tx as unknown as Sql))) as T;
      } catch (err) {
        if (tries >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? "")) throw err;
      }
    }
  }

  const refuse = (r: Refusal): never => {
    throw new MembershipRefused(r);
  };

  const lock = (q: Sql, workspace: string, session: string) => q`SELECT pg_advisory_xact_lock(hashtext(${workspace}), hashtext(${session}))`;

  const findSession = async (q: Sql, workspace: string, session: string): Promise<SessionRow | undefined> =>
    (await q<SessionRow[]>`SELECT ${sessionCols} FROM ${t.sessions} WHERE workspace_name = ${workspace} AND name = ${session}`)[0];

  /** The named peers that exist, and which of them are real scope peers. */
  async function resolvePeers(q: Sql, workspace: string, names: string[]) {
    const rows = await q<{ name: string; scope: boolean }[]>`
      SELECT p.name, ${isScope} AS scope FROM ${t.peers} p WHERE p.workspace_name = ${workspace} AND p.name = ANY(${names}::text[])`;
    return { existing: new Set(rows.map((r) => r.name)), scopes: rows.filter((r) => r.scope).map((r) => r.name).sort() };
  }

  /** get_or_create_peers for names (the workspace exists): refused names first, then the new ones inserted in name order. */
  async function createPeers(q: Sql, workspace: string, peers: NamedMember[], existing: Set<string>, rules: MembershipRules) {
    const fresh = peers.filter((p) => !existing.has(p.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (fresh.length === 0) return;
    if (!rules.acceptsNewPeers(fresh.map((p) => p.name))) refuse({ kind: "new_peer_names", names: fresh.map((p) => p.name) });
    await q`
      INSERT INTO ${t.peers} (id, name, workspace_name)
      SELECT i.id, i.name, ${workspace} FROM unnest(${fresh.map((p) => p.newId)}::text[], ${fresh.map((p) => p.name)}::text[]) AS i(id, name)
      ORDER BY i.name
      ON CONFLICT (name, workspace_name) DO NOTHING`;
  }

  /**
   * _get_or_add_peers_to_session: the observer limit, then the upsert (see the
   * header). Scope peers' memberships do not count against the limit.
   */
  async function upsertMembers(q: Sql, workspace: string, session: string, peers: NamedMember[], rules: MembershipRules, scopes = false) {
    if (peers.length === 0) return;
    const fresh = scopes ? 0 : peers.filter((p) => p.config.observe_others === true).length;
    if (fresh > 0) {
      // active ordinary members not named here who observe others
      const [{ n }] = await q<[{ n: number }]>`
        SELECT count(*)::int AS n FROM ${t.sessionPeers} sp
        WHERE sp.workspace_name = ${workspace} AND sp.session_name = ${session} AND sp.left_at IS NULL
          AND NOT (sp.peer_name = ANY(${peers.map((p) => p.name)}::text[]))
          AND coalesce(${pyBool}(sp.configuration -> 'observe_others'), false)
          AND NOT EXISTS (SELECT 1 FROM ${t.peers} p WHERE p.workspace_name = ${workspace} AND p.name = sp.peer_name AND ${isScope})`;
      if (n + fresh > rules.observersLimit) refuse({ kind: "observers", count: n + fresh });
    }
    const sorted = [...peers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    await q`
      INSERT INTO ${t.sessionPeers} AS sp (session_name, peer_name, workspace_name, joined_at, left_at, configuration)
      SELECT ${session}, i.name, ${workspace}, now(), NULL, i.configuration::jsonb
      FROM unnest(${sorted.map((p) => p.name)}::text[], ${sorted.map((p) => JSON.stringify(p.config))}::text[]) AS i(name, configuration)
      ORDER BY i.name
      ON CONFLICT (session_name, peer_name, workspace_name) DO UPDATE
        SET joined_at = now(), left_at = NULL, configuration = EXCLUDED.configuration
        WHERE sp.left_at IS NOT NULL`;
  }

  return {
    getOrCreateSession: (spec, rules) =>
      transaction(async (q) => {
        const peers = spec.peers ?? [];
        const scopes = spec.scopes ?? [];
        const names = peers.map((p) => p.name);
        if (peers.length > 0 || scopes.length > 0) await lock(q, spec.workspace, spec.name);
        // the route's reject_scope_peers comes before anything else
        const resolved = peers.length > 0 ? await resolvePeers(q, spec.workspace, names) : undefined;
        if (resolved && resolved.scopes.length > 0) refuse({ kind: "scope_peers", names: resolved.scopes });

        let row = await findSession(q, spec.workspace, spec.name);
        let created = false;
        if (!row) {
          const observers = peers.filter((p) => p.config.observe_others === true).length;
          if (observers > rules.observersLimit) refuse({ kind: "observers", count: observers });
          await q`INSERT INTO ${t.workspaces} (id, name) VALUES (${spec.newWorkspaceId}, ${spec.workspace}) ON CONFLICT (name) DO NOTHING`;
          [row] = await q<SessionRow[]>`
            INSERT INTO ${t.sessions} (id, name, workspace_name, metadata, configuration)
            VALUES (${spec.newSessionId}, ${spec.name}, ${spec.workspace},
              ${pythonJson(spec.metadata ?? {})}::text::jsonb, ${pythonJson(spec.configuration ?? {})}::text::jsonb)
            ON CONFLICT (name, workspace_name) DO NOTHING
            RETURNING ${sessionCols}`;
          created = row !== undefined;
          // created meanwhile by another transaction (now committed: this statement sees it)
          row ??= await findSession(q, spec.workspace, spec.name);
          if (!row) throw new Error("session vanished during get-or-create");
        }
        if (!row.is_active) refuse({ kind: "inactive_session" });
        let prior: Prior = { created, sameMetadata: false, sameConfiguration: false, configuration: null };
        if (!created && (spec.metadata !== null || spec.configuration !== null)) {
          const m = spec.metadata === null ? null : pythonJson(spec.metadata);
          const c = spec.configuration === null ? null : pythonJson(spec.configuration);
          const [updated] = await q<(SessionRow & { created: boolean; same_metadata: boolean | null; same_configuration: boolean | null })[]>`
            UPDATE ${t.sessions} s
            SET metadata = ${replaced(q, "s.metadata", m)}, configuration = ${merged(q, "s.configuration", c)}
            WHERE workspace_name = ${spec.workspace} AND name = ${spec.name}
            RETURNING ${sessionCols}, false AS created, ${sameAsGiven(q, targetRow(q, t.sessions, spec.name, spec.workspace), m, c, "s.configuration")}`;
          ({ row, prior } = splitPrior(updated!));
        }
        if (resolved) {
          await createPeers(q, spec.workspace, peers, resolved.existing, rules);
          await upsertMembers(q, spec.workspace, spec.name, peers, rules);
        }
        let backfilled: string[] = [];
        if (scopes.length > 0) {
          const taken = await getOrCreateScopePeers(q, t, spec.workspace, scopes);
          if (taken !== undefined) refuse({ kind: "scope_name_taken", name: taken });
          const scopePeers = scopePeerNames(scopes);
          const members = scopePeers.map((name) => ({ name, newId: "", config: { ...SCOPE_MEMBERSHIP } }));
          await upsertMembers(q, spec.workspace, spec.name, members, rules, true);
          backfilled = await queueScopeBackfills(q, t, spec.workspace, spec.name, scopePeers);
        }
        return { row: row!, created, prior, backfilled };
      }),

    setPeers: (workspace, session, peers, rules) =>
      transaction(async (q) => {
        await lock(q, workspace, session);
        const resolved = await resolvePeers(q, workspace, peers.map((p) => p.name));
        if (resolved.scopes.length > 0) refuse({ kind: "scope_peers", names: resolved.scopes });
        const observers = peers.filter((p) => p.config.observe_others === true).length;
        if (observers > rules.observersLimit) refuse({ kind: "observers", count: observers });
        const row = await findSession(q, workspace, session);
        if (!row) refuse({ kind: "no_session" });
        // every ordinary active member leaves (scope memberships stay)
        await q`
          UPDATE ${t.sessionPeers} sp SET left_at = now()
          WHERE sp.workspace_name = ${workspace} AND sp.session_name = ${session} AND sp.left_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM ${t.peers} p WHERE p.workspace_name = ${workspace} AND p.name = sp.peer_name AND ${isScope})`;
        await createPeers(q, workspace, peers, resolved.existing, rules);
        await upsertMembers(q, workspace, session, peers, rules);
        // Honcho commits the new membership and only then builds its answer,
        // failing (404) on a name SessionCreate refuses or an inactive
        // session: the same answers here, with the membership rolled back
        if (!rules.acceptsSessionName(session)) refuse({ kind: "invalid_session_name" });
        if (!row!.is_active) refuse({ kind: "inactive_session" });
        return row!;
      }),

    removePeers: (workspace, session, names, rules) =>
      transaction(async (q) => {
        await lock(q, workspace, session);
        if (names.length > 0) {
          const resolved = await resolvePeers(q, workspace, names);
          if (resolved.scopes.length > 0) refuse({ kind: "scope_peers", names: resolved.scopes });
        }
        const row = await findSession(q, workspace, session);
        if (!row || !row.is_active) refuse({ kind: "no_session" });
        if (!rules.acceptsSessionName(session)) refuse({ kind: "invalid_session_name" });
        await q`
          UPDATE ${t.sessionPeers} sp SET left_at = now()
          WHERE sp.workspace_name = ${workspace} AND sp.session_name = ${session} AND sp.peer_name = ANY(${names}::text[]) AND sp.left_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM ${t.peers} p WHERE p.workspace_name = ${workspace} AND p.name = sp.peer_name AND ${isScope})`;
        return row!;
      }),

    async memberConfig(workspace, session, peer) {
      const [row] = await sql<{ scope: boolean; member: boolean; configuration: unknown }[]>`
        SELECT ${isScope} AS scope, sp.peer_name IS NOT NULL AS member, sp.configuration
        FROM ${t.peers} p
        LEFT JOIN ${t.sessionPeers} sp ON sp.workspace_name = p.workspace_name AND sp.peer_name = p.name AND sp.session_name = ${session}
        WHERE p.workspace_name = ${workspace} AND p.name = ${peer}`;
      if (!row) return refuse({ kind: "no_peer" });
      if (row.scope) return refuse({ kind: "peer_is_scope", name: peer });
      if (!row.member) return refuse({ kind: "no_member" });
      return row.configuration;
    },

    setMemberConfig: (workspace, session, peer, update, rules) =>
      transaction(async (q) => {
        await lock(q, workspace, session);
        const s = await findSession(q, workspace, session);
        if (!s || !s.is_active) refuse({ kind: "no_session" });
        const [p] = await q<{ scope: boolean }[]>`SELECT ${isScope} AS scope FROM ${t.peers} p WHERE p.workspace_name = ${workspace} AND p.name = ${peer}`;
        if (!p) refuse({ kind: "no_peer" });
        if (p!.scope) refuse({ kind: "peer_is_scope", name: peer! });
        const [member] = await q<{ observer: boolean }[]>`
          SELECT coalesce(${pyTruthy}(configuration -> 'observe_others'), false) AS observer FROM ${t.sessionPeers}
          WHERE workspace_name = ${workspace} AND session_name = ${session} AND peer_name = ${peer}`;
        if (update.observe_others === true && !member?.observer) {
          // set_peer_config counts every active observer but this peer (scope members included)
          const [{ n }] = await q<[{ n: number }]>`
            SELECT count(*)::int AS n FROM ${t.sessionPeers}
            WHERE workspace_name = ${workspace} AND session_name = ${session} AND left_at IS NULL AND peer_name <> ${peer}
              AND coalesce(${pyBool}(configuration -> 'observe_others'), false)`;
          if (n + 1 > rules.observersLimit) refuse({ kind: "observers", count: n + 1 });
        }
        // {**stored, **update}; a new row is an active membership (joined_at now())
        await q`
          INSERT INTO ${t.sessionPeers} AS sp (session_name, peer_name, workspace_name, configuration)
          VALUES (${session}, ${peer}, ${workspace}, ${JSON.stringify(update)}::text::jsonb)
          ON CONFLICT (session_name, peer_name, workspace_name) DO UPDATE
            SET configuration = (CASE WHEN jsonb_typeof(sp.configuration) = 'object' THEN sp.configuration ELSE '{}'::jsonb END) || EXCLUDED.configuration`;
      }),

    async listPeers(workspace, session, offset, limit) {
      // Honcho's query has no ORDER BY; here: in the order members (re)joined, then by name
      const members = sql`
        FROM ${t.peers} p JOIN ${t.sessionPeers} sp ON p.name = sp.peer_name AND p.workspace_name = sp.workspace_name
        WHERE sp.session_name = ${session} AND p.workspace_name = ${workspace} AND sp.left_at IS NULL AND NOT ${isScope}`;
      const [result] = await sql<{ total: number; rows: PeerRow[] | null }[]>`
        SELECT
          (SELECT count(*)::int ${members}) AS total,
          (SELECT json_agg(page) FROM (SELECT ${peerCols} ${members} ORDER BY sp.joined_at, p.name LIMIT ${limit} OFFSET ${offset}) page) AS rows`;
      return { rows: result?.rows ?? [], total: result?.total ?? 0 };
    },
  };
}
