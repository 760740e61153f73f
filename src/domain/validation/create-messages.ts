// Validation of Create Messages exactly as FastAPI + pydantic v2 do it for
// Honcho's models (path parameters, then MessageBatchCreate → MessageCreate →
// MessageConfiguration → ReasoningConfiguration), all errors at once, in
// pydantic's order. Runs on parsed JSON (REST) and on the JSON view of a
// protobuf request (gRPC, Connect), so every protocol gets the same details.
import { customInstructions } from "./configuration.js";
import { microsToDate, parseDatetime, pydanticDatetimeText } from "./datetime.js";
import { issue, MISSING, RawBody, type Loc, type Validated, type ValidationIssue } from "./issues.js";
import { has, isObject, metadataOf, name } from "./fields.js";
import { storable } from "./storable.js";
import { hasLoneSurrogate, longerThan, stripNul } from "./strings.js";

export interface ReasoningSetting {
  enabled?: boolean;
  customInstructions?: string;
}

export interface NewMessage {
  /** NUL bytes stripped */
  content: string;
  peerId: string;
  /** {} when absent or null; NUL bytes stripped from keys and strings */
  metadata: Record<string, unknown>;
  /** null when absent or null */
  configuration: { reasoning?: ReasoningSetting | null } | null;
  /** the instant (a naive datetime's wall clock read as UTC: see createdAtNaive); null when absent or null (the database's now) */
  createdAt: Date | null;
  /** the same instant in microseconds since the epoch, as pydantic keeps it */
  createdAtMicros: bigint | null;
  /**
   * pydantic's JSON text of the created_at a request gave, in the offset it
   * was written with (2024-05-01T12:00:00+02:00, ...Z) or naive
   * (2024-05-01T12:00:00): Honcho answers a new message with the datetime it
   * parsed, and puts it in the message's queue payload, whatever zone its
   * database answers in (src/json/answer-zone.ts).
   */
  createdAtText: string | null;
  /**
   * created_at was naive: PostgreSQL reads its wall clock in the session's
   * TimeZone, as it reads the naive datetime psycopg hands it for Honcho
   * (the same instant as UTC's wherever the database runs in UTC)
   */
  createdAtNaive: boolean;
}

export interface ValidBatch {
  workspaceId: string;
  sessionId: string;
  messages: NewMessage[];
}

const MAX_CONTENT = 25_000;
const MAX_BATCH = 100;

/** maxInstructionTokens: DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS, the budget of a message's reasoning.custom_instructions */
export function validateCreateMessages(path: { workspace_id: string; session_id: string }, body: unknown, maxInstructionTokens: number): Validated<ValidBatch> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = name(path.session_id, ["path", "session_id"], issues);
  const messages = batch(body, issues, maxInstructionTokens);
  if (issues.length > 0 || workspaceId === undefined || sessionId === undefined || messages === undefined) return { ok: false, issues };
  return { ok: true, value: { workspaceId, sessionId, messages } };
}

function batch(body: unknown, issues: ValidationIssue[], maxInstructionTokens: number): NewMessage[] | undefined {
  if (body === MISSING) return void issues.push(issue.missing(["body"], null));
  if (body instanceof RawBody) return void issues.push(issue.modelAttributesType(["body"], body));
  if (!isObject(body)) return void issues.push(issue.modelType(["body"], body, "MessageBatchCreate"));
  if (!has(body, "messages")) return void issues.push(issue.missing(["body", "messages"], body));
  const list = body.messages;
  const loc: Loc = ["body", "messages"];
  if (!Array.isArray(list)) return void issues.push(issue.listType(loc, list));
  // pydantic refuses an over-long list before looking at its items
  if (list.length > MAX_BATCH) return void issues.push(issue.listLength(loc, list, "max", MAX_BATCH));
  const before = issues.length;
  const out = list.map((item, i) => message(item, [...loc, i], issues, maxInstructionTokens));
  if (list.length < 1) issues.push(issue.listLength(loc, list, "min", 1));
  return issues.length === before ? (out as NewMessage[]) : undefined;
}

function message(item: unknown, loc: Loc, issues: ValidationIssue[], maxInstructionTokens: number): NewMessage | undefined {
  if (!isObject(item)) return void issues.push(issue.modelType(loc, item, "MessageCreate"));
  const before = issues.length;

  let content: string | undefined;
  if (!has(item, "content")) issues.push(issue.missing([...loc, "content"], item));
  else if (typeof item.content !== "string") issues.push(issue.stringType([...loc, "content"], item.content));
  else if (hasLoneSurrogate(item.content)) issues.push(issue.stringUnicode([...loc, "content"], item.content));
  else if (longerThan(item.content, MAX_CONTENT)) issues.push(issue.tooLongString([...loc, "content"], item.content, MAX_CONTENT));
  else content = stripNul(item.content);

  let peerId: string | undefined;
  if (!has(item, "peer_id")) issues.push(issue.missing([...loc, "peer_id"], item));
  else peerId = name(item.peer_id, [...loc, "peer_id"], issues);

  const metadata = has(item, "metadata") ? metadataOf(item.metadata, [...loc, "metadata"], issues) : {};
  const configuration = has(item, "configuration") ? configurationOf(item.configuration, [...loc, "configuration"], issues, maxInstructionTokens) : null;

  let createdAtMicros: bigint | null = null;
  let createdAtText: string | null = null;
  let createdAtNaive = false;
  if (has(item, "created_at") && item.created_at !== null) {
    const parsed = parseDatetime(item.created_at, [...loc, "created_at"]);
    if (!parsed.ok) issues.push(parsed.issue);
    else {
      createdAtMicros = parsed.micros;
      createdAtText = pydanticDatetimeText(parsed.micros, parsed.offset === null ? null : BigInt(parsed.offset) * 1_000_000n);
      createdAtNaive = parsed.offset === null;
    }
  }

  if (issues.length > before) return undefined;
  const createdAt = createdAtMicros === null ? null : microsToDate(createdAtMicros);
  return { content: content!, peerId: peerId!, metadata: metadata!, configuration: configuration!, createdAt, createdAtMicros, createdAtText, createdAtNaive };
}

function configurationOf(v: unknown, loc: Loc, issues: ValidationIssue[], maxInstructionTokens: number): NewMessage["configuration"] | undefined {
  if (v === null) return null;
  if (!isObject(v)) return void issues.push(issue.modelType(loc, v, "MessageConfiguration"));
  if (!has(v, "reasoning") || v.reasoning === null) return {};
  const reasoning = reasoningOf(v.reasoning, [...loc, "reasoning"], issues, maxInstructionTokens);
  return reasoning === undefined ? undefined : { reasoning };
}

function reasoningOf(v: unknown, loc: Loc, issues: ValidationIssue[], maxInstructionTokens: number): ReasoningSetting | undefined {
  if (!isObject(v)) return void issues.push(issue.modelType(loc, v, "ReasoningConfiguration"));
  const before = issues.length;
  const out: ReasoningSetting = {};
  if (has(v, "enabled") && v.enabled !== null) {
    const b = laxBool(v.enabled);
    if (typeof b === "boolean") out.enabled = b;
    else if (typeof v.enabled === "string" && hasLoneSurrogate(v.enabled)) issues.push(issue.stringUnicode([...loc, "enabled"], v.enabled));
    else issues.push(b === "type" ? issue.boolType([...loc, "enabled"], v.enabled) : issue.boolParsing([...loc, "enabled"], v.enabled));
  }
  if (has(v, "custom_instructions") && v.custom_instructions !== null) {
    const at: Loc = [...loc, "custom_instructions"];
    const text = customInstructions(v.custom_instructions, at, issues, maxInstructionTokens);
    // it goes into the queue payload's jsonb: NUL or an unpaired surrogate is a 422 (storable.ts), where Honcho loses the work
    if (text !== undefined && storable(text, at, issues)) out.customInstructions = text;
  }
  return issues.length > before ? undefined : out;
}

const TRUE = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE = new Set(["0", "f", "false", "n", "no", "off"]);

// pydantic's lax bool: bools, the strings above (ASCII case-insensitive), and
// the numbers 0 and 1. Other integral numbers within i64 "cannot be
// interpreted"; fractions, infinities, NaN and numbers past i64 are no bool at all.
function laxBool(v: unknown): boolean | "type" | "parsing" {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = asciiLower(v);
    return TRUE.has(s) ? true : FALSE.has(s) ? false : "parsing";
  }
  if (typeof v === "number") {
    if (v === 0 || v === 1) return v === 1;
    return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63 ? "parsing" : "type";
  }
  return "type";
}

// Rust's eq_ignore_ascii_case: only A-Z fold ("İ".toLowerCase() would become "i̇").
const asciiLower = (s: string) => (s.length > 5 ? s : s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)));
