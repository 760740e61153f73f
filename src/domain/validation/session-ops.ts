// Requests that name a workspace or a session and at most a few query
// strings: delete workspace / session, clone (message_id), summaries, and the
// queue status (observer_id, sender_id, session_id).
import { pathName } from "./fields.js";
import { issue, type Validated, type ValidationIssue } from "./issues.js";

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

// `x: str | None = Query(None)`
function queryString(query: Record<string, unknown>, key: string, issues: ValidationIssue[]): string | null {
  const v = query[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") {
    issues.push(issue.stringType(["query", key], v));
    return null;
  }
  return v;
}

export function validateWorkspaceRef(path: { workspace_id: unknown }): Validated<{ workspaceId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  return done(issues, () => ({ workspaceId: workspaceId! }));
}

export function validateSessionRef(path: { workspace_id: unknown; session_id: unknown }): Validated<{ workspaceId: string; sessionId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = pathName(path.session_id, ["path", "session_id"], issues);
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId! }));
}

/** POST .../sessions/{session_id}/clone?message_id= (the last message copied; null: all). */
export function validateClone(
  path: { workspace_id: unknown; session_id: unknown },
  query: Record<string, unknown>,
): Validated<{ workspaceId: string; sessionId: string; messageId: string | null }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = pathName(path.session_id, ["path", "session_id"], issues);
  const messageId = queryString(query, "message_id", issues);
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId!, messageId }));
}

export interface QueueStatusQuery {
  workspaceId: string;
  /** null when absent or empty (Honcho normalises "" to None) */
  observer: string | null;
  sender: string | null;
  session: string | null;
}

/** GET /v3/workspaces/{workspace_id}/queue/status?observer_id=&sender_id=&session_id= */
export function validateQueueStatus(path: { workspace_id: unknown }, query: Record<string, unknown>): Validated<QueueStatusQuery> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const observer = queryString(query, "observer_id", issues) || null;
  const sender = queryString(query, "sender_id", issues) || null;
  const session = queryString(query, "session_id", issues) || null;
  return done(issues, () => ({ workspaceId: workspaceId!, observer, sender, session }));
}
