// Runs oracle cases (test/oracle/cases.json, the shared conformance file, or
// a fuzz file from test/oracle/fuzz.py) through the validator the way
// FastAPI runs a request, and puts our answer in the oracle's shape.
import { DomainError } from "../../src/domain/errors.js";
import { fastApiCanRender, MISSING, parseJsonBody, validateCreateMessages, type ValidationIssue, type ValidBatch } from "../../src/domain/validation/index.js";
import { loadHonchoSettings } from "../../src/config-honcho.js";
import { copyExactNumbers, pythonJson } from "../../src/json/exact-numbers.js";

/** the oracle cases were written with Honcho's default DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS */
const HONCHO_MAX_INSTRUCTION_TOKENS = loadHonchoSettings({}).maxCustomInstructionsTokens;

export interface OracleCase {
  name: string;
  workspace_id: unknown;
  session_id: unknown;
  body?: unknown;
  raw?: string;
  expect: { status: number; detail?: unknown[]; value?: PyMessage[]; messages?: unknown[]; renders?: boolean };
}

/** One normalized message as test/oracle/models.py prints it (created_at: ISO 8601 with offset). */
export interface PyMessage {
  content: string;
  peer_id: string;
  metadata: unknown;
  configuration: unknown;
  created_at: string | null;
}

// Long strings are stored as {"$repeat": s, "times": n}, NaN and ±Infinity as
// {"$float": "NaN"}. A case file read with parseJsonBody keeps Python's 1.0
// (src/json/exact-numbers.ts), and so does its expansion.
export function expand(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(expand);
    copyExactNumbers(v, out);
    return out;
  }
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 2 && "$repeat" in o && "times" in o) return (o.$repeat as string).repeat(o.times as number);
    if (keys.length === 1 && "$float" in o) return Number(o.$float);
    const out = Object.fromEntries(keys.map((k) => [k, expand(o[k])]));
    copyExactNumbers(o, out);
    return out;
  }
  return v;
}

/** The case's body text: `raw` as given, else `body` as JSON (with Python's numbers when read so). */
export const bodyText = (c: OracleCase) => c.raw ?? pythonJson(expand(c.body));

/** What the service would answer: the validated batch, the 422's issues, or FastAPI's 400 (body not parsable). */
export type Outcome = { ok: true; value: ValidBatch } | { ok: false; issues: ValidationIssue[] } | { ok: false; status: 400 };

export function run(c: OracleCase): Outcome {
  const text = bodyText(c);
  const path = { workspace_id: expand(c.workspace_id) as string, session_id: expand(c.session_id) as string };
  // Empty body: FastAPI still validates the path, then reports the missing body.
  if (text.length === 0) return validateCreateMessages(path, MISSING, HONCHO_MAX_INSTRUCTION_TOKENS);
  try {
    const parsed = parseJsonBody(text);
    if (!parsed.ok) return parsed;
    return validateCreateMessages(path, parsed.value, HONCHO_MAX_INSTRUCTION_TOKENS);
  } catch (err) {
    if (err instanceof DomainError && err.kind === "bad_request") return { ok: false, status: 400 };
    throw err;
  }
}

/** Microseconds since the epoch of an ISO 8601 string with an offset (Python's isoformat()). */
export function isoMicros(iso: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,6}))?([+-]\d\d:\d\d|Z)$/.exec(iso);
  if (!m) throw new Error(`not an isoformat() string: ${iso}`);
  return BigInt(new Date(`${m[1]}${m[3]}`).getTime()) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0") || "0");
}

/** Our batch in the oracle's shape, created_at as microseconds. */
export function asPython(batch: ValidBatch) {
  return batch.messages.map((m) => ({
    content: m.content,
    peer_id: m.peerId,
    metadata: m.metadata,
    configuration:
      m.configuration === null
        ? null
        : m.configuration.reasoning
          ? {
              reasoning: {
                ...(m.configuration.reasoning.enabled !== undefined ? { enabled: m.configuration.reasoning.enabled } : {}),
                ...(m.configuration.reasoning.customInstructions !== undefined ? { custom_instructions: m.configuration.reasoning.customInstructions } : {}),
              },
            }
          : {},
    created_at: m.createdAtMicros,
  }));
}

/** The oracle's expected messages with created_at as microseconds, for toEqual against asPython(). */
export function expectedMessages(c: OracleCase) {
  return (expand(c.expect.value) as PyMessage[]).map((m) => ({ ...m, created_at: m.created_at === null ? null : isoMicros(m.created_at) }));
}

/** The detail our validator produces, "accepted", or "400". */
export const detailOf = (r: Outcome) => (r.ok ? "accepted" : "issues" in r ? r.issues : "400");

/** What to compare with the case's expectation: [ours, theirs]. A 422 also says whether FastAPI could render it. */
export function comparable(c: OracleCase, r: Outcome): [unknown, unknown] {
  if (c.expect.status === 400) return [detailOf(r), "400"];
  if (c.expect.status === 422) {
    const ours = detailOf(r);
    return [{ detail: ours, renders: fastApiCanRender(ours) }, { detail: expand(c.expect.detail), renders: c.expect.renders ?? true }];
  }
  return [r.ok ? asPython(r.value) : detailOf(r), expectedMessages(c)];
}
