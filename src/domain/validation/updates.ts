// The PUT bodies of workspaces, peers and sessions (Honcho's WorkspaceUpdate,
// PeerUpdate, SessionUpdate): `metadata` and `configuration`, each
// `X | None = None`, where None means "leave it as it is". Workspace and
// session configuration are Honcho's configuration models, dumped as Honcho
// stores them (exclude_none, extra keys kept); a peer's is a free dict,
// stored as given.
import { requiredBody } from "./bodies.js";
import { workspaceConfiguration, sessionConfiguration } from "./configuration.js";
import { storable } from "./storable.js";
import { has, isObject, metadataOf, name, type Obj } from "./fields.js";
import { issue, type Loc, type Validated, type ValidationIssue } from "./issues.js";

export interface Update {
  /** null: keep the stored metadata */
  metadata: Obj | null;
  /** null: keep the stored configuration */
  configuration: Obj | null;
}

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

// _SanitizedMetadata | None: limits, NUL stripped; what PostgreSQL cannot
// hold otherwise is a 422 here (metadataOf), where Honcho fails in the
// database.
function metadata(b: Obj, issues: ValidationIssue[]): Obj | null {
  if (!has(b, "metadata") || b.metadata === null) return null;
  return metadataOf(b.metadata, ["body", "metadata"], issues) ?? null;
}

type Configuration = (v: unknown, loc: Loc, issues: ValidationIssue[]) => Obj | undefined;

function update(body: unknown, model: string, configuration: Configuration, issues: ValidationIssue[]): Update | undefined {
  const b = requiredBody(body, model, issues);
  if (!b) return undefined;
  const m = metadata(b, issues);
  const loc: Loc = ["body", "configuration"];
  let c = has(b, "configuration") && b.configuration !== null ? (configuration(b.configuration, loc, issues) ?? null) : null;
  // what PostgreSQL cannot hold is a 422 here (Honcho fails in the database)
  if (c !== null && !storable(c, loc, issues)) c = null;
  return { metadata: m, configuration: c };
}

// dict[str, Any] | None, stored verbatim
const peerConfiguration: Configuration = (v, loc, issues) => (isObject(v) ? v : void issues.push(issue.dictType(loc, v)));

/** PUT /v3/workspaces/{workspace_id} */
export function validateWorkspaceUpdate(path: { workspace_id: unknown }, body: unknown, maxCustomInstructionsTokens: number): Validated<Update & { workspaceId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const u = update(body, "WorkspaceUpdate", (v, loc, i) => workspaceConfiguration(v, loc, i, maxCustomInstructionsTokens), issues);
  return done(issues, () => ({ workspaceId: workspaceId!, ...u! }));
}

/** PUT /v3/workspaces/{workspace_id}/peers/{peer_id} */
export function validatePeerUpdate(path: { workspace_id: unknown; peer_id: unknown }, body: unknown): Validated<Update & { workspaceId: string; peerId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const peerId = name(path.peer_id, ["path", "peer_id"], issues);
  const u = update(body, "PeerUpdate", peerConfiguration, issues);
  return done(issues, () => ({ workspaceId: workspaceId!, peerId: peerId!, ...u! }));
}

/** PUT /v3/workspaces/{workspace_id}/sessions/{session_id} */
export function validateSessionUpdate(
  path: { workspace_id: unknown; session_id: unknown },
  body: unknown,
  maxCustomInstructionsTokens: number,
): Validated<Update & { workspaceId: string; sessionId: string }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = name(path.session_id, ["path", "session_id"], issues);
  const u = update(body, "SessionUpdate", (v, loc, i) => sessionConfiguration(v, loc, i, maxCustomInstructionsTokens), issues);
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId!, ...u! }));
}
