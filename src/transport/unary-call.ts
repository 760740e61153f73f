// What the two short paths for unary calls share (grpc-unary.ts for gRPC,
// connect-unary.ts for the Connect protocol): the route, reading a body up
// to a limit, and the handler context connect-es would build, minus its
// three linked abort controllers and the abort at the end of every call.
// Connect's interceptors do not run here: the only one (observe.ts) names
// the call and notes its outcome in the call record, which this does too.
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { BinaryWriter } from "../contract/binary-writer.js";
import type { JsonWriter } from "../contract/json-writer.js";
import { headersOf, type NodeRequest, type NodeResponse } from "./http-io.js";
import { codeName, kCallRecord } from "./observe.js";

export type UnaryImpl = (req: unknown, ctx: HandlerContext) => Promise<unknown>;
export interface UnaryRoute {
  method: DescMethod;
  impl: UnaryImpl;
  /** the output's encoders (contract/binary-writer.ts, contract/json-writer.ts: the Connect protocol's JSON) */
  write: BinaryWriter;
  writeJson: JsonWriter;
}

/** The context of one call; `protocol` names it in the call record (observe.ts) as Connect's interceptor would. */
export function unaryContext(
  route: UnaryRoute,
  req: NodeRequest,
  res: NodeResponse,
  protocol: "grpc" | "connect",
  contextValues: ContextValues,
  responseHeader: Headers,
): HandlerContext {
  const record = contextValues.get(kCallRecord);
  if (record) {
    record.procedure = `${route.method.parent.typeName}/${route.method.name}`;
    record.protocol = protocol;
  }
  // aborted only when the client goes before the answer is written; with no
  // deadline, the client's going is the only signal there is
  const gone = new AbortController();
  res.once("close", () => res.writableFinished || gone.abort(new ConnectError("the client cancelled the call", Code.Canceled)));
  return {
    service: route.method.parent,
    method: route.method,
    protocolName: protocol,
    requestMethod: "POST",
    requestHeader: headersOf(req.headers),
    url: req.url ?? "",
    signal: gone.signal,
    timeoutMs: () => undefined,
    values: contextValues,
    responseHeader,
    responseTrailer: new Headers(),
  };
}

/** Runs the implementation; a failure comes back as the ConnectError Connect would answer with. */
export async function runUnary(route: UnaryRoute, input: unknown, ctx: HandlerContext): Promise<{ output: unknown } | { error: ConnectError }> {
  const record = ctx.values.get(kCallRecord);
  try {
    const output = await route.impl(input, ctx);
    if (record) record.code = "ok";
    return { output };
  } catch (e) {
    const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
    if (record) record.code = codeName(error.code);
    return { error };
  }
}

/** The body, whole, or its first `limit` bytes or more (the rest is drained) when it is longer. */
export function readAtMost(req: NodeRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", done);
      req.off("close", done);
      resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        req.resume(); // the rest is drained; Connect answers from what was read
        done();
      }
    };
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done); // reset before the end: the answer goes nowhere anyway
    req.once("error", reject);
  });
}
