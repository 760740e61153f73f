// Pages of workspaces, peers and sessions as Honcho's list routes select
// them (src/crud/workspace.py get_all_workspaces, src/crud/peer.py get_peers
// and get_sessions_for_peer, src/crud/session.py get_sessions): Honcho's
// filter language (filter-sql.ts), ordered by created_at then the internal
// id (both descending for reverse), the page and its total in one round trip.
import type { Fragment, Sql } from "postgres";
import type { FilterCondition } from "../domain/filters/index.js";
import { filterSql } from "./filter-sql.js";
import { micros } from "./micros.js";
import type { Tables } from "./schema.js";
import { isScopePeer } from "./scope-peer.js";

export interface ListedRow {
  name: string;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
  micros: string;
  /** peers and sessions */
  workspace_name?: string;
  /** sessions */
  is_active?: boolean;
}

export interface RowPage {
  rows: ListedRow[];
  total: number;
}

export interface Paging {
  offset: number;
  limit: number;
  newestFirst: boolean;
}

/** PeerGet.kind: regular peers (null), scope peers only, or every peer. */
export type PeerKind = "scope" | "all" | null;

export interface ListReads {
  workspaces(filter: FilterCondition | null, p: Paging): Promise<RowPage>;
  peers(workspace: string, kind: PeerKind, filter: FilterCondition | null, p: Paging): Promise<RowPage>;
  /** active sessions only */
  sessions(workspace: string, filter: FilterCondition | null, p: Paging): Promise<RowPage>;
  /** every session the peer has a membership row in (left or not, active or not) */
  peerSessions(workspace: string, peer: string, filter: FilterCondition | null, p: Paging): Promise<RowPage>;
}

export function createListReads(sql: Sql, t: Tables): ListReads {
  // one statement: the count over the whole selection, and the page of it
  async function page(from: Fragment, where: Fragment, alias: string, columns: string, p: Paging): Promise<RowPage> {
    const a = sql(alias);
    const order = p.newestFirst ? sql`${a}.created_at DESC, ${a}.id DESC` : sql`${a}.created_at ASC, ${a}.id ASC`;
    const [result] = await sql<{ total: number; rows: ListedRow[] | null }[]>`
      SELECT
        (SELECT count(*)::int FROM ${from} WHERE ${where}) AS total,
        (SELECT json_agg(r) FROM (
           SELECT ${sql.unsafe(columns)} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ${p.limit} OFFSET ${p.offset}
         ) r) AS rows`;
    return { rows: result?.rows ?? [], total: result?.total ?? 0 };
  }
  const cols = (alias: string, extra: string[] = []) =>
    [...extra.map((c) => `${alias}.${c}`), `${alias}.name`, `${alias}.metadata`, `${alias}.configuration`, `${micros(`${alias}.created_at`)} AS micros`].join(", ");

  const scopePeer = sql.unsafe(isScopePeer("w"));

  return {
    workspaces: (filter, p) => page(sql`${t.workspaces} w`, filterSql(sql, "workspaces", filter, "w"), "w", cols("w"), p),

    peers(workspace, kind, filter, p) {
      const which = kind === "all" ? sql`TRUE` : kind === "scope" ? scopePeer : sql`NOT ${scopePeer}`;
      const where = sql`w.workspace_name = ${workspace} AND ${which} AND ${filterSql(sql, "peers", filter, "w")}`;
      return page(sql`${t.peers} w`, where, "w", cols("w", ["workspace_name"]), p);
    },

    sessions(workspace, filter, p) {
      const where = sql`w.workspace_name = ${workspace} AND w.is_active AND ${filterSql(sql, "sessions", filter, "w")}`;
      return page(sql`${t.sessions} w`, where, "w", cols("w", ["workspace_name", "is_active"]), p);
    },

    peerSessions(workspace, peer, filter, p) {
      const from = sql`${t.sessions} w JOIN ${t.sessionPeers} m ON m.session_name = w.name AND m.workspace_name = w.workspace_name`;
      const where = sql`m.peer_name = ${peer} AND w.workspace_name = ${workspace} AND ${filterSql(sql, "sessions", filter, "w")}`;
      return page(from, where, "w", cols("w", ["workspace_name", "is_active"]), p);
    },
  };
}
