// Validation of Upload Messages (POST .../messages/upload) as FastAPI runs
// Honcho's route (src/routers/messages.py): the form fields of
// parse_upload_form (peer_id required; metadata, configuration and
// created_at text, each silently ignored when it does not parse), then the
// `file` part. Form fields that are empty count as absent (FastAPI's
// _get_multidict_value). The values then go through the same rules as a
// message of Create Messages (validateCreateMessages), since every chunk of
// the file becomes a MessageCreate with them.
//
// Deliberately not Honcho: where Honcho's form parsing succeeds but building
// MessageUploadCreate or MessageCreate fails (metadata that is JSON but not
// an object, a configuration of the wrong shape, a peer_id that is not a
// name), Honcho answers 500; this answers 422 with pydantic's detail at
// ["body", <field>].
import { validateCreateMessages, type NewMessage } from "./create-messages.js";
import { microsToDate, outOfRange, pydanticDatetimeText, storableInstant, storedInstant } from "./datetime.js";
import { name } from "./fields.js";
import { FormBody, isFormFile, type FormValue } from "./form-body.js";
import { issue, type Loc, type Validated, type ValidationIssue } from "./issues.js";
import { parseJsonBody } from "./python-json.js";
import { pyFromIsoformat } from "./python-isoformat.js";

export interface UploadedFile {
  /** undefined: not kept (over the size limit); `size` still counts every byte */
  bytes: Uint8Array | undefined;
  size: number;
  /** null when the request named none (gRPC) */
  filename: string | null;
  /** null when the part had no Content-Type (Python's None) */
  contentType: string | null;
}

export interface ValidUpload {
  workspaceId: string;
  sessionId: string;
  /** every message made from the file: these fields, with its chunk as content */
  fields: Omit<NewMessage, "content">;
  file: UploadedFile;
}

/** The message fields as they reach MessageCreate: absent ones undefined. */
export interface UploadFields {
  peerId: string | undefined;
  metadata?: unknown;
  configuration?: unknown;
  createdAtMicros: bigint | null;
  /** pydantic's text of the created_at given, and whether it was naive (create-messages.ts NewMessage) */
  createdAtText?: string | null;
  createdAtNaive?: boolean;
}

type Path = { workspace_id: unknown; session_id: unknown };

/** REST: the multipart form as Starlette parsed it (anything else is an empty form, as request.form() makes it). */
export function validateUploadForm(path: Path, body: unknown, maxInstructionTokens: number): Validated<ValidUpload> {
  const form = body instanceof FormBody ? body : new FormBody([]);
  const issues: ValidationIssue[] = [];
  // parse_upload_form's parameters: a file part where text is expected is no str
  for (const field of ["peer_id", "metadata", "configuration", "created_at"]) {
    const v = form.get(field);
    if (isFormFile(v)) issues.push(issue.stringType(["body", field], v.filename));
  }
  const peer = textOf(form.get("peer_id"));
  if (peer === undefined && !isFormFile(form.get("peer_id"))) issues.push(issue.missing(["body", "peer_id"], null));
  let fields: UploadFields | undefined;
  if (issues.length === 0) {
    // the dependency runs: what does not parse is dropped, as Honcho's except clauses do
    fields = { peerId: peer, createdAtMicros: null };
    const metadata = jsonField(textOf(form.get("metadata")), ["body", "metadata"], issues);
    if (metadata !== undefined) fields.metadata = metadata;
    const configuration = jsonField(textOf(form.get("configuration")), ["body", "configuration"], issues);
    if (configuration !== undefined) fields.configuration = configuration;
    const createdAt = textOf(form.get("created_at"));
    const at = createdAt === undefined ? undefined : pyFromIsoformat(createdAt);
    if (at && !storableInstant(storedInstant(at.micros, at.offsetUs === null))) issues.push(outOfRange(["body", "created_at"], createdAt));
    else if (at) {
      fields.createdAtMicros = at.micros;
      fields.createdAtText = pydanticDatetimeText(at.micros, at.offsetUs);
      fields.createdAtNaive = at.offsetUs === null;
    }
  }
  // the endpoint's own parameter: file: UploadFile = File(...)
  const f = form.get("file");
  let file: UploadedFile | undefined;
  const fileIssues: ValidationIssue[] = [];
  if (isFormFile(f)) file = { bytes: f.bytes, size: f.size, filename: f.filename, contentType: f.contentType };
  else if (f === undefined || f === "") fileIssues.push(issue.missing(["body", "file"], null));
  else fileIssues.push(issue.valueError(["body", "file"], f, "Expected UploadFile, received: <class 'str'>"));
  return finish(path, fields, file, issues, fileIssues, maxInstructionTokens);
}

/** gRPC and Connect: the request's fields (an empty peer_id is absent, as an empty form field is). */
export function validateUploadRequest(path: Path, fields: UploadFields, file: UploadedFile, maxInstructionTokens: number): Validated<ValidUpload> {
  const issues: ValidationIssue[] = [];
  if (fields.peerId === undefined || fields.peerId === "") issues.push(issue.missing(["body", "peer_id"], null));
  return finish(path, issues.length === 0 ? fields : undefined, file, issues, [], maxInstructionTokens);
}

// The fields as one MessageCreate (the rules every chunk meets), then the
// path, then the file; every issue at once, in FastAPI's order.
function finish(path: Path, fields: UploadFields | undefined, file: UploadedFile | undefined, issues: ValidationIssue[], fileIssues: ValidationIssue[], maxInstructionTokens: number): Validated<ValidUpload> {
  let valid: Omit<NewMessage, "content"> | undefined;
  if (fields && issues.length === 0) {
    const message: Record<string, unknown> = { content: "", peer_id: fields.peerId };
    if (fields.metadata !== undefined) message.metadata = fields.metadata;
    if (fields.configuration !== undefined) message.configuration = fields.configuration;
    const r = validateCreateMessages({ workspace_id: "w", session_id: "s" }, { messages: [message] }, maxInstructionTokens);
    if (r.ok) {
      const { content: _content, ...rest } = r.value.messages[0]!;
      const micros = fields.createdAtMicros;
      valid = { ...rest, createdAtMicros: micros, createdAt: micros === null ? null : microsToDate(micros), createdAtText: fields.createdAtText ?? null, createdAtNaive: fields.createdAtNaive ?? false };
    } else {
      // ["body", "messages", 0, field, ...] → ["body", field, ...]
      for (const i of r.issues) issues.push({ ...i, loc: ["body", ...i.loc.slice(3)] });
    }
  }
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const sessionId = name(path.session_id, ["path", "session_id"], issues);
  issues.push(...fileIssues);
  if (issues.length > 0 || !valid || !file || workspaceId === undefined || sessionId === undefined) return { ok: false, issues };
  return { ok: true, value: { workspaceId, sessionId, fields: valid, file } };
}

// FastAPI's form value: a non-empty string, else absent
function textOf(v: FormValue | undefined): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

// json.loads on a form field: undefined when absent or not JSON (Honcho
// catches JSONDecodeError and logs a warning). Python's other failures
// (RecursionError, int() over 4300 digits) make Honcho answer 500: a 422 here.
function jsonField(text: string | undefined, loc: Loc, issues: ValidationIssue[]): unknown {
  if (text === undefined) return undefined;
  // json.loads(str) takes the text as it is; a NUL among the first two
  // characters is never JSON (parseJsonBody would read those as UTF-16)
  if (text.charCodeAt(0) === 0 || text.charCodeAt(1) === 0) return undefined;
  try {
    const r = parseJsonBody(text);
    return r.ok ? r.value : undefined;
  } catch {
    issues.push(issue.valueError(loc, text, "JSON nested too deeply, or holding an integer of more than 4300 digits"));
    return undefined;
  }
}
