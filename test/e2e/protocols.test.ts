// The same CreateMessages over REST, gRPC, gRPC-Web and Connect (JSON and
// binary), on one port, each through a real client, against real PostgreSQL.
import { execFile } from "node:child_process";
import { request, type IncomingMessage } from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CreateMessagesRequestSchema } from "../../gen/honcho/v3/messages_pb.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";

const t = useTestApp();

const NANOID = /^[A-Za-z0-9_-]{21}$/;

describe("REST", () => {
  it("answers 201 with Honcho's Message array and stores it", async () => {
    const res = await postMessages(t.app.url, "acme", "rest-1", { messages: [{ content: "hi", peer_id: "alice" }] });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    const [m] = res.json as Record<string, unknown>[];
    expect(Object.keys(m!).sort()).toEqual(["content", "created_at", "id", "metadata", "peer_id", "session_id", "token_count", "workspace_id"]);
    expect(m).toMatchObject({ content: "hi", peer_id: "alice", session_id: "rest-1", workspace_id: "acme", metadata: {}, token_count: 1 });
    expect(m!.id).toMatch(NANOID);
    expect(m!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const [row] = await t.db.sql`SELECT public_id, content, peer_name, seq_in_session::int AS seq, created_at FROM messages WHERE session_name = 'rest-1'`;
    expect(row).toMatchObject({ public_id: m!.id, content: "hi", peer_name: "alice", seq: 1 });
    expect(Math.abs(new Date(m!.created_at as string).getTime() - row!.created_at.getTime())).toBeLessThan(1);
  });

  // past 16 KiB of body the parse takes turns, past 64 KiB the answer is made in parts too (turns.ts)
  it.each([
    [15, 64 * 1024, 256 * 1024],
    [100, 256 * 1024, Infinity],
  ])("answers a batch of %i long messages (made in parts) with the same bytes JSON.stringify writes", async (count, above, below) => {
    const messages = Array.from({ length: count }, (_, i) => ({ content: `${i} ${"é\"\\<ü>\n".repeat(700)}`, peer_id: `p${i % 3}`, metadata: { i } }));
    const res = await postMessages(t.app.url, "acme", `rest-big-${count}`, { messages });
    expect(res.status).toBe(201);
    expect(res.text.length).toBeGreaterThan(above);
    expect(res.text.length).toBeLessThan(below);
    expect(res.text).toBe(JSON.stringify(res.json)); // compact, no stray separators
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(res.text));
    const got = res.json as { content: string; peer_id: string; metadata: unknown }[];
    expect(got.map((m) => [m.content, m.peer_id, m.metadata])).toEqual(messages.map((m) => [m.content, m.peer_id, m.metadata]));
  });

  it("serves the trailing-slash route too", async () => {
    const res = await fetch(`${t.app.url}/v3/workspaces/acme/sessions/rest-2/messages/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ content: "slash", peer_id: "bob" }] }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { content: string }[])[0]!.content).toBe("slash");
  });

  it("redirects any other trailing slash as Starlette does (307, the query kept)", async () => {
    const host = new URL(t.app.url).host;
    const manual = (path: string, init: RequestInit = {}) => fetch(`${t.app.url}${path}`, { ...init, redirect: "manual" });
    // answers of Honcho's server (ddbb90e3) for the same requests
    const cases: [string, string, number, string | null][] = [
      ["POST", "/v3/workspaces/acme/peers/list/?page=2&size=1", 307, `http://${host}/v3/workspaces/acme/peers/list?page=2&size=1`],
      ["POST", "/v3/workspaces/acme/peers/list//", 307, `http://${host}/v3/workspaces/acme/peers/list`],
      ["POST", "/v3/workspaces/a%20b%C3%A9/sessions/list/", 307, `http://${host}/v3/workspaces/a%20b%C3%A9/sessions/list`],
      ["DELETE", "/v3/workspaces/acme/sessions/s/", 307, `http://${host}/v3/workspaces/acme/sessions/s`],
      ["GET", "/docs/", 307, `http://${host}/docs`],
      ["GET", "/openapi.json/", 307, `http://${host}/openapi.json`],
      ["POST", "/v3/workspaces/a%41%2Fb/sessions/list/", 404, null],
      ["GET", "/v3/nope/", 404, null],
      ["GET", "/v3/workspaces/acme/sessions/s/messages/", 405, null],
    ];
    for (const [method, path, status, location] of cases) {
      const res = await manual(path, { method });
      expect([res.status, res.headers.get("location")], `${method} ${path}`).toEqual([status, location]);
      if (status === 307) expect([res.headers.get("content-length"), await res.text()]).toEqual(["0", ""]);
    }
    // the Host header names the place, as in Starlette's URL(scope=…)
    const viaHost = await new Promise<IncomingMessage>((done, fail) =>
      request(`${t.app.url}/v3/workspaces/acme/sessions/s/peers/`, { headers: { host: "example.com:9" } }, done).on("error", fail).end(),
    );
    viaHost.resume();
    expect([viaHost.statusCode, viaHost.headers.location]).toEqual([307, "http://example.com:9/v3/workspaces/acme/sessions/s/peers"]);
    // but one that is no host[:port] is not echoed into Location (Starlette 1.0.1's fix; Honcho's 1.0.0 echoes
    // "http://evil.example/path?x/v3/…"): the service's own address stands in
    const badHost = await new Promise<IncomingMessage>((done, fail) =>
      request(`${t.app.url}/v3/workspaces/acme/sessions/s/peers/`, { headers: { host: "evil.example/path?x" } }, done).on("error", fail).end(),
    );
    badHost.resume();
    expect([badHost.statusCode, badHost.headers.location]).toEqual([307, `http://${host}/v3/workspaces/acme/sessions/s/peers`]);
    // a client that follows it sends the same call again
    const followed = await fetch(`${t.app.url}/v3/workspaces/acme/peers/list/`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(followed.status).toBe(200);
    expect(((await followed.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it("creates workspace, session and peers on first use and joins the peers", async () => {
    await postMessages(t.app.url, "fresh-ws", "fresh-s", { messages: [{ content: "a", peer_id: "p1" }, { content: "b", peer_id: "p2" }] });
    expect(await t.db.sql`SELECT name FROM workspaces WHERE name = 'fresh-ws'`).toHaveLength(1);
    expect(await t.db.sql`SELECT name FROM sessions WHERE workspace_name = 'fresh-ws' AND is_active`).toHaveLength(1);
    const peers = await t.db.sql`SELECT name, length(id) AS l FROM peers WHERE workspace_name = 'fresh-ws' ORDER BY name`;
    expect(peers.map((p) => [p.name, p.l])).toEqual([["p1", 21], ["p2", 21]]);
    const members = await t.db.sql`SELECT peer_name FROM session_peers WHERE session_name = 'fresh-s' AND left_at IS NULL ORDER BY peer_name`;
    expect(members.map((m) => m.peer_name)).toEqual(["p1", "p2"]);
  });

  it("answers 404 for an inactive session and stores nothing", async () => {
    await postMessages(t.app.url, "acme", "closed", { messages: [{ content: "before", peer_id: "alice" }] });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 'closed'`;
    const res = await postMessages(t.app.url, "acme", "closed", { messages: [{ content: "after", peer_id: "carol" }] });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: "Session closed not found in workspace acme" });
    expect(await t.db.sql`SELECT 1 FROM messages WHERE session_name = 'closed'`).toHaveLength(1);
    expect(await t.db.sql`SELECT 1 FROM peers WHERE name = 'carol'`).toHaveLength(0);
  });

  it("answers 404 with FastAPI's body for unknown routes and 405 for a wrong method", async () => {
    const unknown = await fetch(`${t.app.url}/v3/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Not Found" });
    const wrong = await fetch(`${t.app.url}/v3/workspaces/acme/sessions/s/messages`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ detail: "Method Not Allowed" });
  });

  it("decodes a path as uvicorn does: an escaped slash is a slash (no route), bytes not UTF-8 are U+FFFD", async () => {
    const slash = await fetch(`${t.app.url}/v3/workspaces/acme/sessions/s%2Fx/messages/list`, { method: "POST" });
    expect(slash.status).toBe(404);
    expect(await slash.json()).toEqual({ detail: "Not Found" });
    const bytes = await fetch(`${t.app.url}/v3/workspaces/acme/sessions/a%FFb%C3%A9/summaries`);
    expect(await bytes.json()).toEqual({ id: "a\ufffdbé", short_summary: null, long_summary: null });
  });
});

describe.each(Object.entries(rpcProtocols))("%s", (name, transport) => {
  const session = `rpc-${name.replace(/[^a-z0-9]+/gi, "-")}`;

  it("creates messages with the same result as REST", async () => {
    const client = messageClient(transport(t.app.url));
    const res = await client.createMessages({
      workspaceId: "acme",
      sessionId: session,
      messages: [
        { content: "hello", peerId: "alice", metadata: { k: "v", n: 2 } },
        { content: "given time", peerId: "bot", createdAt: { seconds: 1714564800n, nanos: 0 } },
      ],
    });
    expect(res.messages).toHaveLength(2);
    const [a, b] = res.messages;
    expect(a).toMatchObject({ content: "hello", peerId: "alice", sessionId: session, workspaceId: "acme", metadata: { k: "v", n: 2 }, tokenCount: 1 });
    expect(a!.id).toMatch(NANOID);
    expect(b!.metadata).toEqual({});
    expect(timestampDate(b!.createdAt!).toISOString()).toBe("2024-05-01T12:00:00.000Z");
    const rows = await t.db.sql`SELECT public_id, seq_in_session::int AS seq FROM messages WHERE session_name = ${session} ORDER BY seq_in_session`;
    expect(rows.map((r) => [r.public_id, r.seq])).toEqual([[a!.id, 1], [b!.id, 2]]);
  });

  it("reports an inactive session as NOT_FOUND", async () => {
    const client = messageClient(transport(t.app.url));
    await client.createMessages({ workspaceId: "acme", sessionId: `${session}-x`, messages: [{ content: "x", peerId: "a" }] });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = ${`${session}-x`}`;
    const err = await client.createMessages({ workspaceId: "acme", sessionId: `${session}-x`, messages: [{ content: "y", peerId: "a" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    expect((err as ConnectError).rawMessage).toBe(`Session ${session}-x not found in workspace acme`);
  });
});

describe("gRPC-Web's trailer frame", () => {
  /** The trailer frame's text of a gRPC-Web call carrying these message bytes. */
  async function trailerOf(bytes: Uint8Array): Promise<string> {
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), bytes]);
    frame.writeUInt32BE(bytes.length, 1);
    const res = await fetch(`${t.app.url}/honcho.v3.MessageService/CreateMessages`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" }, body: frame });
    const body = Buffer.from(await res.arrayBuffer());
    expect(body[0]).toBe(0x80); // trailers only
    return body.subarray(5, 5 + body.readUInt32BE(1)).toString("latin1");
  }

  it("carries grpc-message percent-encoded as the gRPC spec says, not as encodeURIComponent", async () => {
    const trailer = await trailerOf(toBinary(CreateMessagesRequestSchema, create(CreateMessagesRequestSchema, { workspaceId: "acme", sessionId: "bad id!", messages: [{ content: "x", peerId: "a" }] })));
    expect(trailer).toContain("grpc-status: 3\r\n");
    expect(trailer).toContain("grpc-message: 1 validation error: path.session_id: String should match pattern '^[a-zA-Z0-9_-]+$'\r\n");
  });

  it("reports protobuf bytes that do not parse as INVALID_ARGUMENT, as gRPC and Connect do", async () => {
    const trailer = await trailerOf(Buffer.from([0xff, 0xff, 0xff]));
    expect(trailer).toContain("grpc-status: 3\r\n");
    expect(trailer).toMatch(/grpc-message: parse binary: /);
  });
});

describe("buf curl", () => {
  it.each([
    ["grpc", ["--protocol", "grpc", "--http2-prior-knowledge"]],
    ["grpcweb", ["--protocol", "grpcweb"]],
    ["connect", ["--protocol", "connect"]],
  ])("calls CreateMessages over %s with the proto schema", async (_name, flags) => {
    const root = path.resolve(import.meta.dirname, "../..");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        path.join(root, "node_modules/.bin/buf"),
        ["curl", "--schema", "proto", ...flags, `${t.app.url}/honcho.v3.MessageService/CreateMessages`, "-d",
          JSON.stringify({ workspace_id: "acme", session_id: `buf-${_name}`, messages: [{ content: "hi", peer_id: "alice" }] })],
        { cwd: root },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const res = JSON.parse(out) as { messages: { content: string; peerId: string; sessionId: string; tokenCount: number }[] };
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]).toMatchObject({ content: "hi", peerId: "alice", sessionId: `buf-${_name}`, tokenCount: 1 });
  });
});
