// The /list routes of workspaces, peers and sessions (Honcho's W2, P1, P4,
// S1): path names, fastapi-pagination's page query and `reverse`, then the
// optional body (WorkspaceGet, PeerGet, SessionGet) whose `filters` are
// Honcho's filter language, parsed for the resource listed.
import type { FilterCondition } from "../filters/index.js";
import { optionalBody } from "./bodies.js";
import { has, pathName, type Obj } from "./fields.js";
import { type Validated, type ValidationIssue } from "./issues.js";
import { filterOf, filtersOf, pageQuery, type PageQuery } from "./paging.js";

export interface ListQuery extends PageQuery {
  /** Honcho's filter (null: none) */
  filter: FilterCondition | null;
}

type Query = { page?: unknown; size?: unknown; reverse?: unknown };

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

/** POST /v3/workspaces/list (WorkspaceGet). */
export function validateWorkspaceList(query: Query, body: unknown): Validated<ListQuery> {
  const issues: ValidationIssue[] = [];
  const paging = pageQuery(query, issues);
  const filters = filtersOf(optionalBody(body, "WorkspaceGet", issues), issues);
  return done(issues, () => ({ ...paging, filter: filterOf("workspaces", filters) }));
}

/** Which peers a peer list shows (PeerGet.kind): regular ones (null), scope peers only, or all. */
export type PeerKind = "scope" | "all" | null;

/** POST /v3/workspaces/{workspace_id}/peers/list (PeerGet: filters, kind). */
export function validatePeerList(path: { workspace_id: unknown }, query: Query, body: unknown): Validated<ListQuery & { workspaceId: string; kind: PeerKind }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const paging = pageQuery(query, issues);
  const b = optionalBody(body, "PeerGet", issues);
  const filters = filtersOf(b, issues);
  const kind = kindOf(b, issues);
  return done(issues, () => ({ workspaceId: workspaceId!, ...paging, kind: kind ?? null, filter: filterOf("peers", filters) }));
}

// kind: Literal["scope", "all"] | None
function kindOf(b: Obj | undefined, issues: ValidationIssue[]): PeerKind | undefined {
  if (!b || !has(b, "kind") || b.kind === null) return null;
  if (b.kind === "scope" || b.kind === "all") return b.kind;
  issues.push({ type: "literal_error", loc: ["body", "kind"], msg: "Input should be 'scope' or 'all'", input: b.kind, ctx: { expected: "'scope' or 'all'" } });
  return undefined;
}

/** POST /v3/workspaces/{workspace_id}/sessions/list (SessionGet). */
export function validateSessionList(path: { workspace_id: unknown }, query: Query, body: unknown): Validated<ListQuery & { workspaceId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const paging = pageQuery(query, issues);
  const filters = filtersOf(optionalBody(body, "SessionGet", issues), issues);
  return done(issues, () => ({ workspaceId: workspaceId!, ...paging, filter: filterOf("sessions", filters) }));
}

/** POST /v3/workspaces/{workspace_id}/peers/{peer_id}/sessions (SessionGet). */
export function validatePeerSessionList(
  path: { workspace_id: unknown; peer_id: unknown },
  query: Query,
  body: unknown,
): Validated<ListQuery & { workspaceId: string; peerId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const peerId = pathName(path.peer_id, ["path", "peer_id"], issues);
  const paging = pageQuery(query, issues);
  const filters = filtersOf(optionalBody(body, "SessionGet", issues), issues);
  return done(issues, () => ({ workspaceId: workspaceId!, peerId: peerId!, ...paging, filter: filterOf("sessions", filters) }));
}
