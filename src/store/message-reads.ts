// Reading messages back: one message, its metadata replaced, and pages of a
// session's messages in sequence order with Honcho's filter language.
import { pythonJson } from "../json/exact-numbers.js";
import type { Sql } from "postgres";
import type { FilterCondition } from "../domain/filters/index.js";
import { filterSql } from "./filter-sql.js";
import { micros } from "./micros.js";
import type { Tables } from "./schema.js";

export interface MessageRow {
  public_id: string;
  content: string;
  peer_name: string;
  session_name: string;
  workspace_name: string;
  metadata: Record<string, unknown>;
  token_count: number;
  micros: string;
}

export interface MessagePage {
  rows: MessageRow[];
  total: number;
}

export interface MessageReads {
  get(workspace: string, session: string, publicId: string): Promise<MessageRow | null>;
  /** Up to `limit` messages of a session after sequence number `afterSeq`, in order. */
  after(workspace: string, session: string, afterSeq: bigint, limit: number): Promise<(MessageRow & { seq: string })[]>;
  /** The messages with these ids, in the order given. */
  byIds(publicIds: string[]): Promise<MessageRow[]>;
  /** Replaces the metadata; null when there is no such message. */
  setMetadata(workspace: string, session: string, publicId: string, metadata: object): Promise<MessageRow | null>;
  /** A page of a session's messages in sequence order, with Honcho's filter (src/domain/filters). */
  page(workspace: string, session: string, filter: FilterCondition | null, offset: number, limit: number, newestFirst: boolean): Promise<MessagePage>;
}

const COLUMNS = `public_id, content, peer_name, session_name, workspace_name, metadata, token_count, ${micros("created_at")} AS micros`;

export function createMessageReads(sql: Sql, t: Tables): MessageReads {
  const cols = sql.unsafe(COLUMNS);
  return {
    async get(workspace, session, publicId) {
      if (publicId.includes("\0")) return null; // text PostgreSQL cannot hold matches nothing stored (Honcho: a driver error, 500)
      const [row] = await sql<MessageRow[]>`
        SELECT ${cols} FROM ${t.messages} WHERE workspace_name = ${workspace} AND session_name = ${session} AND public_id = ${publicId}`;
      return row ?? null;
    },

    after: (workspace, session, afterSeq, limit) => sql<(MessageRow & { seq: string })[]>`
      SELECT ${cols}, seq_in_session::text AS seq FROM ${t.messages}
      WHERE workspace_name = ${workspace} AND session_name = ${session} AND seq_in_session > ${afterSeq.toString()}::bigint
      ORDER BY seq_in_session LIMIT ${limit}`,

    async byIds(publicIds) {
      const rows = await sql<MessageRow[]>`SELECT ${cols} FROM ${t.messages} WHERE public_id = ANY(${publicIds}::text[])`;
      const byId = new Map(rows.map((r) => [r.public_id, r]));
      return publicIds.map((id) => byId.get(id)).filter((r): r is MessageRow => r !== undefined);
    },

    async setMetadata(workspace, session, publicId, metadata) {
      if (publicId.includes("\0")) return null;
      const [row] = await sql<MessageRow[]>`
        UPDATE ${t.messages} SET metadata = ${pythonJson(metadata)}::text::jsonb
        WHERE workspace_name = ${workspace} AND session_name = ${session} AND public_id = ${publicId}
        RETURNING ${cols}`;
      return row ?? null;
    },

    async page(workspace, session, filter, offset, limit, newestFirst) {
      const where = sql`workspace_name = ${workspace} AND session_name = ${session} AND ${filterSql(sql, "messages", filter)}`;
      const order = newestFirst ? sql`seq_in_session DESC` : sql`seq_in_session ASC`;
      const [result] = await sql<{ total: number; rows: MessageRow[] | null }[]>`
        SELECT
          (SELECT count(*)::int FROM ${t.messages} WHERE ${where}) AS total,
          (SELECT json_agg(p) FROM (
             SELECT ${cols} FROM ${t.messages} WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}
           ) p) AS rows`;
      return { rows: result?.rows ?? [], total: result?.total ?? 0 };
    },
  };
}
