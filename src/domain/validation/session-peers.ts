// FastAPI + pydantic validation of Honcho's session-peers routes
// (src/routers/sessions.py S6-S11). Their path parameters are plain `str`
// (nothing to refuse: a name no session or peer can have is simply not
// found); the bodies are `dict[str, SessionPeerConfig]`, `list[str]` and
// `SessionPeerConfig`, each required and not embedded (the JSON body is the
// value); the list takes fastapi-pagination's page and size.
import type { SessionPeerConfigDump } from "./configuration.js";
import { sessionPeerConfig } from "./configuration.js";
import { isObject } from "./fields.js";
import { peerConfigMap } from "./get-or-create.js";
import { issue, MISSING, RawBody, type Validated, type ValidationIssue } from "./issues.js";
import { pageQuery } from "./paging.js";

export interface SessionRef {
  workspaceId: string;
  sessionId: string;
}

export interface MemberRef extends SessionRef {
  peerId: string;
}

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });
// `str` path parameters: anything a path segment can be
const text = (v: unknown) => (typeof v === "string" ? v : String(v ?? ""));

/** S6 / S7: the session and `dict[str, SessionPeerConfig]`. */
export function validatePeerMap(path: { workspace_id: unknown; session_id: unknown }, body: unknown): Validated<SessionRef & { peers: [string, SessionPeerConfigDump][] }> {
  const issues: ValidationIssue[] = [];
  let peers: [string, SessionPeerConfigDump][] | undefined;
  if (body === MISSING) issues.push(issue.missing(["body"], null));
  // a body that is not JSON reaches pydantic as bytes, which no dict is
  else if (body instanceof RawBody) issues.push(issue.dictType(["body"], body));
  else peers = peerConfigMap(body, ["body"], issues);
  return done(issues, () => ({ workspaceId: text(path.workspace_id), sessionId: text(path.session_id), peers: peers! }));
}

/** S8: the session and `list[str]`. */
export function validatePeerList(path: { workspace_id: unknown; session_id: unknown }, body: unknown): Validated<SessionRef & { peers: string[] }> {
  const issues: ValidationIssue[] = [];
  if (body === MISSING) issues.push(issue.missing(["body"], null));
  else if (!Array.isArray(body)) issues.push(issue.listType(["body"], body));
  else body.forEach((p, i) => typeof p !== "string" && issues.push(issue.stringType(["body", i], p)));
  return done(issues, () => ({ workspaceId: text(path.workspace_id), sessionId: text(path.session_id), peers: body as string[] }));
}

/** S9: a member. */
export function validateMemberRef(path: { workspace_id: unknown; session_id: unknown; peer_id: unknown }): Validated<MemberRef> {
  return { ok: true, value: { workspaceId: text(path.workspace_id), sessionId: text(path.session_id), peerId: text(path.peer_id) } };
}

/** S10: a member and its `SessionPeerConfig`. */
export function validateMemberConfig(path: { workspace_id: unknown; session_id: unknown; peer_id: unknown }, body: unknown): Validated<MemberRef & { config: SessionPeerConfigDump }> {
  const issues: ValidationIssue[] = [];
  let config: SessionPeerConfigDump | undefined;
  if (body === MISSING) issues.push(issue.missing(["body"], null));
  else if (body instanceof RawBody) issues.push(issue.modelAttributesType(["body"], body));
  else if (!isObject(body)) issues.push(issue.modelType(["body"], body, "SessionPeerConfig"));
  else config = sessionPeerConfig(body, ["body"], issues);
  return done(issues, () => ({ workspaceId: text(path.workspace_id), sessionId: text(path.session_id), peerId: text(path.peer_id), config: config! }));
}

/** S11: the session and the page (no `reverse` here). */
export function validateMemberList(path: { workspace_id: unknown; session_id: unknown }, query: { page?: unknown; size?: unknown }): Validated<SessionRef & { page: number; size: number }> {
  const issues: ValidationIssue[] = [];
  const { page, size } = pageQuery({ page: query.page, size: query.size }, issues);
  return done(issues, () => ({ workspaceId: text(path.workspace_id), sessionId: text(path.session_id), page, size }));
}
