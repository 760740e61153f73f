// PUT on a workspace, peer or session: Honcho's get-or-create-then-update
// (src/crud/workspace.py update_workspace, src/crud/peer.py update_peer,
// src/crud/session.py update_session), each as one upsert: a missing row is
// created (with its workspace) holding what the update gives; an existing
// one gets the given metadata in place of its own, and the given
// configuration merged into its own (workspaces and sessions: top-level keys
// replaced, `stored || given`) or in its place (peers). Honcho creates, commits,
// then updates; here one statement does both, so no caller ever sees the row
// created but not yet updated, and a concurrent creation is no conflict.
import { pythonJson } from "../json/exact-numbers.js";
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import type { Tables } from "./schema.js";
import type { ListedRow } from "./list-reads.js";

export interface Change {
  /** null: keep */
  metadata: object | null;
  /** null: keep */
  configuration: object | null;
}

export interface ResourceUpdates {
  workspace(name: string, newId: string, change: Change): Promise<ListedRow>;
  peer(workspace: string, name: string, newIds: { workspace: string; peer: string }, change: Change): Promise<ListedRow>;
  /** null when the session exists and is inactive (Honcho: 404) */
  session(workspace: string, name: string, newIds: { workspace: string; session: string }, change: Change): Promise<ListedRow | null>;
}

// jsonb parameters go as text (postgres.js would re-serialise a value it
// is told is jsonb); null stays SQL NULL
const json = (v: object | null) => (v === null ? null : pythonJson(v));
const MICROS = micros("created_at");

export function createResourceUpdates(sql: Sql, t: Tables): ResourceUpdates {
  return {
    async workspace(name, newId, { metadata, configuration }) {
      const [row] = await sql<ListedRow[]>`
        INSERT INTO ${t.workspaces} AS w (id, name, metadata, configuration)
        VALUES (${newId}, ${name}, coalesce(${json(metadata)}::text::jsonb, '{}'::jsonb), coalesce(${json(configuration)}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name) DO UPDATE SET
          metadata = coalesce(${json(metadata)}::text::jsonb, w.metadata),
          configuration = w.configuration || coalesce(${json(configuration)}::text::jsonb, '{}'::jsonb)
        RETURNING name, metadata, configuration, ${sql.unsafe(MICROS)} AS micros`;
      return row!;
    },

    async peer(workspace, name, ids, { metadata, configuration }) {
      const [row] = await sql<ListedRow[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        )
        INSERT INTO ${t.peers} AS p (id, name, workspace_name, metadata, configuration)
        VALUES (${ids.peer}, ${name}, ${workspace}, coalesce(${json(metadata)}::text::jsonb, '{}'::jsonb), coalesce(${json(configuration)}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name, workspace_name) DO UPDATE SET
          metadata = coalesce(${json(metadata)}::text::jsonb, p.metadata),
          configuration = coalesce(${json(configuration)}::text::jsonb, p.configuration)
        RETURNING name, workspace_name, metadata, configuration, ${sql.unsafe(MICROS)} AS micros`;
      return row!;
    },

    async session(workspace, name, ids, { metadata, configuration }) {
      // an inactive session is left alone: ON CONFLICT .. WHERE updates no
      // row, so none comes back
      const [row] = await sql<ListedRow[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        )
        INSERT INTO ${t.sessions} AS s (id, name, workspace_name, metadata, configuration)
        VALUES (${ids.session}, ${name}, ${workspace}, coalesce(${json(metadata)}::text::jsonb, '{}'::jsonb), coalesce(${json(configuration)}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name, workspace_name) DO UPDATE SET
          metadata = coalesce(${json(metadata)}::text::jsonb, s.metadata),
          configuration = s.configuration || coalesce(${json(configuration)}::text::jsonb, '{}'::jsonb)
        WHERE s.is_active
        RETURNING name, workspace_name, is_active, metadata, configuration, ${sql.unsafe(MICROS)} AS micros`;
      return row ?? null;
    },
  };
}
