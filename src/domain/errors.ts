// Domain failures, free of any protocol: each transport maps `kind` to its
// own status (see src/transport/error-codes.ts).
import type { ValidationIssue } from "./validation/issues.js";

export type ErrorKind =
  | "invalid_argument"
  | "bad_request"
  | "unauthenticated"
  | "not_found"
  | "conflict"
  | "unavailable"
  | "payload_too_large"
  | "unsupported_media_type"
  /** the client went away before its request was read */
  | "cancelled";

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** The request broke the contract; `issues` is the FastAPI/pydantic detail list. */
export class ValidationFailed extends DomainError {
  constructor(readonly issues: ValidationIssue[]) {
    super("invalid_argument", summarise(issues));
    this.name = "ValidationFailed";
  }
}

export const notFound = (message: string) => new DomainError("not_found", message);

// A readable one-line message naming the first problems, for gRPC callers and logs.
function summarise(issues: ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.loc.join(".")}: ${i.msg}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return `${issues.length} validation error${issues.length === 1 ? "" : "s"}: ${shown.join("; ")}${more}`;
}
