// A 422's text as FastAPI writes it, with the numbers of the request's body
// as Python wrote them (src/json/exact-numbers.ts).
import type { ValidationIssue } from "../domain/validation/index.js";
import { exactNumberAt, holdsExactNumbers, own, pythonJson } from "../json/exact-numbers.js";

/**
 * FastAPI's 422 text, {"detail": [...]}, with each `input` holding Python's
 * numbers: an echoed container writes its kept texts; an echoed number is
 * found again in the body by its `loc` ("body", then keys and indexes).
 * undefined when the body holds no such number (JSON.stringify then writes
 * the same text).
 */
export function validationDetailJson(issues: readonly ValidationIssue[], body: unknown, exactRoot: string | undefined): string | undefined {
  if (exactRoot === undefined && !holdsExactNumbers(body)) return undefined;
  const entries = issues.map((i) => {
    const input = inputText(i, body, exactRoot);
    if (input === undefined) return JSON.stringify(i);
    const fields = Object.entries(i)
      .filter(([, v]) => v !== undefined) // as JSON.stringify leaves them out
      .map(([k, v]) => `${JSON.stringify(k)}:${k === "input" ? input : JSON.stringify(v)}`);
    return `{${fields.join(",")}}`;
  });
  return `{"detail":[${entries.join(",")}]}`;
}

function inputText(i: ValidationIssue, body: unknown, exactRoot: string | undefined): string | undefined {
  const input = i.input;
  if (holdsExactNumbers(input)) return pythonJson(input);
  if (typeof input !== "number" || i.loc[0] !== "body") return undefined;
  if (i.loc.length === 1) return Object.is(body, input) ? exactRoot : undefined;
  let at: unknown = body;
  for (const k of i.loc.slice(1, -1)) at = typeof at === "object" && at !== null ? own(at, k) : undefined;
  const key = i.loc[i.loc.length - 1]!;
  if (typeof at !== "object" || at === null || !Object.is(own(at, key), input)) return undefined;
  return exactNumberAt(at, key);
}
