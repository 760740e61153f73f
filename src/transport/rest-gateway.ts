// REST gateway: routes built from the google.api.http annotations of every
// bound service (no route is written by hand), path + body decoded into the
// request message, the same handler called, the response written as JSON
// with proto field names.
import { fromJson, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { DomainError, ValidationFailed } from "../domain/errors.js";
import type { JsonDecoder, ServiceBinding, UnaryHandler } from "../handlers/index.js";
import { invoke } from "./call-context.js";
import { recordOf } from "./observe.js";
import { httpErrorBody } from "./error-codes.js";
import { routesOf, type HttpRoute } from "./http-rule.js";
import { headersOf, readBody, sendJson, type NodeRequest, type NodeResponse } from "./http-io.js";

export interface GatewayOptions {
  bodyLimitBytes: number;
}

interface BoundRoute extends HttpRoute {
  handler: UnaryHandler;
  decode: JsonDecoder;
}

export function restGateway(bindings: ServiceBinding[], opts: GatewayOptions, log: Logger) {
  const routes: BoundRoute[] = bindings.flatMap(({ service, handlers, jsonDecoders }) =>
    service.methods.flatMap((method) => {
      const handler = handlers[method.localName];
      if (!handler) return [];
      return routesOf(method).map((r) => ({ ...r, handler, decode: jsonDecoders?.[method.localName] ?? protobufJsonDecoder(r) }));
    }),
  );

  return async function handle(req: NodeRequest, res: NodeResponse): Promise<void> {
    const headers = headersOf(req.headers);
    const record = recordOf(req);
    const requestId = record?.requestId ?? "";
    const path = (req.url ?? "/").split("?")[0]!;
    const verb = (req.method ?? "GET").toUpperCase();
    const candidates = routes.map((r) => ({ r, params: r.match(path) })).filter((c) => c.params);
    const hit = candidates.find((c) => c.r.verb === verb);
    if (record) {
      record.protocol = "rest";
      record.procedure = hit ? `${verb} ${hit.r.template}` : "unmatched";
    }
    const fail = (status: number, detail: unknown, extra: Record<string, string> = {}) => sendJson(res, status, { detail }, extra);
    if (!hit) {
      req.resume();
      if (candidates.length === 0) return fail(404, "Not Found");
      return fail(405, "Method Not Allowed", { allow: [...new Set(candidates.map((c) => c.r.verb))].join(", ") });
    }
    const route = hit.r;
    const controller = new AbortController();
    res.once("close", () => controller.abort());
    const ctx = { requestId, signal: controller.signal, headers };
    try {
      if (route.body !== "" && !isJson(headers.get("content-type"))) {
        req.resume();
        throw new DomainError("unsupported_media_type", "Unsupported Media Type: send the body as application/json");
      }
      const text = route.body === "" ? "" : await readBody(req, opts.bodyLimitBytes);
      const message = route.decode(hit.params!, text);
      const out = await invoke(route.handler, message, ctx, log);
      if (!out.ok) return sendError(out.error);
      const json = toJson(route.method.output, out.value as never, { useProtoFieldName: true, alwaysEmitImplicit: true }) as JsonObject;
      const body = route.responseBody ? (json[route.responseBody] ?? []) : json;
      sendJson(res, route.successStatus, body);
    } catch (err) {
      // Decoding and body-reading failures; handler failures were classified by invoke.
      if (!(err instanceof DomainError)) log.error({ err, requestId }, "unexpected error");
      sendError(err instanceof DomainError ? err : undefined);
    }

    function sendError(err: DomainError | undefined) {
      const { status, body } = httpErrorBody(err);
      sendJson(res, status, body);
    }
  };
}

// FastAPI reads the body as JSON when the content type is absent or
// application/json or application/*+json.
function isJson(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

// Default decoding for RPCs without a FastAPI decoder: protobuf JSON, unknown
// fields ignored as FastAPI does, path parameters laid over the body.
function protobufJsonDecoder(route: HttpRoute): JsonDecoder {
  return (params, text) => {
    let body: JsonValue = {};
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as JsonValue;
      } catch {
        throw new ValidationFailed([{ type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: {}, ctx: { error: "Expecting value" } }]);
      }
    }
    const fields = route.body === "*" ? { ...(body as JsonObject), ...params } : route.body ? { [route.body]: body, ...params } : params;
    try {
      return fromJson(route.method.input, fields, { ignoreUnknownFields: true });
    } catch (err) {
      throw new ValidationFailed([{ type: "value_error", loc: ["body"], msg: String((err as Error).message), input: body, ctx: { error: {} } }]);
    }
  };
}
