// Honcho's configuration models (src/schemas/configuration.py) validated as
// pydantic 2 validates them, and dumped as Honcho stores them:
// WorkspaceConfiguration / SessionConfiguration (extra="allow": unknown keys
// are kept) with their sub-models ReasoningConfiguration,
// PeerCardConfiguration, SummaryConfiguration and DreamConfiguration, and the
// session-membership models PeerConfig / SessionPeerConfig.
//
// Every function takes the raw JSON value of a *required* model field: a null
// is refused as pydantic refuses it there (model_type); callers of an
// `X | None` field treat null as "not given" before calling. Issues are pushed
// in pydantic's order (declared fields, then the model validator, which runs
// only when every field passed). The value returned is what Honcho writes:
// `model_dump(exclude_none=True)` for workspace and session configuration
// (null fields dropped at every level of the declared models, extra keys kept
// unless null), `model_dump()` (nulls included) for a membership.
import { copyExactNumbers, setOwn } from "../../json/exact-numbers.js";
import { countTokens } from "../token-work.mjs";
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { has, isObject, type Obj } from "./fields.js";
import { laxBool, laxInt } from "./python-lax.js";
import { isPythonBlank } from "./strings.js";

export interface SessionPeerConfigDump {
  observe_me: boolean | null;
  observe_others: boolean | null;
}

function greaterOrEqual(n: number, ge: number, input: unknown, loc: Loc, issues: ValidationIssue[]): number | undefined {
  if (n >= ge) return n;
  return void issues.push(issue.greaterThanEqual(loc, input, ge));
}

/** A sub-model field `X | None = None`: absent or null → left out of the dump. */
function optionalField<T>(o: Obj, key: string, loc: Loc, issues: ValidationIssue[], check: (v: unknown, loc: Loc) => T | undefined, out: Obj): boolean {
  if (!has(o, key) || o[key] === null) return true;
  const before = issues.length;
  const v = check(o[key], [...loc, key]);
  if (issues.length > before || v === undefined) return false;
  setOwn(out, key, v);
  return true;
}

function model(v: unknown, loc: Loc, issues: ValidationIssue[], className: string): Obj | undefined {
  if (isObject(v)) return v;
  return void issues.push(issue.modelType(loc, v, className));
}

/**
 * ReasoningConfiguration: enabled (lax bool), custom_instructions (str, with
 * Honcho's token budget: blank text passes; a budget of 0 or less refuses any
 * other text; more o200k tokens than the budget is refused).
 */
export function reasoningConfiguration(v: unknown, loc: Loc, issues: ValidationIssue[], maxCustomInstructionsTokens: number): Obj | undefined {
  const o = model(v, loc, issues, "ReasoningConfiguration");
  if (!o) return undefined;
  const out: Obj = {};
  const before = issues.length;
  optionalField(o, "enabled", loc, issues, (x, at) => laxBool(x, at, issues), out);
  optionalField(o, "custom_instructions", loc, issues, (x, at) => customInstructions(x, at, issues, maxCustomInstructionsTokens), out);
  return issues.length > before ? undefined : out;
}

/** reasoning.custom_instructions (ReasoningConfiguration's validator), against DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS */
export function customInstructions(text: unknown, loc: Loc, issues: ValidationIssue[], max: number): string | undefined {
  if (typeof text !== "string") return void issues.push(issue.stringType(loc, text));
  if (isPythonBlank(text)) return text;
  if (max <= 0) return void issues.push(issue.valueError(loc, text, "custom_instructions are not enabled for this deployment"));
  // No o200k_base token is longer than 128 bytes, and a UTF-16 unit is at
  // least one UTF-8 byte: longer text is over budget without counting.
  if (text.length > max * 128 || countTokens(text) > max) {
    return void issues.push(issue.valueError(loc, text, `custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS (${max} tokens)`));
  }
  return text;
}

function peerCardConfiguration(v: unknown, loc: Loc, issues: ValidationIssue[]): Obj | undefined {
  const o = model(v, loc, issues, "PeerCardConfiguration");
  if (!o) return undefined;
  const out: Obj = {};
  const before = issues.length;
  optionalField(o, "use", loc, issues, (x, at) => laxBool(x, at, issues), out);
  optionalField(o, "create", loc, issues, (x, at) => laxBool(x, at, issues), out);
  return issues.length > before ? undefined : out;
}

const SHORT_BEFORE_LONG = "messages_per_short_summary must be less than messages_per_long_summary";

function summaryConfiguration(v: unknown, loc: Loc, issues: ValidationIssue[]): Obj | undefined {
  const o = model(v, loc, issues, "SummaryConfiguration");
  if (!o) return undefined;
  const out: Obj = {};
  const before = issues.length;
  const bounded = (ge: number) => (x: unknown, at: Loc) => {
    const n = laxInt(x, at, issues);
    return n === undefined ? undefined : greaterOrEqual(n, ge, x, at, issues);
  };
  optionalField(o, "enabled", loc, issues, (x, at) => laxBool(x, at, issues), out);
  optionalField(o, "messages_per_short_summary", loc, issues, bounded(10), out);
  optionalField(o, "messages_per_long_summary", loc, issues, bounded(20), out);
  if (issues.length > before) return undefined;
  // the model validator (mode="after"): only once every field is valid
  const short = out.messages_per_short_summary as number | undefined;
  const long = out.messages_per_long_summary as number | undefined;
  if (short !== undefined && long !== undefined && short >= long) return void issues.push(issue.valueError(loc, o, SHORT_BEFORE_LONG));
  return out;
}

function dreamConfiguration(v: unknown, loc: Loc, issues: ValidationIssue[]): Obj | undefined {
  const o = model(v, loc, issues, "DreamConfiguration");
  if (!o) return undefined;
  const out: Obj = {};
  const before = issues.length;
  optionalField(o, "enabled", loc, issues, (x, at) => laxBool(x, at, issues), out);
  return issues.length > before ? undefined : out;
}

const DECLARED = ["reasoning", "peer_card", "summary", "dream"];

function configuration(className: string) {
  return (v: unknown, loc: Loc, issues: ValidationIssue[], maxCustomInstructionsTokens: number): Obj | undefined => {
    const o = model(v, loc, issues, className);
    if (!o) return undefined;
    const out: Obj = {};
    const before = issues.length;
    optionalField(o, "reasoning", loc, issues, (x, at) => reasoningConfiguration(x, at, issues, maxCustomInstructionsTokens), out);
    optionalField(o, "peer_card", loc, issues, (x, at) => peerCardConfiguration(x, at, issues), out);
    optionalField(o, "summary", loc, issues, (x, at) => summaryConfiguration(x, at, issues), out);
    optionalField(o, "dream", loc, issues, (x, at) => dreamConfiguration(x, at, issues), out);
    // extra="allow": any other key is kept as it came (exclude_none drops a null one)
    for (const [k, x] of Object.entries(o)) if (!DECLARED.includes(k) && x !== null) setOwn(out, k, x);
    copyExactNumbers(o, out); // an extra 1.0 or 64-bit int stored as sent (exact-numbers.ts)
    return issues.length > before ? undefined : out;
  };
}

/** WorkspaceConfiguration → model_dump(exclude_none=True). */
export const workspaceConfiguration = configuration("WorkspaceConfiguration");
/** SessionConfiguration (a WorkspaceConfiguration by another name) → model_dump(exclude_none=True). */
export const sessionConfiguration = configuration("SessionConfiguration");

/** SessionPeerConfig → model_dump(): both fields, null when not given; unknown keys ignored. */
export function sessionPeerConfig(v: unknown, loc: Loc, issues: ValidationIssue[]): SessionPeerConfigDump | undefined {
  const o = model(v, loc, issues, "SessionPeerConfig");
  if (!o) return undefined;
  const before = issues.length;
  const field = (key: string) => (has(o, key) && o[key] !== null ? (laxBool(o[key], [...loc, key], issues) ?? null) : null);
  const out = { observe_me: field("observe_me"), observe_others: field("observe_others") };
  return issues.length > before ? undefined : out;
}

/** PeerConfig → model_dump(). */
export function peerConfig(v: unknown, loc: Loc, issues: ValidationIssue[]): { observe_me: boolean | null } | undefined {
  const o = model(v, loc, issues, "PeerConfig");
  if (!o) return undefined;
  const before = issues.length;
  const observeMe = has(o, "observe_me") && o.observe_me !== null ? (laxBool(o.observe_me, [...loc, "observe_me"], issues) ?? null) : null;
  return issues.length > before ? undefined : { observe_me: observeMe };
}

/** model_dump(exclude_none=True) of a SessionPeerConfig dump: what PUT .../config merges into the stored one. */
export const withoutNulls = (c: SessionPeerConfigDump): Partial<Record<keyof SessionPeerConfigDump, boolean>> =>
  Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)) as Partial<Record<keyof SessionPeerConfigDump, boolean>>;

