// Reading messages back, and get-or-create of workspaces, peers and sessions,
// over REST and gRPC, with their own validation and auth rules.
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { SessionService, WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";

const SECRET = "read-secret";
let db: TestDb;
let app: App;
let secured: App;
let ids: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url);
  secured = await startTestApp(db.url, { authUseAuth: true, authJwtSecret: SECRET });
  const batch = (n: number, peer: string, extra: object = {}) => Array.from({ length: n }, (_, i) => ({ content: `${peer} ${i}`, peer_id: peer, ...extra }));
  const res = await postMessages(app.url, "rb", "s1", {
    messages: [...batch(3, "alice", { metadata: { topic: "a", n: 1 } }), ...batch(2, "bob", { created_at: "2020-01-01T00:00:00Z" }), ...batch(2, "alice")],
  });
  ids = (res.json as { id: string }[]).map((m) => m.id);
});
afterAll(async () => {
  await secured?.stop();
  await app?.stop();
  await db?.drop();
});

const base = () => `${app.url}/v3/workspaces/rb/sessions/s1/messages`;
async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { detail?: unknown; items?: { id: string; content: string; peer_id: string }[] } };
}
const list = (query = "", body: unknown = undefined, url = base()) => call(`${url}/list${query}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });

describe("REST", () => {
  it("gets one message by id, and 404s an unknown one", async () => {
    const got = await call(`${base()}/${ids[0]}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: ids[0], content: "alice 0", peer_id: "alice", session_id: "s1", workspace_id: "rb", metadata: { topic: "a", n: 1 }, token_count: 3 });
    expect(await call(`${base()}/nope`)).toEqual({ status: 404, json: { detail: "Message with ID nope not found" } });
  });

  it("replaces metadata, and refuses metadata Honcho refuses", async () => {
    const put = await call(`${base()}/${ids[1]}`, { method: "PUT", body: JSON.stringify({ metadata: { edited: true } }) });
    expect(put.status).toBe(200);
    expect(put.json.metadata).toEqual({ edited: true });
    expect((await call(`${base()}/${ids[1]}`)).json.metadata).toEqual({ edited: true });
    // Honcho's update_message: null or no metadata leaves it as it is; {} clears it
    const untouched = await call(`${base()}/${ids[1]}`, { method: "PUT", body: JSON.stringify({ metadata: null }) });
    expect([untouched.status, untouched.json.metadata]).toEqual([200, { edited: true }]);
    expect((await call(`${base()}/${ids[1]}`, { method: "PUT", body: "{}" })).json.metadata).toEqual({ edited: true });
    const cleared = await call(`${base()}/${ids[1]}`, { method: "PUT", body: JSON.stringify({ metadata: {} }) });
    expect(cleared.json.metadata).toEqual({});
    const deep = await call(`${base()}/${ids[1]}`, { method: "PUT", body: JSON.stringify({ metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }) });
    expect(deep.status).toBe(422);
    expect(deep.json.detail).toEqual([{ type: "value_error", loc: ["body", "metadata"], msg: "Value error, Metadata nesting exceeds maximum depth of 5", input: { a: { b: { c: { d: { e: { f: 1 } } } } } }, ctx: { error: {} } }]);
    expect((await call(`${base()}/nope`, { method: "PUT", body: "{}" })).json).toEqual({ detail: "Message not found" });
  });

  it("lists in sequence order in pages, newest first on request", async () => {
    const p1 = await list("?size=3");
    expect(p1.status).toBe(200);
    expect(p1.json).toMatchObject({ total: 7, page: 1, size: 3, pages: 3 });
    const all: string[] = [];
    for (let page = 1; page <= 3; page++) all.push(...(await list(`?size=3&page=${page}`)).json.items!.map((m) => m.id));
    expect(all).toEqual(ids);
    expect((await list("?size=2&reverse=true")).json.items!.map((m) => m.id)).toEqual([ids[6], ids[5]]);
    expect((await list("?page=9")).json).toMatchObject({ items: [], total: 7, page: 9, size: 50, pages: 1 });
    expect((await list("", {})).json.total).toBe(7);
  });

  it("filters by peer, metadata and created_at", async () => {
    expect((await list("", { filters: { peer_id: "bob" } })).json.items!.map((m) => m.content)).toEqual(["bob 0", "bob 1"]);
    expect((await list("", { filters: { metadata: { topic: "a" } } })).json.items!.map((m) => m.content)).toEqual(["alice 0", "alice 2"]);
    expect((await list("", { filters: { created_at: { lt: "2021-01-01T00:00:00Z" } } })).json.items!.map((m) => m.content)).toEqual(["bob 0", "bob 1"]);
    expect((await list("", { filters: { created_at: { gte: "2021-01-01" }, peer_id: "alice" } })).json.total).toBe(5);
  });

  it("answers 422 in FastAPI's words for bad queries, bodies and unsupported filters", async () => {
    expect((await list("?page=0&size=101&reverse=maybe")).json.detail).toEqual([
      { type: "greater_than_equal", loc: ["query", "page"], msg: "Input should be greater than or equal to 1", input: "0", ctx: { ge: 1 } },
      { type: "less_than_equal", loc: ["query", "size"], msg: "Input should be less than or equal to 100", input: "101", ctx: { le: 100 } },
      { type: "bool_parsing", loc: ["query", "reverse"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
    ]);
    expect((await list("?size=abc")).json.detail).toEqual([{ type: "int_parsing", loc: ["query", "size"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "abc" }]);
    expect((await list("", [1])).json.detail).toEqual([{ type: "model_type", loc: ["body"], msg: "Input should be a valid dictionary or instance of MessageGet", input: [1], ctx: { class_name: "MessageGet" } }]);
    const unsupported = await list("", { filters: { content: "x" } });
    expect(unsupported.status).toBe(422);
    // Honcho's filter language (src/domain/filters): messages cannot be filtered by content
    expect(unsupported.json.detail).toBe("Column 'content' is not allowed to be filtered on or does not exist on Message");
  });

  it("gets or creates workspaces, peers and sessions (with peers) as Honcho does", async () => {
    const ws = await call(`${app.url}/v3/workspaces`, { method: "POST", body: JSON.stringify({ id: "gc-ws", metadata: { plan: "pro" } }) });
    expect(ws).toMatchObject({ status: 201, json: { id: "gc-ws", metadata: { plan: "pro" }, configuration: {} } });
    const again = await call(`${app.url}/v3/workspaces`, { method: "POST", body: JSON.stringify({ id: "gc-ws", metadata: { plan: "free" } }) });
    expect([again.status, again.json]).toEqual([200, ws.json]); // get: the stored one
    const peer = await call(`${app.url}/v3/workspaces/gc-ws/peers`, { method: "POST", body: JSON.stringify({ id: "carol" }) });
    expect(peer.json).toMatchObject({ id: "carol", workspace_id: "gc-ws", metadata: {}, configuration: {} });
    const session = await call(`${app.url}/v3/workspaces/gc-ws/sessions`, { method: "POST", body: JSON.stringify({ id: "gc-s", peers: { carol: {}, dave: { observe_me: false } } }) });
    expect(session.json).toMatchObject({ id: "gc-s", is_active: true, workspace_id: "gc-ws", metadata: {} });
    const members = await db.sql`SELECT peer_name, configuration FROM session_peers WHERE session_name = 'gc-s' ORDER BY peer_name`;
    // SessionPeerConfig.model_dump(), nulls included
    expect(members.map((m) => [m.peer_name, m.configuration])).toEqual([["carol", { observe_me: null, observe_others: null }], ["dave", { observe_me: false, observe_others: null }]]);
    expect((await call(`${app.url}/v3/workspaces`, { method: "POST", body: "{}" })).json.detail).toEqual([{ type: "missing", loc: ["body", "id"], msg: "Field required", input: {} }]);
    expect((await call(`${app.url}/v3/workspaces/gc-ws/peers`, { method: "POST", body: JSON.stringify({ id: "bad name" }) })).status).toBe(422);
  });
});

describe("gRPC", () => {
  const transport = () => createGrpcTransport({ baseUrl: app.url });
  it("reads, updates and lists with the same rules", async () => {
    const messages = createClient(MessageService, transport());
    expect((await messages.getMessage({ workspaceId: "rb", sessionId: "s1", messageId: ids[2]! })).message?.content).toBe("alice 2");
    const page = await messages.listMessages({ workspaceId: "rb", sessionId: "s1", page: 2, size: 3 });
    expect(page.items.map((m) => m.id)).toEqual(ids.slice(3, 6));
    expect([page.total, page.page, page.size, page.pages]).toEqual([7, 2, 3, 3]);
    const filtered = await messages.listMessages({ workspaceId: "rb", sessionId: "s1", options: { filters: { peer_id: "bob" } } });
    expect(filtered.items.map((m) => m.content)).toEqual(["bob 0", "bob 1"]);
    const err = await messages.listMessages({ workspaceId: "rb", sessionId: "s1", size: 101 }).catch((e: ConnectError) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toContain("query.size: Input should be less than or equal to 100");
    await expect(messages.getMessage({ workspaceId: "rb", sessionId: "s1", messageId: "nope" })).rejects.toMatchObject({ code: Code.NotFound });
    const updated = await messages.updateMessage({ workspaceId: "rb", sessionId: "s1", messageId: ids[4]!, metadata: { via: "grpc" } });
    expect(updated.message?.metadata).toEqual({ via: "grpc" });
    const unchanged = await messages.updateMessage({ workspaceId: "rb", sessionId: "s1", messageId: ids[4]! });
    expect(unchanged.message?.metadata).toEqual({ via: "grpc" }); // no metadata: left as it is
  });

  it("gets or creates sessions and workspaces", async () => {
    const ws = await createClient(WorkspaceService, transport()).getOrCreateWorkspace({ id: "grpc-ws" });
    expect(ws.workspace?.id).toBe("grpc-ws");
    const s = await createClient(SessionService, transport()).getOrCreateSession({ workspaceId: "grpc-ws", id: "grpc-s", peers: { erin: {} } });
    expect(s.session).toMatchObject({ id: "grpc-s", isActive: true, workspaceId: "grpc-ws" });
  });
});

describe("auth on the read routes", () => {
  const as = (claims: object) => ({ authorization: `Bearer ${hs256(claims, SECRET)}` });
  const securedBase = () => `${secured.url}/v3/workspaces/rb/sessions/s1/messages`;
  it.each([
    ["admin", { ad: true }, 200, 200, 200],
    ["workspace token", { w: "rb" }, 200, 200, 200],
    ["session token", { w: "rb", s: "s1" }, 200, 200, 200],
    ["other session's token", { w: "rb", s: "s2" }, 401, 401, 401],
    ["member peer token", { w: "rb", p: "alice" }, 200, 200, 401],
    ["non-member peer token", { w: "rb", p: "zed" }, 401, 401, 401],
    ["other workspace", { w: "zz" }, 401, 401, 401],
  ])("%s %j: get %i, list %i, update %i", async (_n, claims, get, listed, update) => {
    const headers = as(claims);
    expect((await call(`${securedBase()}/${ids[0]}`, { headers })).status).toBe(get);
    expect((await call(`${securedBase()}/list`, { method: "POST", headers })).status).toBe(listed);
    const put = await call(`${securedBase()}/${ids[0]}`, { method: "PUT", headers, body: JSON.stringify({ metadata: { k: 1 } }) });
    expect(put.status).toBe(update);
    if (update === 401) expect(put.json).toEqual({ detail: "JWT not permissioned for this resource" });
  });

  it("lets a workspace token get-or-create only its own workspace", async () => {
    const post = (claims: object, id: string) => call(`${secured.url}/v3/workspaces`, { method: "POST", headers: as(claims), body: JSON.stringify({ id }) });
    expect((await post({ w: "mine" }, "mine")).status).toBe(201);
    expect((await post({ w: "mine" }, "theirs")).status).toBe(401);
    expect((await post({ ad: true }, "theirs")).status).toBe(201);
  });
});
