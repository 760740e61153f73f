// What PostgreSQL cannot hold in a JSON value about to be stored as jsonb:
// text with NUL or an unpaired surrogate (keys included), and the numbers
// NaN and ±Infinity (Python's json.loads takes them, JSON has no such
// token). pydantic lets all of them through in free-form values (metadata,
// configuration's extra keys, peer cards) and Honcho then fails in the
// database (500); here the request is refused with a 422 at the value's
// location instead, never stored changed.
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { hasLoneSurrogate } from "./strings.js";

/** True when the value can be stored; else a value_error issue at `loc`. */
export function storable(v: unknown, loc: Loc, issues: ValidationIssue[]): boolean {
  const problem = unstorable(v);
  if (problem === undefined) return true;
  issues.push(issue.valueError(loc, v, problem));
  return false;
}

function unstorable(v: unknown): string | undefined {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === "string") {
      if (x.includes("\0") || hasLoneSurrogate(x)) return TEXT;
    } else if (typeof x === "number") {
      if (!Number.isFinite(x)) return NUMBER;
    } else if (Array.isArray(x)) stack.push(...x);
    else if (typeof x === "object" && x !== null) {
      for (const [k, y] of Object.entries(x)) {
        if (k.includes("\0") || hasLoneSurrogate(k)) return TEXT;
        stack.push(y);
      }
    }
  }
  return undefined;
}

const TEXT = "text must not contain NUL (0x00) characters or unpaired surrogates";
const NUMBER = "numbers must be finite: NaN and Infinity cannot be stored";
