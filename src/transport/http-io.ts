// Small HTTP helpers shared by the REST gateway and the server: header
// conversion, bounded body reading and JSON answers. Work for HTTP/1.1 and
// HTTP/2 (compat API) requests alike.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { pydanticJson, pythonJson } from "../json/exact-numbers.js";
import { DomainError } from "../domain/errors.js";

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

export function headersOf(raw: IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(":") || v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) h.append(k, item);
    else h.set(k, v);
  }
  return h;
}

/**
 * Reads the body's bytes, refusing (413) as soon as it passes `limit` bytes.
 * What the bytes mean (JSON, which encoding) is the caller's business, as in
 * FastAPI, which reads the body first and looks at its content type after.
 */
export function readBody(req: NodeRequest, limit: number): Promise<Buffer> {
  const tooLarge = () => new DomainError("payload_too_large", `Request body exceeds the limit of ${limit} bytes`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain what is sent without keeping it
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    const gone = () => reject(new DomainError("cancelled", "The client closed the request before its body was read"));
    req.once("error", gone);
    req.once("aborted", gone);
  });
}

export function sendJson(res: NodeResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // encoded once: measuring the string, then writing it, scans a 2.5 MB answer twice
  sendJsonBytes(res, status, Buffer.from(pythonJson(body)), headers);
}

/** A route's answer, written as FastAPI writes it through the route's response model: pydantic's numbers (exact-numbers.ts pydanticJson). */
export function sendAnswerJson(res: NodeResponse, status: number, body: unknown): void {
  sendJsonBytes(res, status, Buffer.from(pydanticJson(body)));
}

/** 204: no body, no content type (FastAPI's Response(status_code=204)). */
export function sendNoContent(res: NodeResponse): void {
  (res as ServerResponse).writeHead(204);
  res.end();
}

/** 307 to `location`, with no body (Starlette's RedirectResponse). */
export function sendRedirect(res: NodeResponse, location: string): void {
  (res as ServerResponse).writeHead(307, { "content-length": "0", location });
  res.end();
}

/** Sends JSON already encoded as UTF-8. */
export function sendJsonBytes(res: NodeResponse, status: number, bytes: Buffer, headers: Record<string, string> = {}): void {
  (res as ServerResponse).writeHead(status, {
    "content-type": "application/json",
    "content-length": String(bytes.length),
    ...headers,
  });
  res.end(bytes);
}
