// CORS for every protocol on the port (REST, Connect, gRPC-Web), so a web app
// on another origin can call the service. Honcho sets it up in src/main.py as
//   CORSMiddleware(allow_origins=settings.CORS_ORIGINS, allow_credentials=True,
//                  allow_methods=["*"], allow_headers=["*"])
// and this is a port of Starlette's CORSMiddleware
// (starlette/middleware/cors.py, 1.0.0 as Honcho pins it) with those arguments as the defaults:
// - no Origin header: the request passes through untouched;
// - OPTIONS with Access-Control-Request-Method is a preflight, answered here
//   whatever the path: 200 "OK", or 400 "Disallowed CORS origin, method,
//   headers, private-network" naming what failed, as text/plain;
// - any other request with an Origin gets the CORS headers on its answer,
//   whichever handler writes it (they are applied when the head is written).
// One addition: Access-Control-Expose-Headers names what gRPC-Web and Connect
// clients read from a response (Honcho exposes nothing; its REST needs none).
// One difference: Honcho's unhandled-error 500s lack the headers (Starlette
// answers them outside the middleware); here every answer has them, so a
// browser can read the error.
import { cors as connectCors } from "@connectrpc/connect";
import type { NodeRequest, NodeResponse } from "./http-io.js";

/** Starlette's ALL_METHODS, what allow_methods=["*"] stands for. */
export const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] as const;
const SAFELISTED_HEADERS = ["Accept", "Accept-Language", "Content-Language", "Content-Type"];

/**
 * Response headers a browser script may read: the gRPC-Web status (in the
 * head of a trailers-only answer), Connect's and gRPC's encodings, and the
 * request id every answer carries.
 */
export const EXPOSED_HEADERS: readonly string[] = [
  ...new Set([...connectCors.exposedHeaders, "Connect-Accept-Encoding", "Grpc-Encoding", "Grpc-Accept-Encoding", "X-Request-Id"]),
];

export interface CorsOptions {
  /** origins allowed, exactly as browsers send them (scheme://host[:port]); "*" allows any */
  allowOrigins: readonly string[];
  allowMethods?: readonly string[];
  allowHeaders?: readonly string[];
  allowCredentials?: boolean;
  exposeHeaders?: readonly string[];
  /** seconds a browser may cache a preflight */
  maxAge?: number;
  /** answer Private Network Access preflights (Starlette's allow_private_network; Honcho leaves it off) */
  allowPrivateNetwork?: boolean;
}

type Handler = (req: NodeRequest, res: NodeResponse) => void;

/** Wraps the whole request handler; Honcho's arguments unless told otherwise. */
export function withCors(handler: Handler, options: CorsOptions): Handler {
  const {
    allowOrigins,
    allowCredentials = true,
    exposeHeaders = EXPOSED_HEADERS,
    maxAge = 600,
    allowPrivateNetwork = false,
  } = options;
  const givenMethods = options.allowMethods ?? ["*"];
  const givenHeaders = options.allowHeaders ?? ["*"];
  const allowMethods: readonly string[] = givenMethods.includes("*") ? ALL_METHODS : givenMethods;
  const allowAllOrigins = allowOrigins.includes("*");
  const allowAllHeaders = givenHeaders.includes("*");
  // with credentials, even "*" is answered with the asking origin in preflights
  const preflightExplicitOrigin = !allowAllOrigins || allowCredentials;

  const simpleHeaders: Record<string, string> = {};
  if (allowAllOrigins) simpleHeaders["access-control-allow-origin"] = "*";
  if (allowCredentials) simpleHeaders["access-control-allow-credentials"] = "true";
  if (exposeHeaders.length > 0) simpleHeaders["access-control-expose-headers"] = exposeHeaders.join(", ");

  const preflightHeaders: Record<string, string> = {};
  if (preflightExplicitOrigin) preflightHeaders["vary"] = "Origin";
  else preflightHeaders["access-control-allow-origin"] = "*";
  preflightHeaders["access-control-allow-methods"] = allowMethods.join(", ");
  preflightHeaders["access-control-max-age"] = String(maxAge);
  // Starlette sorts the set, "*" included, but only lists it when not allowing all
  const listedHeaders = [...new Set([...SAFELISTED_HEADERS, ...givenHeaders])].sort();
  if (!allowAllHeaders) preflightHeaders["access-control-allow-headers"] = listedHeaders.join(", ");
  if (allowCredentials) preflightHeaders["access-control-allow-credentials"] = "true";
  const allowedHeaderNames = new Set(listedHeaders.map((h) => h.toLowerCase()));

  const isAllowedOrigin = (origin: string) => allowAllOrigins || allowOrigins.includes(origin);

  const preflight = (req: NodeRequest, res: NodeResponse, origin: string) => {
    const method = String(req.headers["access-control-request-method"]);
    const requested = req.headers["access-control-request-headers"];
    const headers = { ...preflightHeaders };
    const failures: string[] = [];
    if (isAllowedOrigin(origin)) {
      if (preflightExplicitOrigin) headers["access-control-allow-origin"] = origin;
    } else failures.push("origin");
    // exact, case-sensitive, as Starlette compares
    if (!allowMethods.includes(method)) failures.push("method");
    if (requested !== undefined) {
      const list = String(requested);
      // all headers allowed: whatever was asked for is mirrored back
      if (allowAllHeaders) headers["access-control-allow-headers"] = list;
      else if (list.split(",").some((h) => !allowedHeaderNames.has(h.toLowerCase().trim()))) failures.push("headers");
    }
    // Private Network Access (Starlette 1.0): allowed only when configured
    if (req.headers["access-control-request-private-network"] !== undefined) {
      if (allowPrivateNetwork) headers["access-control-allow-private-network"] = "true";
      else failures.push("private-network");
    }
    const body = Buffer.from(failures.length ? `Disallowed CORS ${failures.join(", ")}` : "OK");
    (res as import("node:http").ServerResponse).writeHead(failures.length ? 400 : 200, {
      ...headers,
      "content-length": String(body.length),
      "content-type": "text/plain; charset=utf-8",
    });
    res.end(body);
  };

  // Starlette's send(): on the response head, set the simple headers and,
  // for an allowed origin (or any, under "*" with credentials: Starlette 1.0
  // names it whether or not a cookie came), the origin itself and Vary.
  const decorate = (res: NodeResponse, origin: string) => {
    for (const [k, v] of Object.entries(simpleHeaders)) res.setHeader(k, v);
    const explicit = allowAllOrigins ? allowCredentials : isAllowedOrigin(origin);
    if (!explicit) return;
    res.setHeader("access-control-allow-origin", origin);
    const vary = res.getHeader("vary");
    res.setHeader("vary", vary === undefined ? "Origin" : `${Array.isArray(vary) ? vary.join(", ") : String(vary)}, Origin`);
  };

  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return handler(req, res);
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) return preflight(req, res, origin);
    onHead(res, () => decorate(res, origin));
    handler(req, res);
  };
}

/**
 * Runs `apply` just before the response head is written, whoever writes it:
 * an explicit writeHead (its header object merged first, so `apply` sees the
 * final headers and its values win, as in Starlette), or the implicit one that
 * write()/end() make through this.writeHead (HTTP/1.1 and HTTP/2 alike).
 */
function onHead(res: NodeResponse, apply: () => void): void {
  const target = res as unknown as { writeHead: (...args: unknown[]) => unknown };
  const original = target.writeHead;
  target.writeHead = function (this: unknown, status: unknown, ...rest: unknown[]) {
    target.writeHead = original;
    const last = rest[rest.length - 1];
    if (last !== null && typeof last === "object" && !Array.isArray(last)) {
      rest.pop();
      for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
        if (v !== undefined) res.setHeader(k, v as string | number | readonly string[]);
      }
    }
    if (!res.headersSent) apply();
    return original.call(res, status, ...rest);
  };
}
