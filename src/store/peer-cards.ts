// Peer cards as Honcho stores them (src/crud/peer_card.py): not a table but a
// key of the observer peer's internal_metadata, "peer_card" for its own card
// and "<observed>_peer_card" for its card about another peer, holding a JSON
// array of strings. Setting one replaces that key alone (`||`), after the
// workspace and the observer are got or created, in one transaction.
import type { Sql } from "postgres";
import type { Tables } from "./schema.js";

/** Honcho's construct_peer_card_label. */
export const peerCardLabel = (observer: string, observed: string) => (observer === observed ? "peer_card" : `${observed}_peer_card`);

export interface PeerCards {
  /** undefined: no such observer; null: no card */
  get(workspace: string, observer: string, observed: string): Promise<string[] | null | undefined>;
  set(workspace: string, observer: string, observed: string, card: string[], newIds: { workspace: string; peer: string }): Promise<void>;
}

export function createPeerCards(sql: Sql, t: Tables): PeerCards {
  return {
    async get(workspace, observer, observed) {
      const label = peerCardLabel(observer, observed);
      const [row] = await sql<{ card: unknown }[]>`
        SELECT internal_metadata -> ${label.includes("\0") ? "" : label}::text AS card
        FROM ${t.peers} WHERE workspace_name = ${workspace} AND name = ${observer}`;
      if (!row) return undefined;
      // a label PostgreSQL cannot hold names no stored card
      if (label.includes("\0")) return null;
      const card = row.card;
      return Array.isArray(card) ? card.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : null;
    },

    async set(workspace, observer, observed, card, ids) {
      const entry = JSON.stringify({ [peerCardLabel(observer, observed)]: card });
      await sql`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        )
        INSERT INTO ${t.peers} AS p (id, name, workspace_name, internal_metadata)
        VALUES (${ids.peer}, ${observer}, ${workspace}, ${entry}::text::jsonb)
        ON CONFLICT (name, workspace_name) DO UPDATE SET internal_metadata = p.internal_metadata || ${entry}::text::jsonb`;
    },
  };
}
