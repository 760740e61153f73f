// Workspaces and peers: get-or-create, each in one statement, with Honcho's
// rules for what a call does to a row that exists (src/crud/workspace.py,
// src/crud/peer.py). Sessions, whose get-or-create also changes members, are
// in session-peers-store.ts.
import { pythonJson } from "../json/exact-numbers.js";
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import { replaced, sameAsGiven, splitPrior, targetRow, type Prior } from "./resource-updates.js";
import type { Tables } from "./schema.js";
import { isScopePeer } from "./scope-peer.js";

export interface ResourceRow {
  name: string;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
  micros: string;
  is_active?: boolean;
  workspace_name?: string;
}

export interface GotOrCreated {
  row: ResourceRow;
  /** this call inserted the row */
  created: boolean;
}

/** A peer's get-or-create: also what the call found (resource-updates.ts). */
export interface PeerGotOrCreated extends GotOrCreated {
  prior: Prior;
}

export interface ResourceStore {
  /** W1: an existing workspace is returned as it is (what the call sent is used only to create it). */
  workspace(name: string, newId: string, metadata: object, configuration: object): Promise<GotOrCreated>;
  /**
   * P2: a new peer gets metadata and configuration (null: {}); an existing
   * one has each replaced by what is not null.
   */
  peer(workspace: string, name: string, newIds: { workspace: string; peer: string }, metadata: object | null, configuration: object | null): Promise<PeerGotOrCreated>;
  isActiveMember(workspace: string, session: string, peer: string): Promise<boolean>;
  /** Which of these peers exist, each a scope (Honcho's is_scope_peer: the reserved prefix and the kind flag) or not. */
  peerKinds(workspace: string, names: string[]): Promise<Map<string, "scope" | "peer">>;
  /** The workspace holds a session of this name, active or not. */
  sessionExists(workspace: string, name: string): Promise<boolean>;
}

const MICROS = `${micros("created_at")} AS micros`;
const json = (v: object | null) => (v === null ? null : pythonJson(v));

export function createResourceStore(sql: Sql, t: Tables): ResourceStore {
  // The statement inserts, or finds the row as it was when the statement
  // began; a row committed by another transaction after that is invisible to
  // it (ON CONFLICT waited for it, then did nothing), so the statement is run
  // once more, and then sees it.
  async function getOrCreate<R>(run: () => Promise<R[]>): Promise<R> {
    let [row] = await run();
    if (!row) [row] = await run();
    if (!row) throw new Error("row vanished during get-or-create");
    return row;
  }

  return {
    async workspace(name, newId, metadata, configuration) {
      const { created, ...row } = await getOrCreate(() => sql<(ResourceRow & { created: boolean })[]>`
        WITH ins AS (
          INSERT INTO ${t.workspaces} (id, name, metadata, configuration)
          VALUES (${newId}, ${name}, ${pythonJson(metadata)}::text::jsonb, ${pythonJson(configuration)}::text::jsonb)
          ON CONFLICT (name) DO NOTHING
          RETURNING name, metadata, configuration, created_at
        )
        SELECT name, metadata, configuration, ${sql.unsafe(MICROS)}, created FROM (
          SELECT *, true AS created FROM ins
          UNION ALL SELECT name, metadata, configuration, created_at, false FROM ${t.workspaces} WHERE name = ${name}
        ) w LIMIT 1`);
      return { row, created };
    },

    // ON CONFLICT DO UPDATE locks and returns the row whoever committed it;
    // xmax = 0 tells the inserted row from the updated one. An existing row
    // is rewritten only when there is something to replace.
    async peer(workspace, name, ids, metadata, configuration) {
      const m = json(metadata);
      const c = json(configuration);
      const got = await getOrCreate(() => sql<(ResourceRow & { created: boolean; same_metadata: boolean | null; same_configuration: boolean | null })[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        ), up AS (
          INSERT INTO ${t.peers} AS p (id, name, workspace_name, metadata, configuration)
          VALUES (${ids.peer}, ${name}, ${workspace}, coalesce(${m}::text::jsonb, '{}'), coalesce(${c}::text::jsonb, '{}'))
          ON CONFLICT (name, workspace_name) DO UPDATE
            SET metadata = ${replaced(sql, "p.metadata", m)}, configuration = ${replaced(sql, "p.configuration", c)}
            WHERE ${metadata !== null || configuration !== null}
          RETURNING name, workspace_name, metadata, configuration, created_at, xmax = 0 AS created, ${sameAsGiven(sql, targetRow(sql, t.peers, name, workspace), m, c)}
        )
        SELECT name, workspace_name, metadata, configuration, ${sql.unsafe(MICROS)}, created, same_metadata, same_configuration FROM (
          SELECT * FROM up
          UNION ALL SELECT name, workspace_name, metadata, configuration, created_at, false, null, null FROM ${t.peers} WHERE name = ${name} AND workspace_name = ${workspace}
        ) p LIMIT 1`);
      const { row, prior } = splitPrior(got);
      return { row, created: prior.created, prior };
    },

    async peerKinds(workspace, names) {
      // a name PostgreSQL's text cannot hold names no stored peer
      const storable = names.filter((n) => !n.includes("\0"));
      if (storable.length === 0) return new Map();
      const rows = await sql<{ name: string; scope: boolean }[]>`
        SELECT p.name, ${sql.unsafe(isScopePeer("p"))} AS scope FROM ${t.peers} p
        WHERE p.workspace_name = ${workspace} AND p.name = ANY(${storable}::text[])`;
      return new Map(rows.map((r) => [r.name, r.scope ? "scope" : "peer"]));
    },

    async sessionExists(workspace, name) {
      // text PostgreSQL cannot hold names no stored row
      if (workspace.includes("\0") || name.includes("\0")) return false;
      const rows = await sql`SELECT 1 FROM ${t.sessions} WHERE workspace_name = ${workspace} AND name = ${name}`;
      return rows.length > 0;
    },

    async isActiveMember(workspace, session, peer) {
      const rows = await sql`
        SELECT 1 FROM ${t.sessionPeers}
        WHERE workspace_name = ${workspace} AND session_name = ${session} AND peer_name = ${peer} AND left_at IS NULL`;
      return rows.length > 0;
    },
  };
}
