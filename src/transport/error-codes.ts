// One table from domain failures to HTTP statuses and Connect/gRPC codes, so
// every protocol reports the same fact the same way.
import { Code, ConnectError } from "@connectrpc/connect";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { HTTPValidationErrorSchema } from "../../gen/honcho/v3/messages_pb.js";
import { DomainError, ValidationFailed, type ErrorKind } from "../domain/errors.js";
import type { ValidationIssue } from "../domain/validation/index.js";

const TABLE: Record<ErrorKind, { status: number; code: Code }> = {
  invalid_argument: { status: 422, code: Code.InvalidArgument },
  bad_request: { status: 400, code: Code.InvalidArgument },
  unauthenticated: { status: 401, code: Code.Unauthenticated },
  not_found: { status: 404, code: Code.NotFound },
  conflict: { status: 409, code: Code.AlreadyExists },
  unavailable: { status: 503, code: Code.Unavailable },
  payload_too_large: { status: 413, code: Code.ResourceExhausted },
  unsupported_media_type: { status: 415, code: Code.InvalidArgument },
  // nginx's "client closed request": nobody reads it, the access log does
  cancelled: { status: 499, code: Code.Canceled },
};

export const INTERNAL_MESSAGE = "An unexpected error occurred";

// Connection-level failures of PostgreSQL: the client may retry later.
const UNAVAILABLE_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);
// connection exception, shutdown, insufficient resources, lock or statement timeout
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53|55P03$|57014$)/;

/** Classifies anything thrown below a transport; undefined = internal error. */
export function classify(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.test(code))) {
    return new DomainError("unavailable", "The database is unreachable or busy; retry later");
  }
  return undefined;
}

/** FastAPI's error body: the detail list for validation, the message otherwise. */
export function httpErrorBody(err: DomainError | undefined): { status: number; body: { detail: unknown } } {
  if (!err) return { status: 500, body: { detail: INTERNAL_MESSAGE } };
  if (err instanceof ValidationFailed) return { status: 422, body: { detail: err.issues } };
  return { status: TABLE[err.kind].status, body: { detail: err.message } };
}

export function toConnectError(err: DomainError | undefined): ConnectError {
  if (!err) return new ConnectError(INTERNAL_MESSAGE, Code.Internal);
  const details =
    err instanceof ValidationFailed
      ? [{ desc: HTTPValidationErrorSchema, value: fromJson(HTTPValidationErrorSchema, { detail: boundedIssues(err.issues) as unknown as JsonValue }) }]
      : [];
  return new ConnectError(err.message, TABLE[err.kind].code, undefined, details);
}

// gRPC carries error details in a trailer, and peers refuse trailers beyond
// a few KiB (HTTP/2 header list limits). When the detail list would be
// larger, the offending `input` values, which are what makes it large, are
// left out of the entries that carry big ones; type, loc, msg and ctx stay.
export const DETAIL_BUDGET_BYTES = 8 * 1024;
const BIG_INPUT_BYTES = 512;

function boundedIssues(issues: ValidationIssue[]): unknown[] {
  const json = JSON.stringify(issues);
  if (json.length <= DETAIL_BUDGET_BYTES) return JSON.parse(json) as unknown[];
  return issues.map((i) => {
    const input = JSON.stringify(i.input) ?? "null";
    if (input.length <= BIG_INPUT_BYTES) return i;
    const { input: _left, ...rest } = i;
    return rest;
  });
}
