// Node adapter for the Connect router, as connect-node's connectNodeAdapter
// but with two corrections: connect-es reports a request whose protobuf bytes
// do not parse as INTERNAL, a server fault. It is the client's mistake, so
// it leaves here as INVALID_ARGUMENT on every protocol. And gRPC's
// grpc-message is encoded as the gRPC spec encodes it (grpc-message.ts).
// Plain unary gRPC and Connect calls take a shorter path (grpc-unary.ts,
// connect-unary.ts).
import { Code, ConnectError, createConnectRouter, type ConnectRouter, type ConnectRouterOptions, type ContextValues } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { Http2ServerResponse } from "node:http2";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { codeToHttpStatus, contentTypeUnaryJson, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import { connectUnary, isPlainConnectUnary } from "./connect-unary.js";
import { respellGrpcMessage, respelt } from "./grpc-message.js";
import { envelope, isPlainGrpcUnary, serveGrpcUnary } from "./grpc-unary.js";
import type { NodeRequest, NodeResponse } from "./http-io.js";
import type { UnaryRoute } from "./unary-call.js";

export interface AdapterOptions extends ConnectRouterOptions {
  routes: (router: ConnectRouter) => void;
  /** unary methods by path, for plain gRPC and Connect calls (grpc-unary.ts, connect-unary.ts) */
  unary: Map<string, UnaryRoute>;
  fallback: (req: NodeRequest, res: NodeResponse) => void;
  contextValues: (req: NodeRequest) => ContextValues;
}

const PARSE_FAILURE = /^parse binary: /;

export function connectAdapter(options: AdapterOptions, log: Logger) {
  const acceptCompression = [compressionGzip, compressionBrotli];
  const router = createConnectRouter({ acceptCompression, ...options });
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const readMaxBytes = options.readMaxBytes ?? 0xffffffff;
  const serveConnectUnary = connectUnary({ readMaxBytes, acceptCompression: options.acceptCompression ?? acceptCompression });
  // a short path's call it did not take goes to Connect, with the bytes already read;
  // one it took and then failed to answer (an answer it could not write) gets an internal error, never silence
  const orConnect = (served: Promise<{ handed: Buffer } | undefined>, handler: UniversalHandler, req: NodeRequest, res: NodeResponse, values: ContextValues) =>
    void served.then(
      (rest) => rest && answer(handler, { ...universalRequestFromNodeRequest(req as never, res as never, undefined, values), body: once(rest.handed) }, res),
      (err: unknown) => {
        log.error({ err, rpc: handler.requestPath }, "rpc failed");
        answerInternal(req, res);
      },
    );
  return (req: NodeRequest, res: NodeResponse) => {
    const path = (req.url ?? "").split("?", 1)[0]!;
    const handler = paths.get(path);
    if (!handler) return options.fallback(req, res);
    const values = options.contextValues(req);
    const fast = options.unary.get(path);
    if (fast && isPlainGrpcUnary(req)) return orConnect(serveGrpcUnary(req, res as Http2ServerResponse, fast, readMaxBytes, values), handler, req, res, values);
    if (fast && isPlainConnectUnary(req)) return orConnect(serveConnectUnary(req, res, fast, values), handler, req, res, values);
    answer(handler, universalRequestFromNodeRequest(req as never, res as never, undefined, values), res);
  };

  function answer(handler: UniversalHandler, uReq: UniversalServerRequest, res: NodeResponse) {
    handler(uReq)
      .then(asClientError)
      .then((uRes) => universalResponseToNodeResponse(uRes, res as never))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code !== Code.Aborted) log.error({ err: reason, rpc: handler.requestPath }, "rpc failed");
      });
  }
}

/** Code.Internal in the call's protocol (gRPC: trailers-only; Connect: its JSON error), or the stream reset when the answer had begun. */
function answerInternal(req: NodeRequest, res: NodeResponse): void {
  if (res.destroyed || res.writableEnded) return;
  if (res.headersSent) return void res.destroy();
  if (isPlainGrpcUnary(req)) {
    res.writeHead(200, { "content-type": "application/grpc+proto", "grpc-status": String(Code.Internal), "grpc-message": "internal error" });
    return void res.end();
  }
  const bytes = errorToJsonBytes(new ConnectError("internal error", Code.Internal), undefined);
  res.writeHead(codeToHttpStatus(Code.Internal), { "content-type": contentTypeUnaryJson, "content-length": String(bytes.byteLength) });
  res.end(bytes);
}

async function asClientError(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  // gRPC: the status is in the trailers, or in the headers of a trailers-only answer
  for (const h of [res.trailer, res.header]) {
    if (h?.get("grpc-status") === String(Code.Internal) && PARSE_FAILURE.test(decodeURIComponent(h.get("grpc-message") ?? ""))) {
      h.set("grpc-status", String(Code.InvalidArgument));
    }
  }
  if (isGrpc(res)) {
    // gRPC-Web's trailers travel as the body's last frame (flag 0x80)
    if (res.body) return { ...res, body: respellingAtEnd(rewriteTrailerFrame(res.body), res) };
    respellGrpcMessage(res.header);
    respellGrpcMessage(res.trailer);
    return res;
  }
  if (!res.body) return res;
  // Connect: a small JSON error body under HTTP 500
  if (res.status === 500) {
    const text = Buffer.concat(await collect(res.body)).toString("utf8");
    const error = JSON.parse(text) as { code?: string; message?: string };
    if (error.code !== "internal" || !PARSE_FAILURE.test(error.message ?? "")) return { ...res, body: once(Buffer.from(text)) };
    const body = Buffer.from(JSON.stringify({ ...error, code: "invalid_argument" }));
    // the header still gives the length of the answer replaced (a client read it cut short)
    const header = new Headers(res.header);
    header.set("content-length", String(body.length));
    return { ...res, status: 400, header, body: once(body) };
  }
  return res;
}

/** gRPC and gRPC-Web answers (application/grpc, application/grpc+proto, application/grpc-web+json, ...) */
const isGrpc = (res: UniversalServerResponse) => /^application\/grpc(-web)?(\+|;|$)/.test(res.header?.get("content-type") ?? "");

/**
 * The body as it came, with grpc-message spelt as the gRPC spec spells it
 * (grpc-message.ts) in the header once it is final (connect-node writes it
 * after the first chunk, or after the end of a body without one) and in the
 * trailers, filled as the body ends.
 */
async function* respellingAtEnd(body: AsyncIterable<Uint8Array>, res: UniversalServerResponse): AsyncIterable<Uint8Array> {
  let headerDone = false;
  for await (const chunk of body) {
    if (!headerDone) respellGrpcMessage(res.header);
    headerDone = true;
    yield chunk;
  }
  if (!headerDone) respellGrpcMessage(res.header);
  respellGrpcMessage(res.trailer);
}

async function* rewriteTrailerFrame(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    if (chunk[0] !== 0x80 || chunk.length < 5) {
      yield chunk;
      continue;
    }
    const text = Buffer.from(chunk.subarray(5)).toString("utf8");
    let out = text.replace(/^grpc-message: (.*)$/m, (_, value: string) => `grpc-message: ${respelt(value)}`);
    if (out.includes(`grpc-status: ${Code.Internal}\r\n`) && out.includes("parse binary")) {
      out = out.replace(`grpc-status: ${Code.Internal}\r\n`, `grpc-status: ${Code.InvalidArgument}\r\n`);
    }
    yield out === text ? chunk : envelope(0x80, Buffer.from(out));
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return chunks;
}

async function* once(chunk: Uint8Array): AsyncIterable<Uint8Array> {
  yield chunk;
}
