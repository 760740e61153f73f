// Registers every bound service with Connect, which then answers gRPC,
// gRPC-Web and the Connect protocol (JSON and binary) for it.
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ServiceBinding } from "../handlers/index.js";
import { invoke } from "./call-context.js";
import { kCallRecord } from "./observe.js";
import type { AuthGate } from "./auth-gate.js";
import { classify, toConnectError } from "./error-codes.js";

export function connectRoutes(bindings: ServiceBinding[], auth: AuthGate, log: Logger) {
  return (router: ConnectRouter) => {
    for (const { service, handlers, streams, policies } of bindings) {
      const impl: Record<string, (req: unknown, hctx: HandlerContext) => Promise<unknown>> = {};
      for (const method of service.methods) {
        const handler = handlers[method.localName];
        if (!handler) continue;
        const policy = policies[method.localName];
        const scalars = method.input.fields.filter((f) => f.fieldKind === "scalar");
        impl[method.localName] = async (req, hctx) => {
          const requestId = hctx.values.get(kCallRecord)?.requestId ?? "";
          const ctx = { requestId, signal: hctx.signal, headers: hctx.requestHeader };
          try {
            await auth(policy, hctx.requestHeader, Object.fromEntries(scalars.map((f) => [f.name, String((req as Record<string, unknown>)[f.localName])])));
          } catch (err) {
            throw toConnectError(classify(err));
          }
          const out = await invoke(handler, req, ctx, log);
          if (!out.ok) throw toConnectError(out.error);
          return out.value;
        };
      }
      for (const method of service.methods) {
        const stream = streams?.[method.localName];
        if (!stream) continue;
        const policy = policies[method.localName];
        const scalars = method.input.fields.filter((f) => f.fieldKind === "scalar");
        impl[method.localName] = async function* (req: unknown, hctx: HandlerContext) {
          const ctx = { requestId: hctx.values.get(kCallRecord)?.requestId ?? "", signal: hctx.signal, headers: hctx.requestHeader };
          try {
            await auth(policy, hctx.requestHeader, Object.fromEntries(scalars.map((f) => [f.name, String((req as Record<string, unknown>)[f.localName])])));
            yield* stream(req, ctx);
          } catch (err) {
            const known = classify(err);
            if (!known && !hctx.signal.aborted) log.error({ err, requestId: ctx.requestId }, "unexpected error");
            throw toConnectError(known);
          }
        } as never;
      }
      // biome-ignore lint: impl is keyed by the service's own method names.
      router.service(service, impl as never);
    }
  };
}
