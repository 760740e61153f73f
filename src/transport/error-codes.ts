// One table from domain failures to HTTP statuses and Connect/gRPC codes, so
// every protocol reports the same fact the same way.
import { Code, ConnectError } from "@connectrpc/connect";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { HTTPValidationErrorSchema } from "../../gen/honcho/v3/messages_pb.js";
import { DomainError, ValidationFailed, type ErrorKind } from "../domain/errors.js";

const TABLE: Record<ErrorKind, { status: number; code: Code }> = {
  invalid_argument: { status: 422, code: Code.InvalidArgument },
  unauthenticated: { status: 401, code: Code.Unauthenticated },
  permission_denied: { status: 403, code: Code.PermissionDenied },
  not_found: { status: 404, code: Code.NotFound },
  conflict: { status: 409, code: Code.AlreadyExists },
  unavailable: { status: 503, code: Code.Unavailable },
  payload_too_large: { status: 413, code: Code.ResourceExhausted },
  unsupported_media_type: { status: 415, code: Code.InvalidArgument },
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

export function httpStatusOf(err: DomainError): number {
  return TABLE[err.kind].status;
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
      ? [{ desc: HTTPValidationErrorSchema, value: fromJson(HTTPValidationErrorSchema, { detail: err.issues as unknown as JsonValue }) }]
      : [];
  return new ConnectError(err.message, TABLE[err.kind].code, undefined, details);
}
