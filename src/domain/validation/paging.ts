// What every Honcho /list route shares: fastapi-pagination's page query
// (page ≥ 1, default 1; 1 ≤ size ≤ 100, default 50), Honcho's `reverse`
// (a bool, default false), and the optional body model's `filters`
// (Honcho's filter language, parsed by src/domain/filters). One
// implementation for the messages, workspaces, peers and sessions lists.
import { parseFilter, type FilterCondition, type FilterResource } from "../filters/index.js";
import { has, isObject, type Obj } from "./fields.js";
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { laxBool, laxInt } from "./python-lax.js";

export interface PageQuery {
  page: number;
  size: number;
  reverse: boolean;
}

// Query values arrive as strings on REST (pydantic's lax int takes "+7",
// " 2", "1_0" and "1.0"; its lax bool "yes" and "OFF") and as numbers /
// booleans on gRPC; pydantic echoes what it was given.
function queryInt(v: unknown, key: string, fallback: number, ge: number, le: number | undefined, issues: ValidationIssue[]): number {
  if (v === undefined || v === null) return fallback;
  const loc: Loc = ["query", key];
  const n = laxInt(v, loc, issues);
  if (n === undefined) return fallback;
  if (n < ge) issues.push(issue.greaterThanEqual(loc, v, ge));
  else if (le !== undefined && n > le) issues.push(issue.lessThanEqual(loc, v, le));
  return n;
}

function queryBool(v: unknown, key: string, issues: ValidationIssue[]): boolean {
  if (v === undefined || v === null) return false;
  return laxBool(v, ["query", key], issues) ?? false;
}

/** page, size (fastapi-pagination's Params) and reverse, in that order. */
export function pageQuery(query: { page?: unknown; size?: unknown; reverse?: unknown }, issues: ValidationIssue[]): PageQuery {
  const page = queryInt(query.page, "page", 1, 1, undefined, issues);
  const size = queryInt(query.size, "size", 50, 1, 100, issues);
  const reverse = queryBool(query.reverse, "reverse", issues);
  return { page, size, reverse };
}

/** The raw `filters: dict[str, Any] | None` of a list body; null when absent, null or {}. */
export function filtersOf(body: Obj | undefined, issues: ValidationIssue[]): Obj | null {
  if (!body || !has(body, "filters") || body.filters === null) return null;
  if (!isObject(body.filters)) {
    issues.push(issue.dictType(["body", "filters"], body.filters));
    return null;
  }
  return Object.keys(body.filters).length === 0 ? null : body.filters;
}

/**
 * Honcho's filter for a resource, parsed once the request itself is valid:
 * Honcho builds the query (and raises FilterError, a 422 with a string
 * detail) only after FastAPI's validation has passed.
 */
export function filterOf(resource: FilterResource, filters: Obj | null): FilterCondition | null {
  return parseFilter(resource, filters);
}
