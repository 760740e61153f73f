// REST gateway: routes built from the google.api.http annotations of every
// bound service (no route is written by hand). In FastAPI's order: read and
// parse the JSON body, check the token, decode path + body into the request
// message, call the same handler the RPC protocols call, and write the
// response as JSON with proto field names.
import { fromJson, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { DomainError, ValidationFailed } from "../domain/errors.js";
import { MISSING, parseRequestBody } from "../domain/validation/index.js";
import type { JsonDecoder, Policy, ServiceBinding, UnaryHandler } from "../handlers/index.js";
import type { AuthGate } from "./auth-gate.js";
import { invoke } from "./call-context.js";
import { httpErrorBody } from "./error-codes.js";
import { routesOf, type HttpRoute } from "./http-rule.js";
import { jsonWriterFor, type JsonWriter } from "../contract/json-writer.js";
import { nextTurn } from "./turns.js";
import { headersOf, readBody, sendJson, sendJsonBytes, type NodeRequest, type NodeResponse } from "./http-io.js";
import { recordOf } from "./observe.js";

// A big body's steps (parse, validate, answer) each take milliseconds: they
// take turns (turns.ts), so that a few big batches arriving together do not
// stall everyone else.
const BIG_BODY_CHARS = 256 * 1024;

export interface GatewayOptions {
  bodyLimitBytes: number;
  auth: AuthGate;
}

interface BoundRoute extends HttpRoute {
  handler: UnaryHandler;
  decode: JsonDecoder;
  writeJson: JsonWriter;
  policy?: Policy;
}

export function restGateway(bindings: ServiceBinding[], opts: GatewayOptions, log: Logger) {
  const routes: BoundRoute[] = bindings.flatMap(({ service, handlers, jsonDecoders, policies }) =>
    service.methods.flatMap((method) => {
      const handler = handlers[method.localName];
      if (!handler) return [];
      const decode = jsonDecoders?.[method.localName];
      return routesOf(method).map((r) => ({
        ...r,
        handler,
        decode: decode ?? protobufJsonDecoder(r),
        writeJson: jsonWriterFor(method.output),
        policy: policies[method.localName],
      }));
    }),
  );

  return async function handle(req: NodeRequest, res: NodeResponse): Promise<void> {
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
    const sendError = (err: DomainError | undefined) => {
      const { status, body } = httpErrorBody(err);
      sendJson(res, status, body);
    };
    if (!hit) {
      req.resume();
      if (candidates.length === 0) return sendJson(res, 404, { detail: "Not Found" });
      return sendJson(res, 405, { detail: "Method Not Allowed" }, { allow: [...new Set(candidates.map((c) => c.r.verb))].join(", ") });
    }
    const route = hit.r;
    const params = hit.params!;
    const headers = headersOf(req.headers);
    const controller = new AbortController();
    // only a client gone before the answer aborts (an abort builds a DOMException)
    res.once("close", () => res.writableFinished || controller.abort());
    try {
      let body: unknown = MISSING;
      let big = false;
      if (route.body !== "") {
        if (!isJson(headers.get("content-type"))) {
          req.resume();
          throw new DomainError("unsupported_media_type", "Unsupported Media Type: send the body as application/json");
        }
        const text = await readBody(req, opts.bodyLimitBytes);
        big = text.length > BIG_BODY_CHARS;
        if (big) await nextTurn();
        const parsed = parseRequestBody(text);
        if (big) await nextTurn();
        if (!parsed.ok) throw new ValidationFailed(parsed.issues); // reported alone, before auth
        body = parsed.value;
      }
      // the token may name what the body creates (POST /v3/workspaces: body.id)
      const bodyNames = route.body === "*" && body && typeof body === "object" ? stringFields(body as Record<string, unknown>) : {};
      await opts.auth(route.policy, headers, { ...bodyNames, ...params });
      const message = route.decode(params, body, Object.fromEntries(new URLSearchParams((req.url ?? "").split("?")[1] ?? "")));
      const out = await invoke(route.handler, message, { requestId, signal: controller.signal, headers }, log);
      if (!out.ok) return sendError(out.error);
      const json = route.writeJson(out.value as Message) as JsonObject;
      const answer = route.responseBody ? (json[route.responseBody] ?? []) : json;
      if (big && Array.isArray(answer)) await sendJsonInTurns(res, route.successStatus, answer);
      else sendJson(res, route.successStatus, answer);
    } catch (err) {
      // Reading, parsing, auth and decoding failures; handler failures were classified by invoke.
      if (!(err instanceof DomainError)) log.error({ err, requestId }, "unexpected error");
      sendError(err instanceof DomainError ? err : undefined);
    }
  };
}

// A big list answer is serialised an item at a time, taking a turn every
// TURN_BYTES, then sent with its length as one body.
const TURN_BYTES = 256 * 1024;
async function sendJsonInTurns(res: NodeResponse, status: number, items: JsonValue[]): Promise<void> {
  const parts: Buffer[] = [];
  let pending = 0;
  for (let i = 0; i < items.length; i++) {
    const part = Buffer.from((i === 0 ? "[" : ",") + (JSON.stringify(items[i]) ?? "null"));
    parts.push(part);
    pending += part.length;
    if (pending > TURN_BYTES) {
      pending = 0;
      await nextTurn();
    }
  }
  parts.push(Buffer.from(items.length === 0 ? "[]" : "]"));
  sendJsonBytes(res, status, Buffer.concat(parts));
}

function stringFields(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === "string"));
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
  return (params, parsed) => {
    const body = (parsed === MISSING ? {} : parsed) as JsonValue;
    const fields = route.body === "*" ? { ...(body as JsonObject), ...params } : route.body ? { [route.body]: body, ...params } : params;
    try {
      return fromJson(route.method.input, fields, { ignoreUnknownFields: true });
    } catch (err) {
      throw new ValidationFailed([{ type: "value_error", loc: ["body"], msg: `Value error, ${(err as Error).message}`, input: body, ctx: { error: {} } }]);
    }
  };
}
