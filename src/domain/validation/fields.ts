// Field validators Honcho's models share: resource names and metadata.
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { storable } from "./storable.js";
import { hasLoneSurrogate, longerThan, stripNul } from "./strings.js";

export const NAME_PATTERN = "^[a-zA-Z0-9_-]+$";
const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const MAX_NAME = 512;
const MAX_METADATA_KEYS = 100;
const MAX_METADATA_DEPTH = 5;

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const has = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);

// Name = constr(min_length=1, max_length=512, pattern=^[a-zA-Z0-9_-]+$)
export function name(v: unknown, loc: Loc, issues: ValidationIssue[]): string | undefined {
  if (typeof v !== "string") return void issues.push(issue.stringType(loc, v));
  if (hasLoneSurrogate(v)) return void issues.push(issue.stringUnicode(loc, v));
  if (v.length === 0) return void issues.push(issue.tooShortString(loc, v, 1));
  if (longerThan(v, MAX_NAME)) return void issues.push(issue.tooLongString(loc, v, MAX_NAME));
  if (!NAME_RE.test(v) && !admitted?.has(v)) return void issues.push(issue.pattern(loc, v, NAME_PATTERN));
  return v;
}

/**
 * A name in a path that Honcho takes as a plain `str`: its read routes, and
 * writes to rows that exist (a message's metadata, a delete, a clone). Any
 * text a row can hold is looked up as it is, so a workspace under one of
 * Honcho's legacy names (an app named before the name pattern, say
 * "acme.prod", kept by its peer-paradigm migration) is served as Honcho
 * serves it, and a name no row has is simply not found. Text no row can hold
 * (empty, NUL, a lone surrogate) keeps name()'s 422. Routes that may create
 * the row they name keep name(): the pattern is Honcho's rule for a new name.
 */
export function pathName(v: unknown, loc: Loc, issues: ValidationIssue[]): string | undefined {
  if (typeof v === "string" && v.length > 0 && !v.includes("\u0000") && !hasLoneSurrogate(v)) return v;
  return name(v, loc, issues);
}

// Names the pattern refuses that are admitted for the length of one
// validation (admitting): peers that exist under a name Honcho no longer
// lets be created, its legacy names and its scope peers (handlers/peer-names.ts).
let admitted: ReadonlySet<string> | undefined;

export function admitting<T>(names: ReadonlySet<string>, validate: () => T): T {
  admitted = names;
  try {
    return validate();
  } finally {
    admitted = undefined;
  }
}

// Honcho's BeforeValidator: limits on the raw dict, then NUL stripping.
export function metadataOf(v: unknown, loc: Loc, issues: ValidationIssue[]): Obj | undefined {
  if (v === null) return {};
  if (!isObject(v)) return void issues.push(issue.dictType(loc, v));
  const problem = metadataLimits(v, 1);
  if (problem) return void issues.push(issue.valueError(loc, v, problem));
  // NUL stripped as Honcho's _sanitize_value does; what PostgreSQL still cannot hold is a 422 (storable.ts)
  const clean = stripNul(v) as Obj;
  return storable(clean, loc, issues) ? clean : undefined;
}

function metadataLimits(data: Obj, depth: number): string | undefined {
  if (depth > MAX_METADATA_DEPTH) return `Metadata nesting exceeds maximum depth of ${MAX_METADATA_DEPTH}`;
  const keys = Object.keys(data);
  if (depth === 1 && keys.length > MAX_METADATA_KEYS) return `Metadata exceeds maximum of ${MAX_METADATA_KEYS} top-level keys`;
  for (const k of keys) {
    const child = data[k];
    if (isObject(child)) {
      const problem = metadataLimits(child, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

