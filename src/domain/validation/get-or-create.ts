// FastAPI + pydantic validation of Honcho's get-or-create routes
// (src/schemas/api.py WorkspaceCreate, PeerCreate, SessionCreate): the path,
// then the body model in field order. The models have populate_by_name=True:
// `id` or `name`, `peers` or `peer_names` (the alias wins when both are sent,
// and an error is reported under the key that was used). What a model
// declares `X | None` comes out as null when absent or null, so that the
// store can tell "leave as it is" from "replace".
import { sessionConfiguration, sessionPeerConfig, workspaceConfiguration, type SessionPeerConfigDump } from "./configuration.js";
import { storable } from "./storable.js";
import { has, isObject, metadataOf, name, type Obj } from "./fields.js";
import { issue, MISSING, RawBody, type Loc, type Validated, type ValidationIssue } from "./issues.js";
import { longerThan } from "./strings.js";

export interface WorkspaceCreateInput {
  id: string;
  metadata: Obj;
  /** WorkspaceConfiguration as Honcho stores it (model_dump(exclude_none=True)) */
  configuration: Obj;
}

export interface PeerCreateInput {
  workspaceId: string;
  id: string;
  /** null: not given (an existing peer keeps its own) */
  metadata: Obj | null;
  configuration: Obj | null;
}

export interface SessionCreateInput {
  workspaceId: string;
  id: string;
  metadata: Obj | null;
  /** SessionConfiguration as Honcho stores it; null: not given */
  configuration: Obj | null;
  /** peer name → membership configuration (model_dump(), nulls included), in the body's order; null: not given */
  peers: [string, SessionPeerConfigDump][] | null;
  /** scope names; null: not given */
  scopes: string[] | null;
}

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

// A required body model: MISSING → missing, bytes (a body not sent as JSON) → model_attributes_type, not an object → model_type.
function bodyModel(body: unknown, model: string, issues: ValidationIssue[]): Obj | undefined {
  if (body === MISSING) return void issues.push(issue.missing(["body"], null));
  if (body instanceof RawBody) return void issues.push(issue.modelAttributesType(["body"], body));
  if (!isObject(body)) return void issues.push(issue.modelType(["body"], body, model));
  return body;
}

/** A field with an alias under populate_by_name: the alias when present, else the field name; undefined when neither. */
function aliased(b: Obj, alias: string, field: string): { key: string; value: unknown } | undefined {
  if (has(b, alias)) return { key: alias, value: b[alias] };
  if (has(b, field)) return { key: field, value: b[field] };
  return undefined;
}

// name: constr(min_length=1, max_length=512, pattern) under the alias "id"
function resourceName(b: Obj, issues: ValidationIssue[]): string | undefined {
  const f = aliased(b, "id", "name");
  if (!f) return void issues.push(issue.missing(["body", "id"], b));
  return name(f.value, ["body", f.key], issues);
}

// _SanitizedMetadata | None: null → not given
const optionalMetadata = (b: Obj, issues: ValidationIssue[]): Obj | null | undefined =>
  has(b, "metadata") && b.metadata !== null ? metadataOf(b.metadata, ["body", "metadata"], issues) : null;

export function validateWorkspaceCreate(body: unknown, maxCustomInstructionsTokens: number): Validated<WorkspaceCreateInput> {
  const issues: ValidationIssue[] = [];
  const b = bodyModel(body, "WorkspaceCreate", issues);
  if (!b) return { ok: false, issues };
  const id = resourceName(b, issues);
  // `metadata: _SanitizedMetadata = {}`: not Optional, null refused
  const metadata = !has(b, "metadata") ? {} : b.metadata === null ? void issues.push(issue.dictType(["body", "metadata"], null)) : metadataOf(b.metadata, ["body", "metadata"], issues);
  // `configuration: WorkspaceConfiguration = Field(default_factory=...)`: not Optional either
  const configuration = has(b, "configuration") ? workspaceConfiguration(b.configuration, ["body", "configuration"], issues, maxCustomInstructionsTokens) : {};
  if (configuration) storable(configuration, ["body", "configuration"], issues);
  return done(issues, () => ({ id: id!, metadata: metadata!, configuration: configuration! }));
}

export function validatePeerCreate(path: { workspace_id: unknown }, body: unknown): Validated<PeerCreateInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const b = bodyModel(body, "PeerCreate", issues);
  if (!b) return { ok: false, issues };
  const id = resourceName(b, issues);
  const metadata = optionalMetadata(b, issues);
  // `configuration: dict[str, Any] | None`: stored as sent
  let configuration: Obj | null = null;
  if (has(b, "configuration") && b.configuration !== null) {
    if (!isObject(b.configuration)) issues.push(issue.dictType(["body", "configuration"], b.configuration));
    else if (storable(b.configuration, ["body", "configuration"], issues)) configuration = b.configuration;
  }
  return done(issues, () => ({ workspaceId: workspaceId!, id: id!, metadata: metadata!, configuration }));
}

const SCOPE_PREFIX = "scope.";
const SCOPE_NAME_MAX = 512 - SCOPE_PREFIX.length;
const NAME_RE = /^[a-zA-Z0-9_-]+$/;

// _validate_scope_name, raised by the field validator on the first offender
function scopeNameProblem(s: string): string | undefined {
  if (s.length === 0 || longerThan(s, SCOPE_NAME_MAX)) return `Scope name must be between 1 and ${SCOPE_NAME_MAX} characters`;
  if (s.startsWith(SCOPE_PREFIX)) return `Scope name must not start with the reserved prefix '${SCOPE_PREFIX}' (scope names are unprefixed)`;
  if (!NAME_RE.test(s)) return "Scope name must match pattern ^[a-zA-Z0-9_-]+$";
  return undefined;
}

// `scopes: list[str] | None = Field(None, max_length=100)` plus its validator
function scopesOf(v: unknown, issues: ValidationIssue[]): string[] | null | undefined {
  if (v === null || v === undefined) return null;
  const loc: Loc = ["body", "scopes"];
  if (!Array.isArray(v)) return void issues.push(issue.listType(loc, v));
  if (v.length > 100) return void issues.push(issue.listLength(loc, v, "max", 100));
  const before = issues.length;
  v.forEach((s, i) => typeof s !== "string" && issues.push(issue.stringType([...loc, i], s)));
  if (issues.length > before) return undefined;
  for (const s of v as string[]) {
    const problem = scopeNameProblem(s);
    if (problem) return void issues.push(issue.valueError(loc, v, problem));
  }
  return v as string[];
}

/** `dict[str, SessionPeerConfig]` at `loc`: each entry's configuration as Honcho stores it. */
export function peerConfigMap(v: unknown, loc: Loc, issues: ValidationIssue[]): [string, SessionPeerConfigDump][] | undefined {
  if (!isObject(v)) return void issues.push(issue.dictType(loc, v));
  const before = issues.length;
  const out: [string, SessionPeerConfigDump][] = [];
  for (const [peer, config] of Object.entries(v)) {
    const c = sessionPeerConfig(config, [...loc, peer], issues);
    if (c) out.push([peer, c]);
  }
  return issues.length > before ? undefined : out;
}

export function validateSessionCreate(path: { workspace_id: unknown }, body: unknown, maxCustomInstructionsTokens: number): Validated<SessionCreateInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const b = bodyModel(body, "SessionCreate", issues);
  if (!b) return { ok: false, issues };
  const id = resourceName(b, issues);
  const metadata = optionalMetadata(b, issues);
  const peersField = aliased(b, "peers", "peer_names");
  const peers = peersField && peersField.value !== null ? peerConfigMap(peersField.value, ["body", peersField.key], issues) : null;
  let configuration: Obj | null | undefined = null;
  if (has(b, "configuration") && b.configuration !== null) {
    configuration = sessionConfiguration(b.configuration, ["body", "configuration"], issues, maxCustomInstructionsTokens);
    if (configuration) storable(configuration, ["body", "configuration"], issues);
  }
  const scopes = scopesOf(b.scopes, issues);
  return done(issues, () => ({ workspaceId: workspaceId!, id: id!, metadata: metadata!, configuration: configuration!, peers: peers!, scopes: scopes! }));
}
