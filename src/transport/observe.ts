// Observability for every call, whatever the protocol: a request id (from
// x-request-id or new) on every log line and response, one access line per
// request, and Prometheus metrics.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import client from "prom-client";
import type { NodeRequest, NodeResponse } from "./http-io.js";

/** What one request did; filled in by whichever transport serves it. */
export interface CallRecord {
  requestId: string;
  protocol: "rest" | "grpc" | "grpc-web" | "connect" | "http";
  /** RPC "pkg.Service/Method", REST route template, or the path */
  procedure: string;
  /** RPC code name ("ok", "invalid_argument", ...) once known */
  code?: string;
}

export const kCallRecord = createContextKey<CallRecord | undefined>(undefined, { description: "call record" });

const records = new WeakMap<object, CallRecord>();
export const recordOf = (req: NodeRequest): CallRecord | undefined => records.get(req);

export interface Observability {
  registry: client.Registry;
  /** Wraps the server's request handler: record, request id header, access line, metrics. */
  wrap(handler: (req: NodeRequest, res: NodeResponse) => void): (req: NodeRequest, res: NodeResponse) => void;
  /** Connect interceptor: names the procedure and protocol, and notes the outcome. */
  interceptor: Interceptor;
  ingested(messages: number, tokens: number): void;
  /** Answers GET /metrics; false for other paths. */
  http(path: string, res: NodeResponse): boolean;
}

/** what the message store tells about its writes */
export interface WriteStats {
  /** batches being written right now */
  inFlight(): number;
  counts(): { statements: number; batches: number };
  seconds(): { waiting: number; writing: number };
}

export function createObservability(log: Logger, writes: WriteStats): Observability {
  const registry = new client.Registry();
  if (cluster.isWorker) {
    // the primary adds every worker's registry up (cluster.ts)
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([registry]);
  }
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1 });
  const labelNames = ["protocol", "procedure", "code"] as const;
  const requests = new client.Counter({ name: "honcho_requests_total", help: "Requests by protocol, procedure and outcome", labelNames, registers: [registry] });
  const latency = new client.Histogram({
    name: "honcho_request_duration_seconds",
    help: "Request latency by protocol, procedure and outcome",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const messages = new client.Counter({ name: "honcho_messages_ingested_total", help: "Messages stored", registers: [registry] });
  const tokens = new client.Counter({ name: "honcho_tokens_ingested_total", help: "o200k_base tokens in stored messages", registers: [registry] });
  new client.Gauge({
    name: "honcho_db_pool_in_use",
    help: "Database connections busy with a query",
    registers: [registry],
    collect() {
      this.set(writes.inFlight());
    },
  });
  // Counters that mirror running totals the message store keeps: each scrape
  // reads the total. Group commit at work: batches per statement is the
  // second over the first; where a write's time goes: waiting for a slot, or
  // in PostgreSQL.
  const total = (name: string, help: string, read: () => number) =>
    new client.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total("honcho_write_statements_total", "Write statements (write_batches, or write_one for a batch written alone), each one commit", () => writes.counts().statements);
  total("honcho_write_batches_total", "Batches of messages carried by those statements", () => writes.counts().batches);
  total("honcho_write_wait_seconds_total", "Time batches waited to be written (group commit: for a free write slot, or, beside a group in flight, for WRITE_GROUP_MIN_MESSAGES messages to be waiting), summed over the batches", () => writes.seconds().waiting);
  total("honcho_write_statement_seconds_total", "Time those statements took from sent to answered, commit included, summed over the statements", () => writes.seconds().writing);

  return {
    registry,
    wrap(handler) {
      return (req, res) => {
        const started = process.hrtime.bigint();
        const given = req.headers["x-request-id"];
        const requestId = typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
        const record: CallRecord = { requestId, protocol: "http", procedure: (req.url ?? "/").split("?")[0]! };
        records.set(req, record);
        res.setHeader("x-request-id", requestId);
        res.once("close", () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          // closed before the answer went out: the client went away (nginx's 499)
          const status = res.writableFinished ? res.statusCode : 499;
          const code = record.code ?? (res.writableFinished ? outcomeOf(record, res) : "499");
          const labels = { protocol: record.protocol, procedure: record.procedure, code };
          requests.inc(labels);
          latency.observe(labels, seconds);
          log.info({ requestId, ...labels, status, ms: Math.round(seconds * 1e4) / 10 }, "access");
        });
        handler(req, res);
      };
    },
    interceptor: (next) => async (req) => {
      const record = req.contextValues.get(kCallRecord);
      if (record) {
        record.procedure = `${req.service.typeName}/${req.method.name}`;
        record.protocol = protocolOf(req.header.get("content-type") ?? "");
      }
      try {
        const res = await next(req);
        if (!record) return res;
        if (!res.stream) {
          record.code = "ok";
          return res;
        }
        // a stream's outcome is known when its last message has gone out
        const messages = res.message;
        return {
          ...res,
          message: (async function* () {
            try {
              yield* messages;
              record.code = "ok";
            } catch (err) {
              record.code = codeName(ConnectError.from(err).code);
              throw err;
            }
          })(),
        };
      } catch (err) {
        if (record) record.code = codeName(ConnectError.from(err).code);
        throw err;
      }
    },
    ingested(n, t) {
      messages.inc(n);
      tokens.inc(t);
    },
    http(path, res) {
      if (path !== "/metrics") return false;
      const answer = cluster.isWorker ? clusterMetrics() : registry.metrics().then((text) => ({ text, contentType: registry.contentType }));
      void answer.then(
        ({ text, contentType }) => {
          (res as import("node:http").ServerResponse).writeHead(200, { "content-type": contentType });
          res.end(text);
        },
        (err: unknown) => {
          log.warn({ err }, "metrics unavailable");
          (res as import("node:http").ServerResponse).writeHead(503, { "content-type": "text/plain" });
          res.end("metrics unavailable\n");
        },
      );
      return true;
    },
  };
}

function protocolOf(contentType: string): CallRecord["protocol"] {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

export const codeName = (code: Code) => Code[code]!.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();

// Outcomes decided before our code ran (undecodable input, unknown route):
// gRPC puts them in grpc-status, everything else in the HTTP status.
function outcomeOf(record: CallRecord, res: NodeResponse): string {
  const grpcStatus = res.getHeader("grpc-status");
  if (grpcStatus !== undefined) return codeName(Number(grpcStatus) as Code);
  return String(res.statusCode);
}

/** IPC between a worker and the primary for GET /metrics (cluster.ts answers) */
export const METRICS_REQUEST = "honcho:metrics-request";
export const METRICS_ANSWER = "honcho:metrics-answer";

/** In a worker: the metrics of every worker, added up by the primary. */
function clusterMetrics(): Promise<{ text: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const id = Math.random();
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("the primary did not answer for the metrics"));
    }, 6_000);
    const onMessage = (m: { type?: string; id?: number; text?: string; contentType?: string; error?: string }) => {
      if (m?.type !== METRICS_ANSWER || m.id !== id) return;
      clearTimeout(timer);
      process.off("message", onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve({ text: m.text!, contentType: m.contentType! });
    };
    process.on("message", onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}
