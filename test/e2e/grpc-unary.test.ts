// Plain unary gRPC calls are answered by src/transport/grpc-unary.ts, the
// rest by connect-es. The same call both ways (a grpc-timeout header sends it
// to Connect) must get the same status, message, details and answer.
import http2 from "node:http2";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CreateMessagesRequestSchema, CreateMessagesResponseSchema } from "../../gen/honcho/v3/messages_pb.js";
import { grpcUnaryCounts } from "../../src/transport/grpc-unary.js";
import { useTestApp } from "../support/app.js";
import { hs256 } from "../support/jwt.js";
import { lorem } from "../support/token-corpus.js";

const SECRET = "grpc-unary-secret";
const t = useTestApp({ authUseAuth: true, authJwtSecret: SECRET, bodyLimitBytes: 64 * 1024 });

interface Answer { status: number; headers: Record<string, unknown>; trailers: Record<string, unknown>; body: Buffer }

function call(url: string, frame: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const c = http2.connect(url);
    c.on("error", reject);
    const s = c.request({ ":method": "POST", ":path": "/honcho.v3.MessageService/CreateMessages", "content-type": "application/grpc", te: "trailers", ...headers });
    const out: Answer = { status: 0, headers: {}, trailers: {}, body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    s.on("response", (h) => { out.status = Number(h[":status"]); out.headers = h; });
    s.on("trailers", (tr) => { out.trailers = tr; });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("end", () => { out.body = Buffer.concat(chunks); c.close(); resolve(out); });
    s.on("error", reject);
    s.end(frame);
  });
}

const frameOf = (bytes: Uint8Array, flags = 0) => {
  const f = Buffer.alloc(5 + bytes.length);
  f[0] = flags;
  f.writeUInt32BE(bytes.length, 1);
  f.set(bytes, 5);
  return f;
};
const request = (init: MessageInitShape<typeof CreateMessagesRequestSchema>) =>
  toBinary(CreateMessagesRequestSchema, create(CreateMessagesRequestSchema, { workspaceId: "gu-ws", sessionId: "gu-s", messages: [{ content: "hello", peerId: "p" }], ...init }));
const status = (a: Answer) => ({
  http: a.status,
  contentType: a.headers["content-type"],
  grpcStatus: a.trailers["grpc-status"] ?? a.headers["grpc-status"],
  grpcMessage: a.trailers["grpc-message"] ?? a.headers["grpc-message"],
  details: a.trailers["grpc-status-details-bin"] ?? a.headers["grpc-status-details-bin"],
});

describe("plain unary gRPC", () => {
  const admin = () => ({ authorization: `Bearer ${hs256({ t: "", ad: true }, SECRET)}` });
  const viaConnect = { "grpc-timeout": "30S" };

  it.each([
    ["a valid batch", request({}), admin],
    // about 30 KB: the size whose parse takes turns in REST and Connect (turns.ts), here answered directly
    ["a batch of 100 × 250 characters", request({ messages: Array.from({ length: 100 }, (_, i) => ({ content: lorem(i, 250), peerId: "p" })) }), admin],
    ["an invalid batch (422 details)", request({ sessionId: "bad id!", messages: [{ content: "x".repeat(25_001), peerId: "" }] }), admin],
    ["no token", request({}), () => ({})],
    ["a token for another workspace", request({}), () => ({ authorization: `Bearer ${hs256({ w: "other" }, SECRET)}` })],
  ])("answers %s as Connect does", async (_, bytes, auth) => {
    const before = { ...grpcUnaryCounts };
    const direct = await call(t.app.url, frameOf(bytes), auth());
    expect(grpcUnaryCounts.answered).toBe(before.answered + 1);
    const connect = await call(t.app.url, frameOf(bytes), { ...auth(), ...viaConnect });
    expect(grpcUnaryCounts.answered).toBe(before.answered + 1); // a deadline goes to Connect
    expect(status(direct)).toEqual(status(connect));
    if (status(direct).grpcStatus === "0") {
      const [a, b] = [direct, connect].map((x) => fromBinary(CreateMessagesResponseSchema, x.body.subarray(5)).messages.map((m) => ({ ...m, id: "", createdAt: undefined })));
      expect(a).toEqual(b);
      expect(a!.length).toBe(fromBinary(CreateMessagesRequestSchema, bytes).messages.length);
      expect(direct.body.readUInt32BE(1)).toBe(direct.body.length - 5);
    } else {
      expect(direct.body.length).toBe(0);
    }
  });

  it.each([
    ["bytes that are not the message", frameOf(Buffer.from([0xff, 0xff, 0xff]))],
    ["a compressed flag without an encoding", frameOf(request({}), 1)],
    ["a truncated frame", frameOf(request({})).subarray(0, 9)],
    ["a message over the size limit", frameOf(request({ messages: [{ content: "y".repeat(70_000), peerId: "p" }] }))],
  ])("hands %s to Connect, with the bytes already read", async (_, frame) => {
    const before = { ...grpcUnaryCounts };
    const direct = await call(t.app.url, frame, admin());
    expect(grpcUnaryCounts.handed).toBe(before.handed + 1);
    const connect = await call(t.app.url, frame, { ...admin(), ...viaConnect });
    expect(status(direct)).toEqual(status(connect));
    expect(status(direct).grpcStatus).not.toBe("0");
  });
});
