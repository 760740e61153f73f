// Validation of the queue and watch RPCs (gRPC only), in the same terms as
// the REST routes: pydantic-style issues, names checked as names.
import { name } from "./fields.js";
import { issue, type Loc, type Validated, type ValidationIssue } from "./issues.js";

export interface ClaimInput { workspaceId: string; consumer: string; maxItems: number; leaseSeconds: number; taskTypes: string[] }
export interface AckInput { workspaceId: string; consumer: string; ids: bigint[]; error: string | null }
export interface WatchInput { workspaceId: string; sessionId: string; afterSeq: bigint }

function bounded(v: number, loc: Loc, fallback: number, ge: number, le: number, issues: ValidationIssue[]): number {
  if (v === 0) return fallback; // proto3 default: not given
  if (v < ge) issues.push(issue.greaterThanEqual(loc, v, ge));
  else if (v > le) issues.push(issue.lessThanEqual(loc, v, le));
  return v;
}

function consumerName(v: string, issues: ValidationIssue[]): string {
  const length = [...v].length; // characters, as pydantic counts them, not UTF-16 units
  if (length === 0) issues.push(issue.tooShortString(["body", "consumer"], v, 1));
  else if (length > 200) issues.push(issue.tooLongString(["body", "consumer"], v, 200));
  return v;
}

// Honcho's task types are lower-case words (representation, summary, dream, ...)
const TASK_TYPE = /^[a-z_]{1,64}$/;

const result = <T>(issues: ValidationIssue[], value: T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value });

export function validateClaim(req: { workspaceId: string; consumer: string; maxItems: number; leaseSeconds: number; taskTypes?: string[] }): Validated<ClaimInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(req.workspaceId, ["body", "workspace_id"], issues) ?? "";
  const consumer = consumerName(req.consumer, issues);
  const maxItems = bounded(req.maxItems, ["body", "max_items"], 10, 1, 1000, issues);
  const leaseSeconds = bounded(req.leaseSeconds, ["body", "lease_seconds"], 60, 1, 3600, issues);
  const taskTypes = req.taskTypes ?? [];
  taskTypes.forEach((t, i) => {
    if (!TASK_TYPE.test(t)) issues.push({ type: "string_pattern_mismatch", loc: ["body", "task_types", i], msg: `String should match pattern '${TASK_TYPE.source}'`, input: t, ctx: { pattern: TASK_TYPE.source } });
  });
  return result(issues, { workspaceId, consumer, maxItems, leaseSeconds, taskTypes });
}

export function validateAck(req: { workspaceId: string; consumer: string; ids: bigint[]; error?: string }): Validated<AckInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(req.workspaceId, ["body", "workspace_id"], issues) ?? "";
  const consumer = consumerName(req.consumer, issues);
  if (req.ids.length === 0 || req.ids.length > 1000) {
    issues.push({ type: req.ids.length === 0 ? "too_short" : "too_long", loc: ["body", "ids"], msg: `List should have at ${req.ids.length === 0 ? "least 1 item" : "most 1000 items"} after validation, not ${req.ids.length}`, input: req.ids.map(String), ctx: { field_type: "List", ...(req.ids.length === 0 ? { min_length: 1 } : { max_length: 1000 }), actual_length: req.ids.length } });
  }
  return result(issues, { workspaceId, consumer, ids: req.ids, error: req.error ?? null });
}

export function validateWatch(req: { workspaceId: string; sessionId: string; afterSeq: bigint }): Validated<WatchInput> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(req.workspaceId, ["body", "workspace_id"], issues) ?? "";
  const sessionId = name(req.sessionId, ["body", "session_id"], issues) ?? "";
  if (req.afterSeq < 0n) issues.push(issue.greaterThanEqual(["body", "after_seq"], String(req.afterSeq), 0));
  return result(issues, { workspaceId, sessionId, afterSeq: req.afterSeq });
}
