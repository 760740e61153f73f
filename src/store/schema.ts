// Where things live: Honcho's tables in Honcho's schema (DB_SCHEMA, default
// public), this service's own state in a schema of its own (SERVICE_DB_SCHEMA,
// default honcho_ingest). SQL names both through these fragments, never
// through search_path, so that the same statements work behind a pooler that
// refuses a search_path startup parameter.
import type { Sql } from "postgres";

export interface SchemaNames {
  honcho: string;
  service: string;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A SQL text with {{honcho}} and {{service}} replaced by the quoted schema names. */
export function renderSql(text: string, names: SchemaNames): string {
  return text.replaceAll("{{honcho}}", quoteIdent(names.honcho)).replaceAll("{{service}}", quoteIdent(names.service));
}

/** Honcho's tables and this service's, as SQL fragments for tagged templates. */
export function tablesOf(sql: Sql, names: SchemaNames) {
  const honcho = (t: string) => sql.unsafe(`${quoteIdent(names.honcho)}.${quoteIdent(t)}`);
  const service = (t: string) => sql.unsafe(`${quoteIdent(names.service)}.${quoteIdent(t)}`);
  return {
    workspaces: honcho("workspaces"),
    peers: honcho("peers"),
    sessions: honcho("sessions"),
    sessionPeers: honcho("session_peers"),
    messages: honcho("messages"),
    queue: honcho("queue"),
    activeQueueSessions: honcho("active_queue_sessions"),
    idempotencyKeys: service("idempotency_keys"),
    claims: service("claims"),
    /** a function of this service's schema, e.g. fn("write_batches") */
    fn: (name: string) => sql.unsafe(`${quoteIdent(names.service)}.${quoteIdent(name)}`),
  };
}

export type Tables = ReturnType<typeof tablesOf>;
