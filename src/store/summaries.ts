// A session's summaries as Honcho's deriver stores them
// (src/utils/summarizer.py): sessions.internal_metadata["summaries"], keyed
// "honcho_chat_summary_short" / "honcho_chat_summary_long". A missing or
// inactive session has none (Honcho's get_both_summaries).
import type { Sql } from "postgres";
import type { Tables } from "./schema.js";

export interface StoredSummary {
  content?: unknown;
  message_id?: unknown;
  summary_type?: unknown;
  created_at?: unknown;
  token_count?: unknown;
  message_public_id?: unknown;
}

export interface Summaries {
  both(workspace: string, session: string): Promise<{ short: StoredSummary | null; long: StoredSummary | null }>;
}

export function createSummaries(sql: Sql, t: Tables): Summaries {
  return {
    async both(workspace, session) {
      const [row] = await sql<{ short: StoredSummary | null; long: StoredSummary | null }[]>`
        SELECT internal_metadata -> 'summaries' -> 'honcho_chat_summary_short' AS short,
               internal_metadata -> 'summaries' -> 'honcho_chat_summary_long' AS long
        FROM ${t.sessions} WHERE workspace_name = ${workspace} AND name = ${session} AND is_active`;
      const summary = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as StoredSummary) : null);
      return { short: summary(row?.short), long: summary(row?.long) };
    },
  };
}
