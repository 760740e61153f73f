// Unary calls in the Connect protocol are answered by
// src/transport/connect-unary.ts, the rest by connect-es. The same call both
// ways (a connect-timeout-ms header sends it to Connect) must get the same
// status, headers and answer, in JSON and in binary.
import { create, fromBinary, fromJson, toBinary, toJson, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { CreateMessagesRequestSchema, CreateMessagesResponseSchema } from "../../gen/honcho/v3/messages_pb.js";
import { connectUnaryCounts } from "../../src/transport/connect-unary.js";
import { useTestApp } from "../support/app.js";
import { hs256 } from "../support/jwt.js";
import { lorem } from "../support/token-corpus.js";

const SECRET = "connect-unary-secret";
const t = useTestApp({ authUseAuth: true, authJwtSecret: SECRET, bodyLimitBytes: 128 * 1024 });

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

async function call(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  const res = await request(`${url}/honcho.v3.MessageService/CreateMessages`, { method: "POST", headers, body });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

type Init = MessageInitShape<typeof CreateMessagesRequestSchema>;
const message = (init: Init) => create(CreateMessagesRequestSchema, { workspaceId: "cu-ws", sessionId: "cu-s", messages: [{ content: "hello", peerId: "p" }], ...init });
const asJson = (init: Init) => JSON.stringify(toJson(CreateMessagesRequestSchema, message(init)));
const asProto = (init: Init) => toBinary(CreateMessagesRequestSchema, message(init));

// every header but the ones that differ from call to call
const headersOf = (a: Answer) => {
  const { date, "x-request-id": id, "content-length": length, ...rest } = a.headers;
  return { ...rest, "content-length": a.status === 200 ? "(answer)" : length };
};
const decoded = (a: Answer) => (a.headers["content-encoding"] === "gzip" ? gunzipSync(a.body) : a.body);
// an answer's messages, without what the database chose
const messagesOf = (a: Answer, binary: boolean) => {
  const bytes = decoded(a);
  const out = binary ? fromBinary(CreateMessagesResponseSchema, bytes) : fromJson(CreateMessagesResponseSchema, JSON.parse(bytes.toString("utf8")) as JsonValue);
  return out.messages.map((m) => ({ ...m, id: "", createdAt: undefined }));
};

describe("unary calls in the Connect protocol", () => {
  const admin = () => ({ authorization: `Bearer ${hs256({ t: "", ad: true }, SECRET)}` });
  const viaConnect = { "connect-timeout-ms": "30000" };
  const json = { "content-type": "application/json", "connect-protocol-version": "1" };
  const proto = { "content-type": "application/proto", "connect-protocol-version": "1" };
  const many = Array.from({ length: 20 }, (_, i) => ({ content: `message ${i} `.repeat(8), peerId: "p" }));

  it.each<[string, Init, () => Record<string, string>, Record<string, string>]>([
    ["a valid batch", {}, admin, {}],
    ["a valid batch whose answer is compressed", { messages: many }, admin, { "accept-encoding": "gzip" }],
    // over 16 KiB of body its parse takes turns, over 64 KiB the answer is made in parts too (turns.ts)
    ["a batch of 100 × 250 characters", { messages: Array.from({ length: 100 }, (_, i) => ({ content: lorem(i, 250), peerId: "p" })) }, admin, {}],
    ["a batch of 100 KB", { messages: Array.from({ length: 8 }, (_, i) => ({ content: `${i} `.padEnd(9_000, "é lorem <ipsum> "), peerId: "p" })) }, admin, {}],
    ["an invalid batch (422 details)", { sessionId: "bad id!", messages: [{ content: "x".repeat(25_001), peerId: "" }] }, admin, {}],
    ["no token", {}, () => ({}), {}],
    ["a token for another workspace", {}, () => ({ authorization: `Bearer ${hs256({ w: "other" }, SECRET)}` }), {}],
  ])("answers %s as Connect does, in JSON and in binary", async (_, init, auth, extra) => {
    for (const [kind, headers, body] of [["json", json, asJson(init)], ["proto", proto, asProto(init)]] as const) {
      const before = { ...connectUnaryCounts };
      const direct = await call(t.app.url, body, { ...headers, ...auth(), ...extra });
      expect(connectUnaryCounts.answered, kind).toBe(before.answered + 1);
      const connect = await call(t.app.url, body, { ...headers, ...auth(), ...extra, ...viaConnect });
      expect(connectUnaryCounts.answered, kind).toBe(before.answered + 1); // a deadline goes to Connect
      expect([direct.status, headersOf(direct)], kind).toEqual([connect.status, headersOf(connect)]);
      if (direct.status === 200) {
        if (kind === "json") {
          // the answer is protobuf's canonical JSON, as connect-es writes it (src/contract/json-writer.ts)
          const text = decoded(direct).toString("utf8");
          expect(text).toBe(JSON.stringify(toJson(CreateMessagesResponseSchema, fromJson(CreateMessagesResponseSchema, JSON.parse(text) as JsonValue))));
        }
        expect(messagesOf(direct, kind === "proto"), kind).toEqual(messagesOf(connect, kind === "proto"));
        expect(messagesOf(direct, kind === "proto").length).toBe(init.messages?.length ?? 1);
      } else {
        expect(JSON.parse(direct.body.toString("utf8")), kind).toEqual(JSON.parse(connect.body.toString("utf8")));
      }
    }
  });

  it("compresses an answer of 1 KiB or more, as Connect does, when the client accepts it", async () => {
    const direct = await call(t.app.url, asJson({ messages: many }), { ...json, ...admin(), "accept-encoding": "br, gzip" });
    expect(direct.status).toBe(200);
    expect(direct.headers["content-encoding"]).toBe("br"); // the client's first choice the server has
    const plain = await call(t.app.url, asJson({ messages: many }), { ...json, ...admin() });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThanOrEqual(1024);
  });

  it.each([
    ["JSON that does not parse", json, "{"],
    ["a field of the wrong type", json, JSON.stringify({ workspaceId: 5 })],
    ["bytes that are not the message", proto, Buffer.from([0xff, 0xff, 0xff])],
    ["a body over the size limit", json, asJson({ messages: [{ content: "y".repeat(140_000), peerId: "p" }] })],
  ] as const)("hands %s to Connect, with the bytes already read", async (_, headers, body) => {
    const before = { ...connectUnaryCounts };
    const direct = await call(t.app.url, body, { ...headers, ...admin() });
    expect(connectUnaryCounts.handed).toBe(before.handed + 1);
    const connect = await call(t.app.url, body, { ...headers, ...admin(), ...viaConnect });
    expect([direct.status, headersOf(direct)]).toEqual([connect.status, headersOf(connect)]);
    expect(JSON.parse(direct.body.toString("utf8"))).toEqual(JSON.parse(connect.body.toString("utf8")));
    expect(direct.status).toBeGreaterThanOrEqual(400);
  });

  it("leaves JSON that names a member twice to Connect, which refuses it; an escaped name that is no duplicate is written", async () => {
    const twice = `{"workspaceId":"cu-ws","sessionId":"cu-s","sessionId":"cu-s","messages":[{"content":"x","peerId":"p"}]}`;
    const before = { ...connectUnaryCounts };
    const a = await call(t.app.url, twice, { ...json, ...admin() });
    expect(connectUnaryCounts.handed).toBe(before.handed + 1);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body.toString("utf8"))).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("duplicate") });
    // a body whose content is full of quotes, braces and escapes is no duplicate: answered here
    const content = `"a":1,"a":2} \\" {"b":[`;
    const b = await call(t.app.url, JSON.stringify({ workspaceId: "cu-ws", sessionId: "cu-s", messages: [{ content, peerId: "p", metadata: { k: 1 } }] }), { ...json, ...admin() });
    expect(connectUnaryCounts.answered).toBe(before.answered + 1);
    expect(b.status).toBe(200);
    expect(messagesOf(b, false)[0]!.content).toBe(content);
    // an escaped member name: the quick scan is unsure, Connect decides (and writes it)
    const escaped = `{"workspaceId":"cu-ws","session\\u0049d":"cu-s","messages":[{"content":"y","peerId":"p"}]}`;
    const c = await call(t.app.url, escaped, { ...json, ...admin() });
    expect(connectUnaryCounts.handed).toBe(before.handed + 2);
    expect(c.status).toBe(200);
    expect(messagesOf(c, false)[0]!.content).toBe("y");
  });

  it("answers bytes that are not the message as a client error, whole", async () => {
    // connect-es calls them an internal error; the correction to
    // invalid_argument once kept the old content-length and cut the answer short
    const a = await call(t.app.url, Buffer.from([0xff, 0xff, 0xff]), { ...proto, ...admin() });
    expect(a.status).toBe(400);
    expect(a.headers["content-length"]).toBe(String(a.body.length));
    expect(JSON.parse(a.body.toString("utf8"))).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(/^parse binary: /) });
  });
});
