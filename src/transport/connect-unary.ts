// Unary calls in the Connect protocol (POST, application/json or
// application/proto), answered without connect-node's streaming machinery,
// as grpc-unary.ts answers plain gRPC: under connect-es a Connect call cost
// about 1.7 times the service CPU of the same REST call. The parts that make
// the answer are connect-es's own (its serialization for the method, its
// status for each code, its error JSON, its compression negotiation and
// trailer- headers), so the answers are Connect's; a test sends every case
// both ways. A call this path does not take (GET, a compressed body, a
// deadline, another content type, a body over the limit or that does not
// parse) goes to Connect with the bytes already read.
import { fromJson, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import type { ContextValues } from "@connectrpc/connect";
import { compressionNegotiate, createMethodSerializationLookup, validateReadWriteMaxBytes, type Compression } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, contentTypeUnaryJson, contentTypeUnaryProto, errorToJsonBytes, trailerMux } from "@connectrpc/connect/protocol-connect";
import { duplicateFree } from "../contract/json-keys.js";
import { asciiText } from "../domain/validation/ascii-text.js";
import type { NodeRequest, NodeResponse } from "./http-io.js";
import { ANSWER_IN_PARTS_BYTES, BIG_BODY_BYTES, jsonInTurns, nextTurn } from "./turns.js";
import { readAtMost, runUnary, unaryContext, type UnaryRoute } from "./unary-call.js";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder(); // as connect-es's: malformed bytes become U+FFFD

/** connect-es's JSON parse (fromJsonString, unknown fields ignored) with a faster duplicate-name scan; where that scan is unsure, the throw hands the call to Connect */
function parseJson(desc: DescMessage, body: Uint8Array): Message {
  const text = asciiText(body) ?? utf8Decoder.decode(body);
  const value = JSON.parse(text) as JsonValue;
  if (!duplicateFree(text)) throw new Error("a member name twice, or an escaped one: Connect decides");
  return fromJson(desc, value, { ignoreUnknownFields: true });
}

/** Calls answered here, and calls read here then handed to Connect (tests read these). */
export const connectUnaryCounts = { answered: 0, handed: 0 };

/** True for the calls this path answers: POST, unary JSON or binary, no compressed body, no deadline. */
export function isPlainConnectUnary(req: NodeRequest): boolean {
  if (req.method !== "POST") return false;
  const h = req.headers;
  const type = h["content-type"];
  const encoding = h["content-encoding"];
  return (type === contentTypeUnaryJson || type === contentTypeUnaryProto) && h["connect-timeout-ms"] === undefined && (encoding === undefined || encoding === "identity");
}

export interface ConnectUnaryOptions {
  readMaxBytes: number;
  /** the compressions the router accepts, in its order */
  acceptCompression: Compression[];
}

export function connectUnary(opts: ConnectUnaryOptions) {
  const limits = validateReadWriteMaxBytes(opts.readMaxBytes, undefined, undefined);
  const serializations = new Map<UnaryRoute, ReturnType<typeof createMethodSerializationLookup>>();
  const serializationOf = (route: UnaryRoute) => {
    let s = serializations.get(route);
    if (!s) serializations.set(route, (s = createMethodSerializationLookup(route.method, undefined, undefined, limits)));
    return s;
  };

  /** Answers the call, or returns the body read (as one chunk) for Connect to answer. */
  return async function serve(req: NodeRequest, res: NodeResponse, route: UnaryRoute, contextValues: ContextValues): Promise<{ handed: Buffer } | undefined> {
    const body = await readAtMost(req, limits.readMaxBytes + 1);
    const binary = req.headers["content-type"] === contentTypeUnaryProto;
    const serialization = serializationOf(route);
    // parsing a big body takes milliseconds: it takes its turn (turns.ts), as REST's does
    const big = body.length > BIG_BODY_BYTES;
    if (big) await nextTurn();
    let input: unknown;
    try {
      if (body.length > limits.readMaxBytes) throw new Error("over the limit");
      input = binary ? serialization.getI(true).parse(body) : parseJson(route.method.input, body);
    } catch {
      connectUnaryCounts.handed++;
      return { handed: body };
    }
    if (big) await nextTurn();
    connectUnaryCounts.answered++;

    const ctx = unaryContext(route, req, res, "connect", contextValues, new Headers({ "content-type": binary ? contentTypeUnaryProto : contentTypeUnaryJson }));
    const out = await runUnary(route, input, ctx);
    let status = 200;
    let bytes: Uint8Array;
    if ("output" in out) {
      // connect-es's JSON serialization is toJson then JSON.stringify; the compiled writer gives the same JSON
      if (binary) bytes = route.write(out.output as Message);
      else if (body.length > ANSWER_IN_PARTS_BYTES) bytes = await jsonInTurns(route.writeJson(out.output as Message)); // in parts, as REST's
      else bytes = utf8.encode(JSON.stringify(route.writeJson(out.output as Message)));
    } else {
      status = codeToHttpStatus(out.error.code);
      ctx.responseHeader.set("content-type", contentTypeUnaryJson);
      out.error.metadata.forEach((value, key) => ctx.responseHeader.set(key, value));
      bytes = errorToJsonBytes(out.error, undefined);
    }
    const compression = compressionNegotiate(opts.acceptCompression, null, headerOf(req, "accept-encoding"), "accept-encoding").response;
    if (compression && bytes.byteLength >= limits.compressMinBytes) {
      bytes = await compression.compress(bytes);
      ctx.responseHeader.set("content-encoding", compression.name);
    }
    const header = trailerMux(ctx.responseHeader, ctx.responseTrailer);
    header.set("content-length", String(bytes.byteLength));
    if (res.destroyed) return undefined;
    res.writeHead(status, Object.fromEntries(header));
    res.end(bytes);
    return undefined;
  };
}

function headerOf(req: NodeRequest, name: string): string | null {
  const v = req.headers[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
}
