// FastAPI + pydantic validation of the read-back and get-or-create routes,
// with Honcho's models (WorkspaceCreate, PeerCreate, SessionCreate,
// MessageUpdate, MessageGet, fastapi-pagination's page query).
import { parseDatetime } from "./datetime.js";
import { has, isObject, metadataOf, name, type Obj } from "./fields.js";
import { issue, MISSING, RawBody, type Loc, type Validated, type ValidationIssue } from "./issues.js";

export interface ResourceInput {
  workspaceId: string;
  id: string;
  metadata: Obj;
  configuration: Obj;
  /** sessions only: peer name → its session configuration */
  peers: Record<string, Obj>;
}

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

function requiredName(body: Obj, loc: Loc, issues: ValidationIssue[]): string | undefined {
  if (!has(body, "id")) return void issues.push(issue.missing(loc, body));
  return name(body.id, loc, issues);
}

// `dict | None = None` fields (configuration): null → {}, non-dicts refused.
function optionalDict(body: Obj, key: string, issues: ValidationIssue[], model?: string): Obj {
  const v = body[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    issues.push(model ? issue.modelType(["body", key], v, model) : issue.dictType(["body", key], v));
    return {};
  }
  return v;
}

export function validateWorkspaceCreate(body: unknown): Validated<ResourceInput> {
  const issues: ValidationIssue[] = [];
  const b = bodyObject(body, "WorkspaceCreate", issues);
  if (!b) return { ok: false, issues };
  const id = requiredName(b, ["body", "id"], issues);
  // `metadata: dict = {}` and `configuration: WorkspaceConfiguration = ...` are not Optional
  const metadata = has(b, "metadata") ? (b.metadata === null ? void issues.push(issue.dictType(["body", "metadata"], null)) : metadataOf(b.metadata, ["body", "metadata"], issues)) : {};
  const configuration = has(b, "configuration") && (b.configuration === null || !isObject(b.configuration))
    ? (issues.push(issue.modelType(["body", "configuration"], b.configuration, "WorkspaceConfiguration")), {})
    : ((b.configuration as Obj | undefined) ?? {});
  return done(issues, () => ({ workspaceId: id!, id: id!, metadata: metadata ?? {}, configuration, peers: {} }));
}

export function validatePeerCreate(path: { workspace_id: string }, body: unknown): Validated<ResourceInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const b = bodyObject(body, "PeerCreate", issues);
  if (!b) return { ok: false, issues };
  const id = requiredName(b, ["body", "id"], issues);
  const metadata = has(b, "metadata") ? metadataOf(b.metadata, ["body", "metadata"], issues) : {};
  const configuration = optionalDict(b, "configuration", issues);
  return done(issues, () => ({ workspaceId: workspaceId!, id: id!, metadata: metadata ?? {}, configuration, peers: {} }));
}

export function validateSessionCreate(path: { workspace_id: string }, body: unknown): Validated<ResourceInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const b = bodyObject(body, "SessionCreate", issues);
  if (!b) return { ok: false, issues };
  const id = requiredName(b, ["body", "id"], issues);
  const metadata = has(b, "metadata") ? metadataOf(b.metadata, ["body", "metadata"], issues) : {};
  const peers: Record<string, Obj> = {};
  if (has(b, "peers") && b.peers !== null) {
    if (!isObject(b.peers)) issues.push(issue.dictType(["body", "peers"], b.peers));
    else
      for (const [peer, config] of Object.entries(b.peers)) {
        if (config !== null && !isObject(config)) issues.push(issue.modelType(["body", "peers", peer], config, "SessionPeerConfig"));
        else peers[peer] = config ?? {};
      }
  }
  const configuration = optionalDict(b, "configuration", issues, "SessionConfiguration");
  // peer names in `peers` become peers: they must be valid names too
  for (const peer of Object.keys(peers)) name(peer, ["body", "peers", peer, "[key]"], issues);
  return done(issues, () => ({ workspaceId: workspaceId!, id: id!, metadata: metadata ?? {}, configuration, peers }));
}

export interface MessageRef {
  workspaceId: string;
  sessionId: string;
  messageId: string;
}

export function validateMessageRef(path: { workspace_id: string; session_id: string; message_id: string }): Validated<MessageRef> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = name(path.session_id, ["path", "session_id"], issues);
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

export interface MessageQuery {
  workspaceId: string;
  sessionId: string;
  page: number;
  size: number;
  reverse: boolean;
  filters: {
    peerId?: string;
    metadata?: Obj;
    createdAt?: { gt?: string; gte?: string; lt?: string; lte?: string };
  };
}

// fastapi-pagination: page ≥ 1 (default 1), 1 ≤ size ≤ 100 (default 50);
// Honcho: reverse (default false). Query values arrive as strings on REST
// and as numbers on gRPC; pydantic echoes what it was given.
function queryInt(v: unknown, key: string, fallback: number, ge: number, le: number | undefined, issues: ValidationIssue[]): number {
  if (v === undefined || v === null) return fallback;
  const loc: Loc = ["query", key];
  const n = typeof v === "number" ? v : /^\s*[+-]?\d+\s*$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n)) {
    issues.push({ type: "int_parsing", loc, msg: "Input should be a valid integer, unable to parse string as an integer", input: v });
    return fallback;
  }
  if (n < ge) issues.push({ type: "greater_than_equal", loc, msg: `Input should be greater than or equal to ${ge}`, input: v, ctx: { ge } });
  else if (le !== undefined && n > le) issues.push({ type: "less_than_equal", loc, msg: `Input should be less than or equal to ${le}`, input: v, ctx: { le } });
  return n;
}

const TRUE = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE = new Set(["0", "f", "false", "n", "no", "off"]);

export function validateMessageList(
  path: { workspace_id: string; session_id: string },
  query: { page?: unknown; size?: unknown; reverse?: unknown },
  body: unknown,
): Validated<MessageQuery> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = name(path.session_id, ["path", "session_id"], issues);
  const page = queryInt(query.page, "page", 1, 1, undefined, issues);
  const size = queryInt(query.size, "size", 50, 1, 100, issues);
  let reverse = false;
  if (typeof query.reverse === "boolean") reverse = query.reverse;
  else if (typeof query.reverse === "string") {
    const s = query.reverse.toLowerCase();
    if (TRUE.has(s)) reverse = true;
    else if (!FALSE.has(s)) issues.push(issue.boolParsing(["query", "reverse"], query.reverse));
  }
  const b = bodyObject(body, "MessageGet", issues, true);
  let filters: MessageQuery["filters"] = {};
  if (b && has(b, "filters") && b.filters !== null) {
    if (!isObject(b.filters)) issues.push(issue.dictType(["body", "filters"], b.filters));
    else filters = messageFilters(b.filters, issues);
  }
  return done(issues, () => ({ workspaceId: workspaceId!, sessionId: sessionId!, page, size, reverse, filters }));
}

const RANGE_OPS = new Set(["gt", "gte", "lt", "lte"]);

// The filters this service supports; anything else is refused rather than ignored.
function messageFilters(f: Obj, issues: ValidationIssue[]): MessageQuery["filters"] {
  const out: MessageQuery["filters"] = {};
  const refuse = (key: string, why: string) => issues.push(issue.valueError(["body", "filters", key], f[key], why));
  for (const [key, v] of Object.entries(f)) {
    if (key === "peer_id") {
      if (typeof v === "string") out.peerId = v;
      else refuse(key, "peer_id filter must be a string (equality)");
    } else if (key === "metadata") {
      if (isObject(v)) out.metadata = v;
      else refuse(key, "metadata filter must be an object (key equality)");
    } else if (key === "created_at") {
      if (!isObject(v) || Object.keys(v).length === 0 || Object.keys(v).some((op) => !RANGE_OPS.has(op))) {
        refuse(key, "created_at filter must be an object of gt, gte, lt, lte");
        continue;
      }
      const range: Record<string, string> = {};
      for (const [op, at] of Object.entries(v)) {
        const parsed = parseDatetime(at, ["body", "filters", key, op]);
        if (parsed.ok) range[op] = new Date(Number(parsed.micros / 1000n)).toISOString();
        else issues.push(parsed.issue);
      }
      out.createdAt = range;
    } else refuse(key, `Unsupported filter: ${key} (supported: peer_id, metadata, created_at)`);
  }
  return out;
}
