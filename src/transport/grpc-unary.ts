// Unary gRPC over HTTP/2, answered without connect-node's streaming
// machinery. connect-es runs every call, unary or not, through async
// iterables, linked abort controllers and an abort at the end of each call
// (which builds a DOMException with its stack): that took about twice the
// CPU of a REST call of the same RPC here. A plain call (one uncompressed
// message, no deadline) is read whole, decoded, passed to the same method
// implementation Connect calls (admission, handler, error mapping in
// connect-routes.ts) and answered with the bytes (encoded by the compiled
// writer) and trailers connect-es writes; anything else, or a body this does
// not take, goes to Connect with the bytes already read, so its answers stay
// Connect's. A client's deadline (grpc-timeout) also sends the call there.
import { fromBinary, type Message } from "@bufbuild/protobuf";
import type { ContextValues } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { respellGrpcMessage } from "./grpc-message.js";
import type { NodeRequest } from "./http-io.js";
import { readAtMost, runUnary, unaryContext, type UnaryRoute } from "./unary-call.js";

const CONTENT_TYPES = new Set(["application/grpc", "application/grpc+proto"]);

/** Calls answered here, and calls read here then handed to Connect (tests read these). */
export const grpcUnaryCounts = { answered: 0, handed: 0 };

/** True for the calls this path answers: HTTP/2 POST, binary gRPC, no compression, no deadline. */
export function isPlainGrpcUnary(req: NodeRequest): req is Http2ServerRequest {
  if (!("stream" in req) || req.method !== "POST") return false;
  const h = req.headers;
  const encoding = h["grpc-encoding"];
  return CONTENT_TYPES.has(String(h["content-type"])) && h["grpc-timeout"] === undefined && (encoding === undefined || encoding === "identity");
}

/**
 * Answers the call, or returns the body read so far (as one chunk) for
 * Connect to answer when the call is not one this path takes.
 */
export async function serveGrpcUnary(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  route: UnaryRoute,
  readMaxBytes: number,
  contextValues: ContextValues,
): Promise<{ handed: Buffer } | undefined> {
  const body = await readAtMost(req, readMaxBytes + 6);
  // exactly one uncompressed message within the limit; else Connect's errors
  const hand = () => {
    grpcUnaryCounts.handed++;
    return { handed: body };
  };
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5 || body.length - 5 > readMaxBytes) return hand();
  let input: unknown;
  try {
    input = fromBinary(route.method.input, body.subarray(5));
  } catch {
    return hand();
  }
  grpcUnaryCounts.answered++;

  const ctx = unaryContext(route, req, res, "grpc", contextValues, new Headers({ "content-type": "application/grpc+proto" }));
  ctx.responseTrailer.set("grpc-status", "0");
  const out = await runUnary(route, input, ctx);
  if ("error" in out) respellGrpcMessage(setTrailerStatus(ctx.responseTrailer, out.error));
  // encoded before anything is written: an answer that cannot be encoded leaves the call unanswered for the adapter to fail
  const bytes = "output" in out ? envelope(0, route.write(out.output as Message)) : undefined;
  if (res.destroyed) return undefined;
  res.writeHead(200, Object.fromEntries(ctx.responseHeader));
  res.addTrailers(Object.fromEntries(ctx.responseTrailer));
  if (bytes) res.end(bytes);
  else res.end();
  return undefined;
}

/** A gRPC (and gRPC-Web) length-prefixed message: a flags byte, the length (big-endian uint32), the bytes. */
export function envelope(flags: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}
