// FastAPI + pydantic validation of the message read-back routes, with
// Honcho's models (MessageUpdate, MessageGet, fastapi-pagination's page
// query). The get-or-create routes' models are in get-or-create.ts.
import type { FilterCondition } from "../filters/index.js";
import { has, isObject, metadataOf, pathName, type Obj } from "./fields.js";
import { issue, MISSING, RawBody, type Validated, type ValidationIssue } from "./issues.js";
import { optionalBody } from "./bodies.js";
import { filterOf, filtersOf, pageQuery, type PageQuery } from "./paging.js";

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

// A body model: MISSING → missing, bytes (a body not sent as JSON) → model_attributes_type, not an object → model_type.
function bodyObject(body: unknown, model: string, issues: ValidationIssue[], optional = false): Obj | undefined {
  if (body === MISSING || (optional && body === null)) {
    if (!optional) issues.push(issue.missing(["body"], null));
    return undefined;
  }
  if (body instanceof RawBody) return void issues.push(issue.modelAttributesType(["body"], body));
  if (!isObject(body)) return void issues.push(issue.modelType(["body"], body, model));
  return body;
}

export interface MessageRef {
  workspaceId: string;
  sessionId: string;
  messageId: string;
}

export function validateMessageRef(path: { workspace_id: string; session_id: string; message_id: string }): Validated<MessageRef> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = pathName(path.session_id, ["path", "session_id"], issues);
  if (typeof path.message_id !== "string") issues.push(issue.stringType(["path", "message_id"], path.message_id));
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId!, messageId: path.message_id }));
}

/** metadata null: leave it as it is (Honcho's update_message: `if metadata is not None`), {} clears it. */
export function validateMessageUpdate(path: { workspace_id: string; session_id: string; message_id: string }, body: unknown): Validated<MessageRef & { metadata: Obj | null }> {
  const ref = validateMessageRef(path);
  const issues = ref.ok ? [] : [...ref.issues];
  const b = bodyObject(body, "MessageUpdate", issues);
  const metadata = b && has(b, "metadata") && b.metadata !== null ? metadataOf(b.metadata, ["body", "metadata"], issues) : null;
  if (!b || !ref.ok) return { ok: false, issues };
  return done(issues, () => ({ ...ref.value, metadata: metadata ?? null }));
}

export interface MessageQuery extends PageQuery {
  workspaceId: string;
  sessionId: string;
  /** Honcho's filter on messages (null: none) */
  filter: FilterCondition | null;
}

// Honcho's M3: path, then fastapi-pagination's page/size, `reverse`, then the
// optional MessageGet body; its filters are Honcho's filter language.
export function validateMessageList(
  path: { workspace_id: string; session_id: string },
  query: { page?: unknown; size?: unknown; reverse?: unknown },
  body: unknown,
): Validated<MessageQuery> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = pathName(path.session_id, ["path", "session_id"], issues);
  const paging = pageQuery(query, issues);
  const filters = filtersOf(optionalBody(body, "MessageGet", issues), issues);
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId!, ...paging, filter: filterOf("messages", filters) }));
}
