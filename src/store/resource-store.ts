// Workspaces, peers and sessions: get-or-create, each in one statement.
// A get-or-create returns the row as stored (what the caller sent is used
// only when it creates it), as Honcho does.
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import type { Tables } from "./schema.js";

export interface ResourceRow {
  name: string;
  metadata: Record<string, unknown>;
  configuration: Record<string, unknown>;
  micros: string;
  is_active?: boolean;
  workspace_name?: string;
}

export interface ResourceStore {
  workspace(name: string, newId: string, metadata: object, configuration: object): Promise<ResourceRow>;
  peer(workspace: string, name: string, newIds: { workspace: string; peer: string }, metadata: object, configuration: object): Promise<ResourceRow>;
  /** null when the session exists but is inactive */
  session(
    workspace: string,
    name: string,
    newIds: { workspace: string; session: string },
    metadata: object,
    configuration: object,
    peers: { name: string; newId: string; configuration: object }[],
  ): Promise<ResourceRow | null>;
  isActiveMember(workspace: string, session: string, peer: string): Promise<boolean>;
}

const MICROS = `${micros("created_at")} AS micros`;

export function createResourceStore(sql: Sql, t: Tables): ResourceStore {
  // INSERT .. ON CONFLICT DO NOTHING then read: when another transaction
  // created the row meanwhile, this statement's snapshot may miss it, so the
  // read is tried once more.
  async function getOrCreate<T>(run: () => Promise<T[]>): Promise<T> {
    const rows = await run();
    if (rows[0]) return rows[0];
    const again = await run();
    if (!again[0]) throw new Error("row vanished during get-or-create");
    return again[0];
  }

  return {
    workspace: (name, newId, metadata, configuration) =>
      getOrCreate(() => sql<ResourceRow[]>`
        WITH ins AS (
          INSERT INTO ${t.workspaces} (id, name, metadata, configuration)
          VALUES (${newId}, ${name}, ${sql.json(metadata as never)}, ${sql.json(configuration as never)})
          ON CONFLICT (name) DO NOTHING
          RETURNING name, metadata, configuration, created_at
        )
        SELECT name, metadata, configuration, ${sql.unsafe(MICROS)} FROM (
          SELECT * FROM ins UNION ALL SELECT name, metadata, configuration, created_at FROM ${t.workspaces} WHERE name = ${name}
        ) w LIMIT 1`),

    peer: (workspace, name, ids, metadata, configuration) =>
      getOrCreate(() => sql<ResourceRow[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        ), ins AS (
          INSERT INTO ${t.peers} (id, name, workspace_name, metadata, configuration)
          VALUES (${ids.peer}, ${name}, ${workspace}, ${sql.json(metadata as never)}, ${sql.json(configuration as never)})
          ON CONFLICT (name, workspace_name) DO NOTHING
          RETURNING name, workspace_name, metadata, configuration, created_at
        )
        SELECT name, workspace_name, metadata, configuration, ${sql.unsafe(MICROS)} FROM (
          SELECT * FROM ins
          UNION ALL SELECT name, workspace_name, metadata, configuration, created_at FROM ${t.peers} WHERE name = ${name} AND workspace_name = ${workspace}
        ) p LIMIT 1`),

    async session(workspace, name, ids, metadata, configuration, peers) {
      const sorted = [...peers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const row = await getOrCreate(() => sql<ResourceRow[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        ), ins AS (
          INSERT INTO ${t.sessions} (id, name, workspace_name, metadata, configuration)
          VALUES (${ids.session}, ${name}, ${workspace}, ${sql.json(metadata as never)}, ${sql.json(configuration as never)})
          ON CONFLICT (name, workspace_name) DO NOTHING
          RETURNING name, workspace_name, is_active, metadata, configuration, created_at
        )
        SELECT name, workspace_name, is_active, metadata, configuration, ${sql.unsafe(MICROS)} FROM (
          SELECT * FROM ins
          UNION ALL SELECT name, workspace_name, is_active, metadata, configuration, created_at FROM ${t.sessions} WHERE name = ${name} AND workspace_name = ${workspace}
        ) s LIMIT 1`);
      if (!row.is_active) return null;
      if (sorted.length > 0) {
        await sql`
          WITH input AS (
            SELECT * FROM unnest(${sorted.map((p) => p.name)}::text[], ${sorted.map((p) => p.newId)}::text[], ${sorted.map((p) => JSON.stringify(p.configuration))}::text[])
              WITH ORDINALITY AS i(name, id, configuration, ord)
          ), new_peers AS (
            INSERT INTO ${t.peers} (id, name, workspace_name)
            SELECT id, name, ${workspace} FROM input ORDER BY ord
            ON CONFLICT (name, workspace_name) DO NOTHING
          )
          INSERT INTO ${t.sessionPeers} (workspace_name, session_name, peer_name, configuration)
          SELECT ${workspace}, ${name}, name, configuration::jsonb FROM input ORDER BY ord
          ON CONFLICT (workspace_name, session_name, peer_name) DO UPDATE
            SET left_at = NULL, configuration = EXCLUDED.configuration,
                joined_at = CASE WHEN session_peers.left_at IS NULL THEN session_peers.joined_at ELSE now() END`;
      }
      return row;
    },

    async isActiveMember(workspace, session, peer) {
      const rows = await sql`
        SELECT 1 FROM ${t.sessionPeers}
        WHERE workspace_name = ${workspace} AND session_name = ${session} AND peer_name = ${peer} AND left_at IS NULL`;
      return rows.length > 0;
    },
  };
}
