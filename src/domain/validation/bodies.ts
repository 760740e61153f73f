// FastAPI's handling of a body parameter before pydantic looks inside it:
// what counts as no body, bytes (a body not sent as JSON), and a value that
// is not an object for a model.
import { isObject, type Obj } from "./fields.js";
import { issue, MISSING, RawBody, type ValidationIssue } from "./issues.js";

/** `model = Body(...)`: no body → missing; bytes → model_attributes_type; not an object → model_type. */
export function requiredBody(body: unknown, model: string, issues: ValidationIssue[]): Obj | undefined {
  if (body === MISSING) return void issues.push(issue.missing(["body"], null));
  return objectBody(body, model, issues);
}

/** `model | None = Body(None)`: no body (or null) → undefined; otherwise as requiredBody. */
export function optionalBody(body: unknown, model: string, issues: ValidationIssue[]): Obj | undefined {
  if (body === MISSING || body === null) return undefined;
  return objectBody(body, model, issues);
}

function objectBody(body: unknown, model: string, issues: ValidationIssue[]): Obj | undefined {
  if (body instanceof RawBody) return void issues.push(issue.modelAttributesType(["body"], body));
  if (!isObject(body)) return void issues.push(issue.modelType(["body"], body, model));
  return body;
}
