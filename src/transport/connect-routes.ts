// Registers every bound service with Connect, which then answers gRPC,
// gRPC-Web and the Connect protocol (JSON and binary) for it.
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ServiceBinding } from "../handlers/index.js";
import { invoke } from "./call-context.js";
import { kCallRecord } from "./observe.js";
import { toConnectError } from "./error-codes.js";

export function connectRoutes(bindings: ServiceBinding[], log: Logger) {
  return (router: ConnectRouter) => {
    for (const { service, handlers } of bindings) {
      const impl: Record<string, (req: unknown, hctx: HandlerContext) => Promise<unknown>> = {};
      for (const method of service.methods) {
        const handler = handlers[method.localName];
        if (!handler) continue;
        impl[method.localName] = async (req, hctx) => {
          const requestId = hctx.values.get(kCallRecord)?.requestId ?? "";
          const ctx = { requestId, signal: hctx.signal, headers: hctx.requestHeader };
          const out = await invoke(handler, req, ctx, log);
          if (!out.ok) throw toConnectError(out.error);
          return out.value;
        };
      }
      // biome-ignore lint: impl is keyed by the service's own method names.
      router.service(service, impl as never);
    }
  };
}
