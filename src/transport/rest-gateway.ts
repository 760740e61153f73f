// REST gateway: routes built from the google.api.http annotations of every
// bound service (no route is written by hand). In FastAPI's order: read the
// body and parse it when its content type is JSON, check the token, decode
// path + body into the request message, call the same handler the RPC
// protocols call, and write the response as JSON with proto field names.
import { fromJson, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import { DomainError, ValidationFailed } from "../domain/errors.js";
import { issue, MISSING, parseJsonBytes, RawBody } from "../domain/validation/index.js";
import { validationDetailJson } from "./exact-detail.js";
import { pydanticJson } from "../json/exact-numbers.js";
import type { JsonDecoder, Policy, ServiceBinding, UnaryHandler } from "../handlers/types.js";
import type { AuthGate } from "./auth-gate.js";
import { invoke } from "./call-context.js";
import { httpErrorBody } from "./error-codes.js";
import { routesOf, type HttpRoute } from "./http-rule.js";
import { quote, unquote } from "./percent-encoding.js";
import { jsonWriterFor, type JsonWriter } from "../contract/json-writer.js";
import { withNulls } from "../contract/nullable-json.js";
import { ANSWER_IN_PARTS_BYTES, BIG_BODY_BYTES, jsonInTurns, nextTurn } from "./turns.js";
import { headersOf, readBody, sendAnswerJson, sendJson, sendJsonBytes, sendNoContent, sendRedirect, type NodeRequest, type NodeResponse } from "./http-io.js";
import { recordOf } from "./observe.js";
import { formFieldsOf, readForm } from "./form-reader.js";

export interface GatewayOptions {
  bodyLimitBytes: number;
  auth: AuthGate;
  /** bytes of an uploaded file kept for a form route (Honcho's MAX_FILE_SIZE); beyond, only counted */
  maxFileBytes?: number;
  /** paths answered outside the gateway (the OpenAPI document, the docs page), whose trailing slash is redirected too */
  servedBeside?: readonly string[];
}

interface BoundRoute extends HttpRoute {
  handler: UnaryHandler;
  decode: JsonDecoder;
  /** a form route (File/Form parameters): the names of its file parts */
  form?: ReadonlySet<string>;
  writeJson: JsonWriter;
  policy?: Policy;
}

/** A Host header Starlette takes for the URL (host name, IPv4 or bracketed IPv6, and a port). */
const HOST = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]+)?$/i;

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
        form: formFieldsOf(method),
        writeJson: withNulls(method.output, jsonWriterFor(method.output)),
        policy: policies[method.localName],
      }));
    }),
  );

  // Starlette's redirect_slashes: a path no route takes, that one takes once
  // its trailing slashes are gone, is answered 307 to that URL, written as
  // URL(scope=…) and RedirectResponse write it (the decoded path, quoted
  // again; the query as it came; the Host header), before any auth
  function slashRedirect(req: NodeRequest, path: string): string | undefined {
    const bare = path.replace(/\/+$/, "");
    if (bare === path || path === "/" || !(routes.some((r) => r.match(bare)) || opts.servedBeside?.includes(bare))) return undefined;
    const url = req.url ?? "";
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
    // a Host that is no host[:port] is not echoed (Starlette 1.0.1's fix, #3279; Honcho pins 1.0.0, which echoes it)
    const given = String(req.headers.host ?? req.headers[":authority"] ?? "");
    const local = req.socket.localAddress?.includes(":") ? `[${req.socket.localAddress}]` : req.socket.localAddress;
    const host = HOST.test(given) ? given : `${local}:${req.socket.localPort}`;
    return quote(`${scheme}://${host}${unquote(bare)}${query ? `?${query}` : ""}`, ":/%#?=@[]!$&'()*+,;");
  }

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
    // the parsed body, for a 422 that echoes its numbers as Python wrote them (exact-numbers.ts)
    let parsedBody: { value: unknown; exactRoot?: string } | undefined;
    const sendError = (err: DomainError | undefined) => {
      const { status, body } = httpErrorBody(err);
      const exact = err instanceof ValidationFailed && parsedBody ? validationDetailJson(err.issues, parsedBody.value, parsedBody.exactRoot) : undefined;
      if (exact !== undefined) sendJsonBytes(res, status, Buffer.from(exact));
      else sendJson(res, status, body);
    };
    if (!hit) {
      req.resume();
      if (candidates.length === 0) {
        const location = slashRedirect(req, path);
        return location === undefined ? sendJson(res, 404, { detail: "Not Found" }) : sendRedirect(res, location);
      }
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
      let answerInParts = false;
      if (route.form) {
        // a form route reads its body as request.form() does (form-reader.ts)
        const maxFileBytes = opts.maxFileBytes ?? 5 * 1024 * 1024;
        body = await readForm(req, headers.get("content-type"), { bodyLimitBytes: Math.max(opts.bodyLimitBytes, maxFileBytes + 1024 * 1024), fileFields: route.form, maxFileBytes });
      } else if (route.body !== "") {
        // FastAPI (routing.py get_request_handler) reads the body whatever its
        // content type; an empty one is no body. It parses JSON only for a JSON
        // content type; any other body reaches pydantic as bytes (RawBody).
        const bytes = await readBody(req, opts.bodyLimitBytes);
        if (bytes.length > 0 && !readsJson(headers.get("content-type"))) body = new RawBody(bytes);
        else if (bytes.length > 0) {
          // a big body's steps (parse, answer) each take milliseconds: they take
          // turns (turns.ts), so that big batches arriving together do not stall the rest
          const big = bytes.length > BIG_BODY_BYTES;
          answerInParts = bytes.length > ANSWER_IN_PARTS_BYTES;
          if (big) await nextTurn();
          const parsed = parseJsonBytes(bytes);
          if (big) await nextTurn();
          if (!parsed.ok) throw new ValidationFailed(parsed.issues); // reported alone, before auth
          parsedBody = parsed;
          // a JSON null is no body: _validate_value_with_model_field tests `value is None`
          body = parsed.value === null ? MISSING : parsed.value;
        }
      }
      // the token may name what the body creates (POST /v3/workspaces: body.id)
      const bodyNames = route.body === "*" && body && typeof body === "object" && !(body instanceof RawBody) ? stringFields(body as Record<string, unknown>) : {};
      await opts.auth(route.policy, headers, { ...bodyNames, ...params });
      const message = route.decode(params, body, Object.fromEntries(new URLSearchParams((req.url ?? "").split("?")[1] ?? "")), headers.get("content-type"));
      const out = await invoke(route.handler, message, { requestId, signal: controller.signal, headers }, log);
      if (!out.ok) return sendError(out.error);
      const json = route.writeJson(out.value as Message) as JsonObject;
      const status = route.createdField && json[route.createdField] === true ? 201 : route.successStatus;
      if (status === 204) return sendNoContent(res);
      const answer = route.responseBody ? (json[route.responseBody] ?? []) : json;
      // as FastAPI answers through the route's response model: pydantic's spelling of numbers
      if (answerInParts) sendJsonBytes(res, status, await jsonInTurns(answer, pydanticJson));
      else sendAnswerJson(res, status, answer);
    } catch (err) {
      // Reading, parsing, auth and decoding failures; handler failures were classified by invoke.
      if (!(err instanceof DomainError)) log.error({ err, requestId }, "unexpected error");
      sendError(err instanceof DomainError ? err : undefined);
    }
  };
}

function stringFields(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === "string"));
}

// Whether FastAPI 0.136.1 parses the body as JSON (routing.py, strict_content_type
// on by default since 0.132):
//   if not content_type_value: (strict: no JSON)
//   message["content-type"] = content_type_value
//   if message.get_content_maintype() == "application":
//       subtype = message.get_content_subtype(); if subtype == "json" or subtype.endswith("+json"): json
// email.message's get_content_type: value.partition(";")[0].strip().lower(),
// and "text/plain" unless it holds exactly one "/".
function readsJson(contentType: string | null): boolean {
  if (!contentType) return false;
  const parts = pyStrip(contentType.split(";")[0]!).toLowerCase().split("/");
  if (parts.length !== 2 || parts[0] !== "application") return false;
  return parts[1] === "json" || parts[1]!.endsWith("+json");
}

// Python's str.strip(): its whitespace, not JavaScript's (\x1c-\x1f and \x85 are, \ufeff is not).
const pyStrip = (s: string) => s.replace(/^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");

// Default decoding for RPCs without a FastAPI decoder: protobuf JSON, unknown
// fields ignored as FastAPI does, path parameters laid over the body.
function protobufJsonDecoder(route: HttpRoute): JsonDecoder {
  return (params, parsed) => {
    if (parsed instanceof RawBody) throw new ValidationFailed([issue.modelAttributesType(["body"], parsed)]);
    const body = (parsed === MISSING ? {} : parsed) as JsonValue;
    const fields = route.body === "*" ? { ...(body as JsonObject), ...params } : route.body ? { [route.body]: body, ...params } : params;
    try {
      return fromJson(route.method.input, fields, { ignoreUnknownFields: true });
    } catch (err) {
      throw new ValidationFailed([{ type: "value_error", loc: ["body"], msg: `Value error, ${(err as Error).message}`, input: body, ctx: { error: {} } }]);
    }
  };
}
