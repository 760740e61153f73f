// Cloning a session (Honcho's src/crud/session.py clone_session): a new
// session named by a new nanoid, with the original's metadata and
// configuration (not its summaries), a copy of its messages (all, or up to
// and including a given one, by internal id) with their content, metadata,
// author and seq_in_session, new public ids and the clone's timestamp, and
// its memberships with their configuration (members who had left become
// members again, as in Honcho). One transaction, under the original
// session's lock (Honcho's pg_advisory_xact_lock(hashtext(ws),
// hashtext(session)), which every message writer takes), so a batch being
// written is copied whole or not at all.
//
// Fixed here, deliberately:
// - every query is scoped to the workspace (Honcho reads the cutoff message,
//   the messages and the memberships by session name alone, so a session of
//   the same name in another workspace leaks into the clone or makes it
//   fail);
// - a session without messages is cloned and committed (Honcho returns the
//   new session early, before its commit, so it is rolled back while the
//   201 describes it), memberships included;
// - the copies keep their token_count (Honcho's are 0, which the content
//   they hold is not).
import type { Sql } from "postgres";
import { micros } from "./micros.js";
import type { ListedRow } from "./list-reads.js";
import type { Tables } from "./schema.js";

export type CloneResult = { ok: true; session: ListedRow } | { ok: false; missing: "session" | "message" };

export interface Clones {
  clone(workspace: string, session: string, cutoffPublicId: string | null, newIds: { session: string; name: string }, newMessageId: () => string): Promise<CloneResult>;
}

export function createClones(sql: Sql, t: Tables): Clones {
  return {
    clone: (workspace, session, cutoff, ids, newMessageId) =>
      sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        await q`SELECT pg_advisory_xact_lock(hashtext(${workspace}), hashtext(${session}))`;
        const [original] = await q<{ metadata: object; configuration: object }[]>`
          SELECT metadata, configuration FROM ${t.sessions} WHERE workspace_name = ${workspace} AND name = ${session} AND is_active`;
        if (!original) return { ok: false, missing: "session" } as const;
        let last: string | null = null;
        if (cutoff !== null) {
          // text PostgreSQL cannot hold is no message id
          const [m] = cutoff.includes("\0")
            ? []
            : await q<{ id: string }[]>`
                SELECT id::text FROM ${t.messages} WHERE public_id = ${cutoff} AND workspace_name = ${workspace} AND session_name = ${session}`;
          if (!m) return { ok: false, missing: "message" } as const;
          last = m.id;
        }
        const [created] = await q<ListedRow[]>`
          INSERT INTO ${t.sessions} (id, name, workspace_name, metadata, configuration)
          SELECT ${ids.session}, ${ids.name}, ${workspace}, s.metadata, s.configuration
          FROM ${t.sessions} s WHERE s.workspace_name = ${workspace} AND s.name = ${session}
          RETURNING name, workspace_name, is_active, metadata, configuration, ${q.unsafe(micros("created_at"))} AS micros`;
        const [{ n }] = (await q<{ n: number }[]>`
          SELECT count(*)::int AS n FROM ${t.messages}
          WHERE workspace_name = ${workspace} AND session_name = ${session}
            AND (${last}::bigint IS NULL OR id <= ${last}::bigint)`) as unknown as [{ n: number }];
        if (n > 0) {
          const publicIds = Array.from({ length: n }, newMessageId);
          await q`
            INSERT INTO ${t.messages} (public_id, session_name, content, metadata, workspace_name, peer_name, seq_in_session, token_count)
            SELECT ids.public_id, ${ids.name}, m.content, m.metadata, m.workspace_name, m.peer_name, m.seq_in_session, m.token_count
            FROM (
              SELECT m.*, row_number() OVER (ORDER BY m.id) AS n FROM ${t.messages} m
              WHERE m.workspace_name = ${workspace} AND m.session_name = ${session}
                AND (${last}::bigint IS NULL OR m.id <= ${last}::bigint)
            ) m
            JOIN unnest(${publicIds}::text[]) WITH ORDINALITY AS ids(public_id, n) USING (n)
            ORDER BY m.id`;
        }
        await q`
          INSERT INTO ${t.sessionPeers} (session_name, peer_name, workspace_name, configuration)
          SELECT ${ids.name}, sp.peer_name, ${workspace}, sp.configuration FROM ${t.sessionPeers} sp
          WHERE sp.workspace_name = ${workspace} AND sp.session_name = ${session}
          ORDER BY sp.peer_name`;
        return { ok: true, session: created! } as const;
      }) as Promise<CloneResult>,
  };
}
