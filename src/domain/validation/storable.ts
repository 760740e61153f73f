// What PostgreSQL cannot hold in a JSON value about to be stored as jsonb:
// text with NUL or an unpaired surrogate (keys included), and the numbers
// NaN and ±Infinity (Python's json.loads takes them, JSON has no such
// token). pydantic lets all of them through in free-form values (metadata,
// configuration's extra keys, peer cards) and Honcho then fails in the
// database (500); here the request is refused with a 422 at the value's
// location instead, never stored changed.
import { issue, type Loc, type ValidationIssue } from "./issues.js";
import { hasLoneSurrogate, jsonFault } from "./strings.js";

/** True when the value can be stored; else a value_error issue at `loc`. */
export function storable(v: unknown, loc: Loc, issues: ValidationIssue[]): boolean {
  const fault = jsonFault(v, (s) => s.includes("\0") || hasLoneSurrogate(s));
  if (fault === undefined) return true;
  issues.push(issue.valueError(loc, v, MESSAGES[fault]));
  return false;
}

const MESSAGES = {
  text: "text must not contain NUL (0x00) characters or unpaired surrogates",
  number: "numbers must be finite: NaN and Infinity cannot be stored",
};
