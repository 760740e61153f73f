// Registers every bound service with Connect, which then answers gRPC,
// gRPC-Web and the Connect protocol (JSON and binary) for it; the unary
// implementations also serve plain gRPC calls directly (grpc-unary.ts).
import { create, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { DomainError } from "../domain/errors.js";
import type { Logger } from "pino";
import type { CallContext } from "../handlers/context.js";
import type { Policy, ServiceBinding, UnaryHandler } from "../handlers/types.js";
import type { AuthGate } from "./auth-gate.js";
import { invoke } from "./call-context.js";
import { classify, toConnectError } from "./error-codes.js";
import { binaryWriterFor } from "../contract/binary-writer.js";
import { protoJsonWriterFor } from "../contract/json-writer.js";
import type { UnaryRoute } from "./unary-call.js";
import { kCallRecord } from "./observe.js";

export function connectRoutes(bindings: ServiceBinding[], auth: AuthGate, log: Logger) {
  // The call's context, after the token has been checked (the policy reads
  // the request's scalar fields, e.g. workspace_id and session_id).
  const admit = (method: DescMethod, policy: Policy | undefined) => {
    const scalars = method.input.fields.filter((f) => f.fieldKind === "scalar");
    return async (req: unknown, hctx: HandlerContext): Promise<CallContext> => {
      const fields = Object.fromEntries(scalars.map((f) => [f.name, String((req as Record<string, unknown>)[f.localName])]));
      try {
        await auth(policy, hctx.requestHeader, fields);
      } catch (err) {
        throw toConnectError(classify(err));
      }
      return { requestId: hctx.values.get(kCallRecord)?.requestId ?? "", signal: hctx.signal, headers: hctx.requestHeader };
    };
  };

  // the same implementations, by path, for plain unary gRPC (grpc-unary.ts)
  const unary = new Map<string, UnaryRoute>();
  const register = (router: ConnectRouter) => {
    for (const { service, handlers, streams, policies } of bindings) {
      const impl: Record<string, unknown> = {};
      for (const method of service.methods) {
        const handler = handlers[method.localName];
        const stream = streams?.[method.localName];
        const enter = admit(method, policies[method.localName]);
        if (handler && method.methodKind === "client_streaming") {
          impl[method.localName] = clientStream(method, handler, enter);
        } else if (handler) {
          const unaryImpl = async (req: unknown, hctx: HandlerContext) => {
            const out = await invoke(handler, req, await enter(req, hctx), log);
            if (!out.ok) throw toConnectError(out.error);
            return out.value;
          };
          impl[method.localName] = unaryImpl;
          unary.set(`/${service.typeName}/${method.name}`, { method, impl: unaryImpl, write: binaryWriterFor(method.output), writeJson: protoJsonWriterFor(method.output) });
        } else if (stream) {
          impl[method.localName] = async function* (req: unknown, hctx: HandlerContext) {
            const ctx = await enter(req, hctx);
            try {
              yield* stream(req, ctx);
            } catch (err) {
              const known = classify(err);
              if (!known && !hctx.signal.aborted) log.error({ err, requestId: ctx.requestId }, "unexpected error");
              throw toConnectError(known);
            }
          };
        }
      }
      // impl is keyed by the service's own method names
      router.service(service, impl as never);
    }
  };
  // Client streaming: the first request is admitted as a unary request is
  // (its scalar fields name the resource); the handler then takes the whole
  // stream. A failure of the stream itself (the client went away, a frame
  // that does not parse) ends the call with the transport's own error.
  const clientStream = (method: DescMethod, handler: UnaryHandler, enter: ReturnType<typeof admit>) =>
    async function (requests: AsyncIterable<unknown>, hctx: HandlerContext) {
      const it = requests[Symbol.asyncIterator]();
      const first = await it.next();
      const ctx = await enter(first.done ? create(method.input) : first.value, hctx);
      let streamError: unknown;
      const all = (async function* () {
        if (first.done) return;
        yield first.value;
        try {
          for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
          // a call already known to be cancelled is not a finished stream
          // (HTTP/2 ends the body of a stream the client reset before it
          // says so: a method that must tell the two apart needs an end
          // marker of its own, as ImportMessages has)
          if (hctx.signal.aborted) throw hctx.signal.reason ?? new ConnectError("the client cancelled the call", Code.Canceled);
        } catch (err) {
          streamError = err;
          throw new DomainError("cancelled", "The request stream ended in error");
        }
      })();
      const out = await invoke(handler, all, ctx, log);
      if (!out.ok) throw streamError !== undefined ? ConnectError.from(streamError) : toConnectError(out.error);
      return out.value;
    };

  return { register, unary };
}
