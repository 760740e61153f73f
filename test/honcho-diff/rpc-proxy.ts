// REST in front, protobuf behind: the service's own REST gateway (the same
// routes and answers), whose handlers pass each request on to another
// instance of the service over gRPC (or Connect). The request is
// transcoded as a gRPC client would write it (google.api.http: the path's
// fields, the body at the rule's `body`, the query's fields, read as
// protobuf JSON), and the backend validates it from the protobuf message
// (validated-rpc.ts, valueOf), and checks the caller's token on the RPC's
// fields (the proxy checks none). A request protobuf JSON cannot hold (a value
// of another type, an unknown key, `reverse=1`) and a form are decoded as
// REST decodes them instead. diff.py between a plain instance and this
// proxy (each on a database of its own) shows every call the protobuf path
// answers otherwise than REST does. See README.md here.
//
//   npx tsx test/honcho-diff/rpc-proxy.ts BACKEND_URL [PORT] [grpc|connect]
import { fromJson, toJson, type DescMessage, type DescMethod, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createServer } from "node:http";
import pino from "pino";
import { HTTPValidationErrorSchema } from "../../gen/honcho/v3/messages_pb.js";
import { loadConfig } from "../../src/config.js";
import { DomainError, ValidationFailed, type ErrorKind } from "../../src/domain/errors.js";
import { MISSING, RawBody, type ValidationIssue } from "../../src/domain/validation/index.js";
import { bindServices } from "../../src/handlers/index.js";
import type { CallContext } from "../../src/handlers/context.js";
import type { Dependencies, JsonDecoder, UnaryHandler } from "../../src/handlers/types.js";
import { routesOf } from "../../src/transport/http-rule.js";
import { restGateway } from "../../src/transport/rest-gateway.js";
import { transcodedRequest } from "../support/transcode.js";

const [backend, port = "18400", protocol = "grpc"] = process.argv.slice(2);
if (!backend) throw new Error("usage: rpc-proxy.ts BACKEND_URL [PORT] [grpc|connect]");
const transport: Transport = protocol === "connect" ? createConnectTransport({ baseUrl: backend, httpVersion: "1.1" }) : createGrpcTransport({ baseUrl: backend });
const log = pino({ level: "warn" });
const cfg = loadConfig({});

// Only the bindings' services, decoders and policies are used: no handler of them runs here.
const bindings = bindServices({ honcho: cfg.honcho, log } as unknown as Dependencies);

// What the backend answered, as the gateway would have had it from its own handler.
const KINDS: Partial<Record<Code, ErrorKind>> = {
  [Code.InvalidArgument]: "invalid_argument",
  [Code.Unauthenticated]: "unauthenticated",
  [Code.NotFound]: "not_found",
  [Code.AlreadyExists]: "conflict",
  [Code.Unavailable]: "unavailable",
  [Code.ResourceExhausted]: "payload_too_large",
};
function domainErrorOf(err: unknown): DomainError | unknown {
  if (!(err instanceof ConnectError)) return err;
  const [detail] = err.findDetails(HTTPValidationErrorSchema);
  if (detail) return new ValidationFailed((toJson(HTTPValidationErrorSchema, detail) as unknown as { detail: ValidationIssue[] }).detail);
  const kind = KINDS[err.code];
  return kind ? new DomainError(kind, err.rawMessage) : err;
}

const proxied = bindings.map((b) => {
  const client = createClient(b.service, transport) as unknown as Record<string, (req: unknown, opts: { headers: Record<string, string> }) => Promise<MessageShape<DescMessage>>>;
  const handlers: Record<string, UnaryHandler> = {};
  for (const name of Object.keys(b.handlers)) {
    handlers[name] = async (req: unknown, ctx: CallContext) => {
      // the caller's token goes on: the backend decides, on the RPC's own fields
      const token = ctx.headers.get("authorization");
      try {
        return await client[name]!(req, { headers: token ? { authorization: token } : {} });
      } catch (err) {
        throw domainErrorOf(err);
      }
    };
  }
  const jsonDecoders: Record<string, JsonDecoder> = {};
  for (const method of b.service.methods) {
    if (b.handlers[method.localName]) jsonDecoders[method.localName] = transcoding(method, b.jsonDecoders?.[method.localName]);
  }
  return { ...b, handlers, jsonDecoders };
});

function transcoding(method: DescMethod, restDecoder: JsonDecoder | undefined): JsonDecoder {
  const bodyField = routesOf(method)[0]?.body ?? "";
  return (path, body, query, contentType) => {
    const asRest = () => (restDecoder ? restDecoder(path, body, query, contentType) : fromJson(method.input, path));
    // a form (an upload) and a body that is not JSON are REST's alone
    if (body instanceof RawBody || (body !== MISSING && typeof body === "object" && body !== null && "file" in body)) return asRest();
    return transcodedRequest(method, bodyField, path, body === MISSING ? undefined : (body as JsonValue), query ?? {}) ?? asRest();
  };
}

const noAuth = async () => {};
const rest = restGateway(proxied, { bodyLimitBytes: cfg.bodyLimitBytes, auth: noAuth, maxFileBytes: cfg.honcho.maxFileSize }, log);
createServer((req, res) => void rest(req, res)).listen(Number(port), "127.0.0.1", () => console.log(`REST on http://127.0.0.1:${port} → ${protocol} ${backend}`));
