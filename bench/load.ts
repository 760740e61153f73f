// Load generator, run as its own process by bench/run.ts so that the client's
// work never shares an event loop with the service it measures.
// Input: one JSON argument (LoadSpec); output: one JSON line (LoadResult).
import http2 from "node:http2";
import net from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Pool } from "undici";
import { CreateMessagesRequestSchema } from "../gen/honcho/v3/messages_pb.js";

export interface LoadSpec {
  protocol: "rest" | "connect" | "grpc";
  url: string;
  concurrency: number;
  batch: number;
  contentLength: number;
  seconds: number;
  /** sessions to spread writes over: each request picks one at random when there are more than writers, else writer w writes session w */
  sessions: number;
  /** a mix: every `every`-th request carries a batch of `batch` messages instead of spec.batch */
  mix?: { every: number; batch: number };
  tag: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  messages: number;
  seconds: number;
  latenciesMs: { p50: number; p99: number };
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const content = (i: number) => `${i} `.padEnd(spec.contentLength, "lorem ipsum dolor sit amet ").slice(0, spec.contentLength);
const bodiesOf = (n: number) => Array.from({ length: 8 }, (_, k) => Array.from({ length: n }, (_, i) => ({ content: content(k * 1000 + i), peer: `peer-${i % 4}` })));
// requests k = 0..7 carry spec.batch messages; with a mix, 8..15 carry mix.batch
const bodies = [...bodiesOf(spec.batch), ...(spec.mix ? bodiesOf(spec.mix.batch) : [])];
const bodyIndex = (k: number) => (spec.mix && k % spec.mix.every === spec.mix.every - 1 ? 8 + (k % 8) : k % 8);
const sizeOf = (k: number) => bodies[bodyIndex(k)]!.length;

type Send = (session: string, k: number) => Promise<boolean>;

// Lean protocol clients (undici for HTTP/1.1, node:http2 for gRPC) with the
// request bytes encoded once up front: on a 2-core machine a heavyweight
// client would take the CPU the service needs and measure itself.
function sender(): Send {
  if (spec.protocol === "grpc") return grpcSender();
  const pool = new Pool(spec.url, { connections: spec.concurrency, pipelining: 1 });
  const ws = `bench-${spec.tag}`;
  const payload =
    spec.protocol === "rest"
      ? (session: string, k: number) => restBodies[bodyIndex(k)]!
      : (session: string, k: number) => JSON.stringify({ workspaceId: ws, sessionId: session, messages: bodies[bodyIndex(k)]!.map((m) => ({ content: m.content, peerId: m.peer })) });
  const restBodies = bodies.map((b) => JSON.stringify({ messages: b.map((m) => ({ content: m.content, peer_id: m.peer })) }));
  return async (session, k) => {
    const res = await pool.request({
      method: "POST",
      path: spec.protocol === "rest" ? `/v3/workspaces/${ws}/sessions/${session}/messages` : "/honcho.v3.MessageService/CreateMessages",
      headers: { "content-type": "application/json", ...(spec.protocol === "connect" ? { "connect-protocol-version": "1" } : {}) },
      body: payload(session, k),
    });
    await res.body.dump();
    return res.statusCode === (spec.protocol === "rest" ? 201 : 200);
  };
}

// gRPC over cleartext HTTP/2: one connection, length-prefixed binary
// messages, the status read from the trailers.
function grpcSender(): Send {
  // TCP_NODELAY, as gRPC clients set it (undici sets it for HTTP/1.1)
  const { hostname, port } = new URL(spec.url);
  const session = http2.connect(spec.url, { createConnection: () => net.connect({ host: hostname, port: Number(port), noDelay: true }) });
  const frames = new Map<string, Buffer[]>();
  const frame = (sessionId: string, k: number) => {
    let list = frames.get(sessionId);
    if (!list) {
      list = bodies.map((b) => {
        const bytes = toBinary(CreateMessagesRequestSchema, create(CreateMessagesRequestSchema, { workspaceId: `bench-${spec.tag}`, sessionId, messages: b.map((m) => ({ content: m.content, peerId: m.peer })) }));
        const head = Buffer.alloc(5);
        head.writeUInt32BE(bytes.length, 1);
        return Buffer.concat([head, bytes]);
      });
      frames.set(sessionId, list);
    }
    return list[bodyIndex(k)]!;
  };
  return (sessionId, k) =>
    new Promise((resolve) => {
      const stream = session.request({ ":method": "POST", ":path": "/honcho.v3.MessageService/CreateMessages", "content-type": "application/grpc", te: "trailers" });
      let status: string | undefined;
      stream.on("response", (headers) => (status = headers["grpc-status"] as string | undefined));
      stream.on("trailers", (trailers) => (status = trailers["grpc-status"] as string | undefined));
      stream.on("data", () => {});
      stream.on("close", () => resolve(status === "0"));
      stream.on("error", () => resolve(false));
      stream.end(frame(sessionId, k));
    });
}

const send = sender();
const latencies: number[] = [];
let errors = 0;
let messages = 0;
const deadline = performance.now() + spec.seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: spec.concurrency }, async (_, w) => {
    for (let k = w; performance.now() < deadline; k++) {
      const session = spec.sessions > spec.concurrency ? `s${Math.floor(Math.random() * spec.sessions)}` : `s${w % spec.sessions}`;
      const t = performance.now();
      const ok = await send(session, k).catch(() => false);
      latencies.push(performance.now() - t);
      if (!ok) errors++;
      else messages += sizeOf(k);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const result: LoadResult = {
  requests: latencies.length,
  errors,
  messages,
  seconds,
  latenciesMs: { p50: q(0.5), p99: q(0.99) },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
