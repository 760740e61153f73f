// PUT on a workspace, peer or session: Honcho's get-or-create-then-update
// (src/crud/workspace.py update_workspace, src/crud/peer.py update_peer,
// src/crud/session.py update_session), each as one upsert: a missing row is
// created (with its workspace) holding what the update gives; an existing
// one gets the given metadata in place of its own, and the given
// configuration merged into its own (workspaces and sessions: top-level keys
// replaced, `stored || given`) or in its place (peers). Honcho creates, commits,
// then updates; here one statement does both, so no caller ever sees the row
// created but not yet updated, and a concurrent creation is no conflict.
//
// As in Honcho, a value equal to the stored one (jsonb's equality, as
// Python's `!=` sees dicts: {"a": 1} is {"a": 1.0}) leaves the stored one as
// it was, and each statement tells what it found (Prior): Honcho answers with
// the value it was given where that changed the row, with the row's own
// where not. RETURNING's sub-selects read the table as the statement found
// it (a statement does not see its own changes).
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

/** What a write found: the call created the row, or the row held the given value already (false where none was given). */
export interface Prior {
  created: boolean;
  sameMetadata: boolean;
  sameConfiguration: boolean;
  /** the configuration before a merge into it; null where the call created the row, or replaced configuration */
  configuration: Record<string, unknown> | null;
}

/** The call gave a metadata, or a configuration, that the row did not hold: it changed the row (unless it created it). */
export const changedMetadata = <G extends Change>(prior: Prior, given: G): given is G & { metadata: object } => given.metadata !== null && !prior.sameMetadata;
export const changedConfiguration = <G extends Change>(prior: Prior, given: G): given is G & { configuration: object } =>
  given.configuration !== null && !prior.sameConfiguration;

export interface Updated {
  row: ListedRow;
  prior: Prior;
}

export interface ResourceUpdates {
  workspace(name: string, newId: string, change: Change): Promise<Updated>;
  peer(workspace: string, name: string, newIds: { workspace: string; peer: string }, change: Change): Promise<Updated>;
  /** null when the session exists and is inactive (Honcho: 404) */
  session(workspace: string, name: string, newIds: { workspace: string; session: string }, change: Change): Promise<Updated | null>;
}

type PriorColumns = { created: boolean; same_metadata: boolean | null; same_configuration: boolean | null; prior_configuration?: Record<string, unknown> | null };

/** A returned row and what the write found, from the columns sameAsGiven() returns. */
export function splitPrior<R extends PriorColumns>(r: R): { row: Omit<R, keyof PriorColumns>; prior: Prior } {
  const { created, same_metadata, same_configuration, prior_configuration, ...row } = r;
  return { row, prior: { created, sameMetadata: same_metadata === true, sameConfiguration: same_configuration === true, configuration: prior_configuration ?? null } };
}

// jsonb parameters go as text (postgres.js would re-serialise a value it
// is told is jsonb); null stays SQL NULL
const json = (v: object | null) => (v === null ? null : pythonJson(v));
const MICROS = micros("created_at");

// jsonb parameters (text) in SET: the given value where it differs from the
// stored one (given null: the stored one stays)
export const replaced = (sql: Sql, column: string, given: string | null) =>
  sql`CASE WHEN ${sql.unsafe(column)} = ${given}::text::jsonb THEN ${sql.unsafe(column)} ELSE coalesce(${given}::text::jsonb, ${sql.unsafe(column)}) END`;
// the given keys merged into the stored object, where that changes it
export const merged = (sql: Sql, column: string, given: string | null) =>
  sql`CASE WHEN ${sql.unsafe(column)} = ${sql.unsafe(column)} || coalesce(${given}::text::jsonb, '{}'::jsonb) THEN ${sql.unsafe(column)} ELSE ${sql.unsafe(column)} || ${given}::text::jsonb END`;

/** The row a write targets (a workspace by name, a peer or session by workspace and name), for sameAsGiven. */
export const targetRow = (sql: Sql, table: Tables["peers"], name: string, workspace?: string) =>
  workspace === undefined ? sql`FROM ${table} o WHERE o.name = ${name}` : sql`FROM ${table} o WHERE o.workspace_name = ${workspace} AND o.name = ${name}`;

/**
 * RETURNING columns of a write to the row `found` (targetRow): whether it
 * held the given metadata and configuration before the statement; with
 * `mergedInto` (the target's configuration, after the merge), whether the
 * merge left it as it was, and what it was.
 */
export function sameAsGiven(sql: Sql, found: ReturnType<typeof targetRow>, m: string | null, c: string | null, mergedInto?: string) {
  if (mergedInto === undefined) {
    return sql`(SELECT o.metadata = ${m}::text::jsonb ${found}) AS same_metadata, (SELECT o.configuration = ${c}::text::jsonb ${found}) AS same_configuration`;
  }
  return sql`(SELECT o.metadata = ${m}::text::jsonb ${found}) AS same_metadata,
    (SELECT o.configuration = ${sql.unsafe(mergedInto)} ${found}) AND ${c !== null} AS same_configuration,
    (SELECT o.configuration ${found}) AS prior_configuration`;
}

export function createResourceUpdates(sql: Sql, t: Tables): ResourceUpdates {
  return {
    async workspace(name, newId, { metadata, configuration }) {
      const m = json(metadata);
      const c = json(configuration);
      const [row] = await sql<(ListedRow & PriorColumns)[]>`
        INSERT INTO ${t.workspaces} AS w (id, name, metadata, configuration)
        VALUES (${newId}, ${name}, coalesce(${m}::text::jsonb, '{}'::jsonb), coalesce(${c}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name) DO UPDATE SET
          metadata = ${replaced(sql, "w.metadata", m)},
          configuration = ${merged(sql, "w.configuration", c)}
        RETURNING name, metadata, configuration, ${sql.unsafe(MICROS)} AS micros, xmax = 0 AS created,
          ${sameAsGiven(sql, targetRow(sql, t.workspaces, name), m, c, "w.configuration")}`;
      return splitPrior(row!);
    },

    async peer(workspace, name, ids, { metadata, configuration }) {
      const m = json(metadata);
      const c = json(configuration);
      const [row] = await sql<(ListedRow & PriorColumns)[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        )
        INSERT INTO ${t.peers} AS p (id, name, workspace_name, metadata, configuration)
        VALUES (${ids.peer}, ${name}, ${workspace}, coalesce(${m}::text::jsonb, '{}'::jsonb), coalesce(${c}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name, workspace_name) DO UPDATE SET
          metadata = ${replaced(sql, "p.metadata", m)},
          configuration = ${replaced(sql, "p.configuration", c)}
        RETURNING name, workspace_name, metadata, configuration, ${sql.unsafe(MICROS)} AS micros, xmax = 0 AS created,
          ${sameAsGiven(sql, targetRow(sql, t.peers, name, workspace), m, c)}`;
      return splitPrior(row!);
    },

    async session(workspace, name, ids, { metadata, configuration }) {
      // an inactive session is left alone: ON CONFLICT .. WHERE updates no
      // row, so none comes back
      const m = json(metadata);
      const c = json(configuration);
      const [row] = await sql<(ListedRow & PriorColumns)[]>`
        WITH ws AS (
          INSERT INTO ${t.workspaces} (id, name) VALUES (${ids.workspace}, ${workspace}) ON CONFLICT (name) DO NOTHING
        )
        INSERT INTO ${t.sessions} AS s (id, name, workspace_name, metadata, configuration)
        VALUES (${ids.session}, ${name}, ${workspace}, coalesce(${m}::text::jsonb, '{}'::jsonb), coalesce(${c}::text::jsonb, '{}'::jsonb))
        ON CONFLICT (name, workspace_name) DO UPDATE SET
          metadata = ${replaced(sql, "s.metadata", m)},
          configuration = ${merged(sql, "s.configuration", c)}
        WHERE s.is_active
        RETURNING name, workspace_name, is_active, metadata, configuration, ${sql.unsafe(MICROS)} AS micros, xmax = 0 AS created,
          ${sameAsGiven(sql, targetRow(sql, t.sessions, name, workspace), m, c, "s.configuration")}`;
      return row ? splitPrior(row) : null;
    },
  };
}
