// HTTP/2 flow control (src/transport/server.ts): the service opens receive
// windows far past the protocol's 64 KiB, so that a gRPC client sends whole
// batches on one connection without waiting for WINDOW_UPDATE frames from a
// busy event loop.
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CreateMessagesRequestSchema, CreateMessagesResponseSchema } from "../../gen/honcho/v3/messages_pb.js";
import { envelope } from "../../src/transport/grpc-unary.js";
import { useTestApp } from "../support/app.js";
import { lorem } from "../support/token-corpus.js";

const t = useTestApp();

function connect(url: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const c = http2.connect(url);
    c.once("error", reject);
    c.once("remoteSettings", () => resolve(c));
  });
}

/** the connection window the server granted: its WINDOW_UPDATE on stream 0 follows its SETTINGS */
async function sendWindow(c: http2.ClientHttp2Session): Promise<number> {
  for (let i = 0; i < 100 && (c.state.remoteWindowSize ?? 0) <= 65_535; i++) await new Promise((r) => setTimeout(r, 10));
  return c.state.remoteWindowSize ?? 0;
}

function createMessages(c: http2.ClientHttp2Session, sessionId: string, count: number, length: number): Promise<{ grpcStatus: unknown; stored: number }> {
  const bytes = toBinary(CreateMessagesRequestSchema, create(CreateMessagesRequestSchema, { workspaceId: "h2w", sessionId, messages: Array.from({ length: count }, (_, i) => ({ content: lorem(i, length), peerId: "p" })) }));
  return new Promise((resolve, reject) => {
    const s = c.request({ ":method": "POST", ":path": "/honcho.v3.MessageService/CreateMessages", "content-type": "application/grpc", te: "trailers" });
    const chunks: Buffer[] = [];
    let grpcStatus: unknown;
    s.on("trailers", (tr) => (grpcStatus = tr["grpc-status"]));
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("end", () => {
      const body = Buffer.concat(chunks);
      resolve({ grpcStatus, stored: body.length > 5 ? fromBinary(CreateMessagesResponseSchema, body.subarray(5)).messages.length : 0 });
    });
    s.on("error", reject);
    s.end(envelope(0, bytes));
  });
}

describe("HTTP/2 receive windows", () => {
  it("grants each stream 1 MiB and the connection 8 MiB", async () => {
    const c = await connect(t.app.url);
    try {
      expect(c.remoteSettings.initialWindowSize).toBe(1 << 20);
      expect(await sendWindow(c)).toBe(8 << 20);
    } finally {
      c.close();
    }
  });

  it("takes several batches larger than 64 KiB at once on one connection", async () => {
    const c = await connect(t.app.url);
    try {
      // four 100 × 2 500 batches, ~1 MB together, all in flight at once
      const answers = await Promise.all([0, 1, 2, 3].map((i) => createMessages(c, `big-${i}`, 100, 2_500)));
      expect(answers).toEqual([0, 1, 2, 3].map(() => ({ grpcStatus: "0", stored: 100 })));
      const rows = await t.db.sql`SELECT session_name, count(*)::int AS n FROM messages WHERE workspace_name = 'h2w' GROUP BY 1 ORDER BY 1`;
      expect(rows.map((r) => [r.session_name, r.n])).toEqual([0, 1, 2, 3].map((i) => [`big-${i}`, 100]));
    } finally {
      c.close();
    }
  });
});
