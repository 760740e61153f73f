// Runs a handler with failures classified once for every transport.
import type { Logger } from "pino";
import type { CallContext } from "../handlers/context.js";
import type { UnaryHandler } from "../handlers/types.js";
import { classify } from "./error-codes.js";
import type { DomainError } from "../domain/errors.js";

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: DomainError | undefined };

/** Runs the handler; unexpected errors are logged with the request id and surface as `error: undefined` (internal). */
export async function invoke(handler: UnaryHandler, req: unknown, ctx: CallContext, log: Logger): Promise<CallOutcome> {
  try {
    return { ok: true, value: await handler(req, ctx) };
  } catch (err) {
    const known = classify(err);
    if (!known) log.error({ err, requestId: ctx.requestId }, "unexpected error");
    else if (known.kind === "unavailable") log.warn({ err, requestId: ctx.requestId }, "database unavailable");
    return { ok: false, error: known };
  }
}
