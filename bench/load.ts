// Load generator, run as its own process by bench/run.ts so that the client's
// work never shares an event loop with the service it measures.
// Input: one JSON argument (LoadSpec); output: one JSON line (LoadResult).
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Pool } from "undici";
import { MessageService } from "../gen/honcho/v3/messages_pb.js";

export interface LoadSpec {
  protocol: "rest" | "connect" | "grpc";
  url: string;
  concurrency: number;
  batch: number;
  contentLength: number;
  seconds: number;
  /** sessions to spread writes over (writers to one session queue on its row) */
  sessions: number;
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
const bodies = Array.from({ length: 8 }, (_, k) => Array.from({ length: spec.batch }, (_, i) => ({ content: content(k * 1000 + i), peer: `peer-${i % 4}` })));

type Send = (session: string, k: number) => Promise<boolean>;
function sender(): Send {
  if (spec.protocol === "rest") {
    const pool = new Pool(spec.url, { connections: spec.concurrency, pipelining: 1 });
    const payloads = bodies.map((b) => JSON.stringify({ messages: b.map((m) => ({ content: m.content, peer_id: m.peer })) }));
    return async (session, k) => {
      const res = await pool.request({
        method: "POST",
        path: `/v3/workspaces/bench-${spec.tag}/sessions/${session}/messages`,
        headers: { "content-type": "application/json" },
        body: payloads[k % payloads.length],
      });
      await res.body.dump();
      return res.statusCode === 201;
    };
  }
  const transport =
    spec.protocol === "grpc"
      ? createGrpcTransport({ baseUrl: spec.url })
      : createConnectTransport({ baseUrl: spec.url, httpVersion: "1.1", useBinaryFormat: false });
  const client = createClient(MessageService, transport);
  const requests = bodies.map((b) => b.map((m) => ({ content: m.content, peerId: m.peer })));
  return async (session, k) => {
    const res = await client.createMessages({ workspaceId: `bench-${spec.tag}`, sessionId: session, messages: requests[k % requests.length]! });
    return res.messages.length === spec.batch;
  };
}

const send = sender();
const latencies: number[] = [];
let errors = 0;
const deadline = performance.now() + spec.seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: spec.concurrency }, async (_, w) => {
    const session = `s${w % spec.sessions}`;
    for (let k = 0; performance.now() < deadline; k++) {
      const t = performance.now();
      const ok = await send(session, k).catch(() => false);
      latencies.push(performance.now() - t);
      if (!ok) errors++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const result: LoadResult = {
  requests: latencies.length,
  errors,
  messages: (latencies.length - errors) * spec.batch,
  seconds,
  latenciesMs: { p50: q(0.5), p99: q(0.99) },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
