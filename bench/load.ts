// Load generator, run as its own process by bench/run.ts so that the client's
// work never shares an event loop with the service it measures.
// Input: one JSON argument (LoadSpec); output: one JSON line (LoadResult).
import { create, toBinary } from "@bufbuild/protobuf";
import { CreateMessagesRequestSchema } from "../gen/honcho/v3/messages_pb.js";
import { encodeHeaderBlock, H2Connection } from "./h2-client.js";
import { Http1Connection } from "./http1-client.js";

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
  /** this client process's CPU time (user + system, all threads) during the run, in ms */
  cpuMs: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const content = (i: number) => `${i} `.padEnd(spec.contentLength, "lorem ipsum dolor sit amet ").slice(0, spec.contentLength);
const bodiesOf = (n: number) => Array.from({ length: 8 }, (_, k) => Array.from({ length: n }, (_, i) => ({ content: content(k * 1000 + i), peer: `peer-${i % 4}` })));
// requests k = 0..7 carry spec.batch messages; with a mix, 8..15 carry mix.batch
const bodies = [...bodiesOf(spec.batch), ...(spec.mix ? bodiesOf(spec.mix.batch) : [])];
const bodyIndex = (k: number) => (spec.mix && k % spec.mix.every === spec.mix.every - 1 ? 8 + (k % 8) : k % 8);
const sizeOf = (k: number) => bodies[bodyIndex(k)]!.length;
// each request picks a session at random when there are more than writers, else writer w writes session w
const sessionNames = Array.from({ length: spec.sessions }, (_, i) => `s${i}`);
const sessionOf = (w: number) => (spec.sessions > spec.concurrency ? sessionNames[Math.floor(Math.random() * spec.sessions)]! : sessionNames[w % spec.sessions]!);

type Send = (worker: number, session: string, k: number) => Promise<boolean>;

// Lean protocol clients (http1-client.ts, h2-client.ts) with the request
// bytes encoded once up front: on a 2-core machine a heavyweight client
// would take the CPU the service needs and measure itself.
function sender(): Send {
  if (spec.protocol === "grpc") return grpcSender();
  const { hostname, port } = new URL(spec.url);
  const connections = Array.from({ length: spec.concurrency }, () => new Http1Connection(hostname, Number(port)));
  const ws = `bench-${spec.tag}`;
  const ok = spec.protocol === "rest" ? 201 : 200;
  const host = `\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json`;
  if (spec.protocol === "rest") {
    const restBodies = bodies.map((b) => Buffer.from(JSON.stringify({ messages: b.map((m) => ({ content: m.content, peer_id: m.peer })) })));
    return async (w, session, k) => (await connections[w]!.request(`POST /v3/workspaces/${ws}/sessions/${session}/messages HTTP/1.1${host}`, restBodies[bodyIndex(k)]!)) === ok;
  }
  const head = `POST /honcho.v3.MessageService/CreateMessages HTTP/1.1${host}\r\nconnect-protocol-version: 1`;
  // the session is in the body: every session's bodies are encoded before the clock starts
  const encoded = new Map(sessionNames.map((session) => [session, bodies.map((b) => Buffer.from(JSON.stringify({ workspaceId: ws, sessionId: session, messages: b.map((m) => ({ content: m.content, peerId: m.peer })) })))]));
  const bodyOf = (session: string, k: number) => encoded.get(session)![bodyIndex(k)]!;
  return async (w, session, k) => (await connections[w]!.request(head, bodyOf(session, k))) === ok;
}

// gRPC over cleartext HTTP/2: one connection, length-prefixed binary
// messages, the status read from the trailers.
function grpcSender(): Send {
  const { hostname, port } = new URL(spec.url);
  const connection = new H2Connection(hostname, Number(port));
  const head = encodeHeaderBlock([
    [3, "POST"], // static indexes (RFC 7541 Appendix A): :method
    [6, "http"], // :scheme
    [4, "/honcho.v3.MessageService/CreateMessages"], // :path
    [1, `${hostname}:${port}`], // :authority
    [31, "application/grpc"], // content-type
    ["te", "trailers"],
  ]);
  const grpcFrame = (bytes: Uint8Array) => {
    const prefix = Buffer.alloc(5); // not compressed, then the length
    prefix.writeUInt32BE(bytes.length, 1);
    return Buffer.concat([prefix, bytes]);
  };
  const frames = new Map(
    sessionNames.map((sessionId) => [
      sessionId,
      bodies.map((b) => grpcFrame(toBinary(CreateMessagesRequestSchema, create(CreateMessagesRequestSchema, { workspaceId: `bench-${spec.tag}`, sessionId, messages: b.map((m) => ({ content: m.content, peerId: m.peer })) })))),
    ]),
  );
  const frame = (sessionId: string, k: number) => frames.get(sessionId)![bodyIndex(k)]!;
  return async (_w, sessionId, k) => {
    const fields = await connection.request(head, frame(sessionId, k));
    // a gRPC answer: :status 200, and grpc-status 0 in the trailers (or the headers, for a trailers-only answer)
    return fields.some(([n, v]) => n === ":status" && v === "200") && fields.findLast(([n]) => n === "grpc-status")?.[1] === "0";
  };
}

const send = sender();
const latencies: number[] = [];
let errors = 0;
let messages = 0;
const deadline = performance.now() + spec.seconds * 1000;
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: spec.concurrency }, async (_, w) => {
    for (let k = w; performance.now() < deadline; k++) {
      const session = sessionOf(w);
      const t = performance.now();
      const ok = await send(w, session, k).catch(() => false);
      latencies.push(performance.now() - t);
      if (!ok) errors++;
      else messages += sizeOf(k);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const result: LoadResult = {
  requests: latencies.length,
  errors,
  messages,
  seconds,
  latenciesMs: { p50: q(0.5), p99: q(0.99) },
  cpuMs: (cpu.user + cpu.system) / 1000,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
