// @grpc/grpc-js, the gRPC project's own Node client, against the service: the
// unary calls the short path answers (grpc-unary.ts) and those Connect
// answers (a deadline, a gzip-compressed message), a client stream
// (ImportMessages), a server stream (WatchMessages), statuses, and error
// messages as its callers read them. grpc-js decodes grpc-message with
// decodeURI, so the message must be percent-encoded as the gRPC spec says
// (grpc-message.ts), not as encodeURIComponent does.
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, toJson, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTPValidationErrorSchema, MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { grpcUnaryCounts } from "../../src/transport/grpc-unary.js";
import { useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";

const SECRET = "grpc-js-secret";
const t = useTestApp({ authUseAuth: true, authJwtSecret: SECRET });

let channel: grpc.Client;
let gzip: grpc.Client;
beforeAll(() => {
  const target = new URL(t.app.url).host;
  channel = new grpc.Client(target, grpc.credentials.createInsecure());
  gzip = new grpc.Client(target, grpc.credentials.createInsecure(), { "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip });
});
afterAll(() => {
  channel?.close();
  gzip?.close();
});

const ADMIN = () => metadata(hs256({ ad: true }, SECRET));
function metadata(token?: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set("authorization", `Bearer ${token}`);
  return md;
}

const pathOf = (m: DescMethod) => `/${m.parent.typeName}/${m.name}`;
const serializer = <I extends DescMessage>(schema: I) => (v: MessageShape<I>) => Buffer.from(toBinary(schema, v));
const deserializer = <O extends DescMessage>(schema: O) => (b: Buffer) => fromBinary(schema, b);

type Outcome<O> = { ok: O } | { code: grpc.status; details: string; error: grpc.ServiceError };

function unary<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  m: DescMethod & { input: I; output: O },
  init: MessageInitShape<I>,
  md: grpc.Metadata,
  options: grpc.CallOptions = {},
): Promise<Outcome<MessageShape<O>>> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(pathOf(m), serializer(m.input), deserializer(m.output), create(m.input, init), md, options, (err, res) =>
      resolve(err ? { code: err.code, details: err.details, error: err } : { ok: res! }),
    );
  });
}

// the three ways a unary call reaches the service: the short path, and Connect's for a deadline or a compressed message
const WAYS = [
  ["plain", () => channel, {}, true],
  ["with a deadline", () => channel, { deadline: Date.now() + 30_000 }, false],
  ["gzip-compressed", () => gzip, {}, false],
] as const;

/** The ConnectError grpc-js's error carries (status, message, details), read as connect-es reads trailers. */
function asConnectError(e: grpc.ServiceError): ConnectError | undefined {
  const h = new Headers({ "grpc-status": String(e.code), "grpc-message": encodeURIComponent(e.details) });
  const bin = e.metadata.get("grpc-status-details-bin")[0];
  if (Buffer.isBuffer(bin)) h.set("grpc-status-details-bin", bin.toString("base64").replace(/=+$/, ""));
  return findTrailerError(h);
}

describe("@grpc/grpc-js calling the service", () => {
  it.each(WAYS)("creates messages (%s)", async (_, client, options, short) => {
    const before = grpcUnaryCounts.answered;
    const out = await unary(client(), MessageService.method.createMessages, { workspaceId: "gjs", sessionId: "s1", messages: [{ content: "hello from grpc-js", peerId: "alice", metadata: { n: 1 } }] }, ADMIN(), options);
    expect(out).toHaveProperty("ok");
    const [m] = (out as { ok: { messages: { content: string; peerId: string; tokenCount: number; id: string }[] } }).ok.messages;
    expect([m!.content, m!.peerId, m!.tokenCount]).toEqual(["hello from grpc-js", "alice", 4]);
    expect(grpcUnaryCounts.answered - before).toBe(short ? 1 : 0);
    const [row] = await t.db.sql`SELECT content, metadata FROM messages WHERE public_id = ${m!.id}`;
    expect(row).toEqual({ content: "hello from grpc-js", metadata: { n: 1 } });
  });

  it.each(WAYS)("reads a validation error as connect-es does, its details REST's 422 (%s)", async (_, client, options) => {
    const bad = { workspaceId: "gjs", sessionId: "bad id!", messages: [{ content: "x", peerId: "" }] };
    const out = await unary(client(), MessageService.method.createMessages, bad, ADMIN(), options);
    if (!("code" in out)) throw new Error("answered");
    expect(out.code).toBe(grpc.status.INVALID_ARGUMENT);
    // the text connect-es decodes (decodeURIComponent), which grpc-js's decodeURI would leave as %3A, %2B, %24 had it been encoded so
    const viaConnect = await messageClient(rpcProtocols["grpc (h2c)"]!(t.app.url))
      .createMessages(bad, { headers: { authorization: `Bearer ${hs256({ ad: true }, SECRET)}` } })
      .then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(out.details).toBe(viaConnect!.rawMessage);
    expect(out.details).toContain("path.session_id: String should match pattern '^[a-zA-Z0-9_-]+$'");
    const rest = await postMessages(t.app.url, "gjs", "bad id!", { messages: [{ content: "x", peer_id: "" }] }, { headers: { "content-type": "application/json", authorization: `Bearer ${hs256({ ad: true }, SECRET)}` } });
    expect(rest.status).toBe(422);
    const [detail] = asConnectError(out.error)!.findDetails(HTTPValidationErrorSchema);
    expect(toJson(HTTPValidationErrorSchema, detail!)).toEqual(rest.json);
  });

  it.each(WAYS)("reads text outside ASCII, '%' and what looks like an escape in an error message as sent (%s)", async (_, client, options) => {
    const column = "ünï 100% %3A";
    const out = await unary(client(), MessageService.method.listMessages, { workspaceId: "gjs", sessionId: "s1", options: { filters: { [column]: 1 } } }, ADMIN(), options);
    if (!("code" in out)) throw new Error("answered");
    expect(out.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(out.details).toBe(`Column '${column}' is not allowed to be filtered on or does not exist on Message`);
  });

  it.each(WAYS)("is refused without a token, with Honcho's words (%s)", async (_, client, options) => {
    const out = await unary(client(), MessageService.method.createMessages, { workspaceId: "gjs", sessionId: "s1", messages: [{ content: "x", peerId: "alice" }] }, metadata(), options);
    expect(out).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "No access token provided" });
  });

  it("gets NOT_FOUND for a message that is not there", async () => {
    const out = await unary(channel, MessageService.method.getMessage, { workspaceId: "gjs", sessionId: "s1", messageId: "nope" }, ADMIN());
    expect(out).toMatchObject({ code: grpc.status.NOT_FOUND, details: "Message with ID nope not found" });
  });

  it("answers 50 calls at once on one channel, each stored once", async () => {
    const outs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => unary(channel, MessageService.method.createMessages, { workspaceId: "gjs", sessionId: `many${i % 5}`, messages: [{ content: `m${i}`, peerId: "alice" }] }, ADMIN())),
    );
    expect(outs.filter((o) => "ok" in o)).toHaveLength(50);
    const [{ n }] = await t.db.sql<[{ n: number }]>`SELECT count(*)::int AS n FROM messages WHERE workspace_name = 'gjs' AND session_name LIKE 'many%'`;
    expect(n).toBe(50);
  });

  it("streams an import (a client stream) and stores it", async () => {
    const m = MessageService.method.importMessages;
    const result = await new Promise<Outcome<MessageShape<typeof m.output>>>((resolve) => {
      const call = channel.makeClientStreamRequest(pathOf(m), serializer(m.input), deserializer(m.output), ADMIN(), {}, (err, res) =>
        resolve(err ? { code: err.code, details: err.details, error: err } : { ok: res! }),
      );
      call.write(create(m.input, { workspaceId: "gjs", sessionId: "imported", importKey: "k1" }));
      for (let i = 0; i < 250; i += 50) call.write(create(m.input, { messages: Array.from({ length: 50 }, (_, k) => ({ content: `imported ${i + k}`, peerId: "bob" })), end: i + 50 >= 250 }));
      call.end();
    });
    expect(result).toHaveProperty("ok");
    expect((result as { ok: { messages: bigint } }).ok.messages).toBe(250n);
    const rows = await t.db.sql<{ content: string }[]>`SELECT content FROM messages WHERE workspace_name = 'gjs' AND session_name = 'imported' ORDER BY seq_in_session`;
    expect(rows.map((r) => r.content)).toEqual(Array.from({ length: 250 }, (_, i) => `imported ${i}`));
  });

  it("follows a session's messages (a server stream) until it cancels", async () => {
    await unary(channel, MessageService.method.createMessages, { workspaceId: "gjs", sessionId: "watched", messages: [{ content: "one", peerId: "alice" }, { content: "two", peerId: "bob" }] }, ADMIN());
    const m = WatchService.method.watchMessages;
    const call = channel.makeServerStreamRequest(pathOf(m), serializer(m.input), deserializer(m.output), create(m.input, { workspaceId: "gjs", sessionId: "watched" }), ADMIN());
    const seen: string[] = [];
    const ended = new Promise<grpc.status>((resolve) => {
      call.on("data", (r: MessageShape<typeof m.output>) => {
        seen.push(r.message!.content);
        if (seen.length === 2) void unary(channel, MessageService.method.createMessages, { workspaceId: "gjs", sessionId: "watched", messages: [{ content: "three", peerId: "alice" }] }, ADMIN());
        if (seen.length === 3) call.cancel();
      });
      call.on("error", (e: grpc.ServiceError) => resolve(e.code));
    });
    expect(await ended).toBe(grpc.status.CANCELLED);
    expect(seen).toEqual(["one", "two", "three"]);
  });
});
