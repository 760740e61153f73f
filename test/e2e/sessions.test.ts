// Sessions beyond get-or-create: the list (active only, pages, Honcho's
// filters), update (get-or-create, metadata replaced, configuration merged,
// inactive → 404), clone (Honcho's copy, with its bugs fixed) and summaries
// (as Honcho's deriver stores them), over REST and every RPC protocol, with
// their validation and auth rules.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { rpcProtocols } from "../support/clients.js";
import { bearer, rest } from "../support/rest.js";

const SECRET = "sessions-secret";
const NO_PURGE = { purge: { enabled: false, intervalMs: 60_000 } };
const WS = "sw";
let db: TestDb;
let app: App;
let secured: App;
const protocols = Object.keys(rpcProtocols);
const post = (ws: string, s: string, messages: object[]) => rest(app.url, "POST", `/v3/workspaces/${ws}/sessions/${s}/messages`, { messages });

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, NO_PURGE);
  secured = await startTestApp(db.url, { ...NO_PURGE, authUseAuth: true, authJwtSecret: SECRET });
});
afterAll(async () => {
  await secured?.stop();
  await app?.stop();
  await db?.drop();
});

const names = (r: { json: { items: { id: string }[] } }) => r.json.items.map((p) => p.id);

describe("POST /v3/workspaces/{workspace_id}/sessions/list", () => {
  const list = (query = "", body?: unknown, ws = WS, headers?: Record<string, string>, base = app.url) => rest(base, "POST", `/v3/workspaces/${ws}/sessions/list${query}`, body, headers);

  beforeAll(async () => {
    for (const [i, s] of ["sl-1", "sl-2", "sl-3", "sl-4"].entries()) {
      expect((await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions`, { id: s, metadata: { n: i, kind: i % 2 ? "b" : "a" } })).status).toBe(201);
    }
    expect((await rest(app.url, "DELETE", `/v3/workspaces/${WS}/sessions/sl-4`)).status).toBe(202);
  });

  it("pages the workspace's active sessions, oldest first", async () => {
    const all = await list("", { filters: { id: { contains: "sl-" } } });
    expect(all.status).toBe(200);
    expect(names(all)).toEqual(["sl-1", "sl-2", "sl-3"]);
    expect(all.json.items[0]).toEqual({ id: "sl-1", is_active: true, workspace_id: WS, metadata: { n: 0, kind: "a" }, configuration: {}, created_at: expect.any(String) });
    expect((await list("?size=1&page=2&reverse=true", { filters: { id: { contains: "sl-" } } })).json).toMatchObject({ items: [{ id: "sl-2" }], total: 3, pages: 3 });
    // only active sessions are ever listed
    expect(names(await list("", { filters: { is_active: false } }))).toEqual([]);
    expect(names(await list("", { filters: { metadata: { kind: "a" } } }))).toEqual(["sl-1", "sl-3"]);
    expect(names(await list("", { filters: { AND: [{ metadata: { n: { gt: 0 } } }, { workspace_id: WS }] } }))).toEqual(["sl-2", "sl-3"]);
    expect((await list("", undefined, "nowhere")).json.total).toBe(0);
    expect(await list("", { filters: { peer_id: "alice" } })).toMatchObject({ status: 422, json: { detail: "Column 'peer_id' does not exist on Session" } });
    expect(await list("", { filters: { is_active: "yes" } })).toMatchObject({ status: 422, json: { detail: "Invalid value for column 'is_active': expected true or false, got str" } });
    expect((await list("?size=x")).json.detail).toEqual([{ type: "int_parsing", loc: ["query", "size"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" }]);
  });

  it("admits workspace tokens only", async () => {
    expect((await list("", undefined, WS, bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, s: "sl-1" }, { w: WS, p: "alice" }]) expect((await list("", undefined, WS, bearer(claims, SECRET), secured.url)).status).toBe(401);
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(SessionService, rpcProtocols[protocol]!(app.url));
    const page = await client.listSessions({ workspaceId: WS, reverse: true, options: { filters: { id: ["sl-1", "sl-2", "sl-4"] } } });
    expect(page.items.map((s) => [s.id, s.isActive])).toEqual([["sl-2", true], ["sl-1", true]]);
  });
});

describe("PUT /v3/workspaces/{workspace_id}/sessions/{session_id}", () => {
  const put = (s: string, body: unknown, ws = WS, headers?: Record<string, string>, base = app.url) => rest(base, "PUT", `/v3/workspaces/${ws}/sessions/${s}`, body, headers);

  it("creates a missing session (200), replaces metadata, merges configuration; an inactive one is not found", async () => {
    const created = await put("su-1", { metadata: { a: 1 }, configuration: { reasoning: { enabled: false }, summary: { enabled: true } } }, "su-ws");
    expect(created).toMatchObject({ status: 200, json: { id: "su-1", is_active: true, workspace_id: "su-ws", metadata: { a: 1 }, configuration: { reasoning: { enabled: false }, summary: { enabled: true } } } });
    const merged = await put("su-1", { metadata: { b: 2 }, configuration: { summary: { messages_per_short_summary: 15 } } }, "su-ws");
    expect(merged.json).toEqual({ ...created.json, metadata: { b: 2 }, configuration: { reasoning: { enabled: false }, summary: { messages_per_short_summary: 15 } } });
    expect((await put("su-1", {}, "su-ws")).json).toEqual(merged.json);
    expect((await rest(app.url, "DELETE", "/v3/workspaces/su-ws/sessions/su-1")).status).toBe(202);
    expect(await put("su-1", { metadata: { c: 3 } }, "su-ws")).toMatchObject({ status: 404, json: { detail: "Session su-1 not found in workspace su-ws" } });
    const [row] = await db.sql`SELECT metadata FROM sessions WHERE workspace_name = 'su-ws' AND name = 'su-1'`;
    expect(row!.metadata).toEqual({ b: 2 });
  });

  it("validates as pydantic does", async () => {
    expect((await put("su-2", { configuration: 1, metadata: "m" })).json.detail).toEqual([
      { type: "dict_type", loc: ["body", "metadata"], msg: "Input should be a valid dictionary", input: "m" },
      { type: "model_type", loc: ["body", "configuration"], msg: "Input should be a valid dictionary or instance of SessionConfiguration", input: 1, ctx: { class_name: "SessionConfiguration" } },
    ]);
    expect((await put("x".repeat(513), {})).json.detail[0]).toMatchObject({ type: "string_too_long", loc: ["path", "session_id"] });
  });

  it("admits workspace tokens and the session's own token", async () => {
    await put("su-3", {});
    expect((await put("su-3", { metadata: {} }, WS, bearer({ w: WS, s: "su-3" }, SECRET), secured.url)).status).toBe(200);
    expect((await put("su-3", { metadata: {} }, WS, bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, s: "other" }, { w: WS, p: "alice" }]) expect((await put("su-3", {}, WS, bearer(claims, SECRET), secured.url)).status).toBe(401);
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(SessionService, rpcProtocols[protocol]!(app.url));
    const s = `su-rpc-${protocols.indexOf(protocol)}`;
    expect((await client.updateSession({ workspaceId: WS, sessionId: s, metadata: { x: 1 } })).session).toMatchObject({ id: s, isActive: true, metadata: { x: 1 }, configuration: {} });
    const bad = await client.updateSession({ workspaceId: WS, sessionId: s, configuration: { summary: { messages_per_long_summary: 5 } } }).catch((e: unknown) => ConnectError.from(e));
    expect(bad).toMatchObject({ code: Code.InvalidArgument });
  });
});

describe("POST /v3/workspaces/{workspace_id}/sessions/{session_id}/clone", () => {
  const clone = (s: string, query = "", ws = WS, headers?: Record<string, string>, base = app.url) => rest(base, "POST", `/v3/workspaces/${ws}/sessions/${s}/clone${query}`, undefined, headers);
  const messagesOf = (ws: string, s: string) =>
    db.sql`SELECT public_id, content, metadata, peer_name, seq_in_session::int AS seq, token_count, created_at, internal_metadata FROM messages WHERE workspace_name = ${ws} AND session_name = ${s} ORDER BY id`;
  const membersOf = (ws: string, s: string) => db.sql`SELECT peer_name, configuration, left_at FROM session_peers WHERE workspace_name = ${ws} AND session_name = ${s} ORDER BY peer_name`;
  let originals: string[] = [];

  beforeAll(async () => {
    await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions`, { id: "sc-1", metadata: { topic: "x" }, configuration: { dream: { enabled: false } }, peers: { alice: { observe_others: true }, bob: {} } });
    const r = await post(WS, "sc-1", [
      { content: "one", peer_id: "alice", metadata: { k: 1 } },
      { content: "two words", peer_id: "bob" },
      { content: "three little words", peer_id: "carol" },
    ]);
    originals = (r.json as { id: string }[]).map((m) => m.id);
    await db.sql`UPDATE session_peers SET left_at = now() WHERE workspace_name = ${WS} AND session_name = 'sc-1' AND peer_name = 'carol'`;
    await db.sql`UPDATE sessions SET internal_metadata = '{"summaries": {"honcho_chat_summary_short": {"content": "s"}}}'::jsonb WHERE workspace_name = ${WS} AND name = 'sc-1'`;
  });

  it("copies metadata, configuration, messages and members into a new session (201)", async () => {
    const r = await clone("sc-1");
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{21}$/), is_active: true, workspace_id: WS, metadata: { topic: "x" }, configuration: { dream: { enabled: false } }, created_at: expect.any(String) });
    const copies = await messagesOf(WS, r.json.id);
    const source = await messagesOf(WS, "sc-1");
    expect(copies.map((m) => [m.content, m.metadata, m.peer_name, m.seq, m.token_count, m.internal_metadata])).toEqual(source.map((m) => [m.content, m.metadata, m.peer_name, m.seq, m.token_count, {}]));
    expect(copies.every((m) => !originals.includes(m.public_id) && m.public_id.length === 21)).toBe(true);
    expect(new Set(copies.map((m) => m.created_at.getTime())).size).toBe(1);
    // members copied with their configuration; one who had left is a member of the clone (as in Honcho)
    expect((await membersOf(WS, r.json.id)).map((m) => [m.peer_name, m.configuration, m.left_at])).toEqual([
      ["alice", { observe_me: null, observe_others: true }],
      ["bob", { observe_me: null, observe_others: null }],
      ["carol", { observe_me: null, observe_others: null }],
    ].map(([p, c]) => [p, c, null]));
    const [s] = await db.sql`SELECT internal_metadata FROM sessions WHERE workspace_name = ${WS} AND name = ${r.json.id}`;
    expect(s!.internal_metadata).toEqual({}); // summaries are not copied
    // the clone is an ordinary session: listed, written to
    expect((await post(WS, r.json.id, [{ content: "four", peer_id: "alice" }])).status).toBe(201);
    expect((await messagesOf(WS, r.json.id)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it("stops at a given message (inclusive); an unknown message is 'Session not found'", async () => {
    const r = await clone("sc-1", `?message_id=${originals[1]}`);
    expect(r.status).toBe(201);
    expect((await messagesOf(WS, r.json.id)).map((m) => m.content)).toEqual(["one", "two words"]);
    expect(await clone("sc-1", "?message_id=nope")).toMatchObject({ status: 404, json: { detail: "Session not found" } });
    expect(await clone("nope")).toMatchObject({ status: 404, json: { detail: "Original session not found" } });
    const other = await post(WS, "sc-other", [{ content: "elsewhere", peer_id: "alice" }]);
    expect(await clone("sc-1", `?message_id=${other.json[0].id}`)).toMatchObject({ status: 404, json: { detail: "Session not found" } });
  });

  it("clones and commits a session without messages (Honcho answers 201 and rolls the clone back)", async () => {
    await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions`, { id: "sc-empty", metadata: { e: 1 }, peers: { dave: {} } });
    const r = await clone("sc-empty");
    expect(r).toMatchObject({ status: 201, json: { is_active: true, metadata: { e: 1 } } });
    const [row] = await db.sql`SELECT metadata FROM sessions WHERE workspace_name = ${WS} AND name = ${r.json.id}`;
    expect(row!.metadata).toEqual({ e: 1 });
    expect((await membersOf(WS, r.json.id)).map((m) => m.peer_name)).toEqual(["dave"]);
  });

  it("copies only the workspace's own session (Honcho also copies a same-named session's messages from other workspaces)", async () => {
    await post("sc-ws-a", "same", [{ content: "in a", peer_id: "alice" }]);
    await post("sc-ws-b", "same", [{ content: "in b", peer_id: "bob" }, { content: "more b", peer_id: "bob" }]);
    const r = await clone("same", "", "sc-ws-a");
    expect(r.status).toBe(201);
    expect((await messagesOf("sc-ws-a", r.json.id)).map((m) => m.content)).toEqual(["in a"]);
    expect((await membersOf("sc-ws-a", r.json.id)).map((m) => m.peer_name)).toEqual(["alice"]);
  });

  it("does not clone an inactive session, and admits the session's own token", async () => {
    await post(WS, "sc-gone", [{ content: "x", peer_id: "alice" }]);
    await rest(app.url, "DELETE", `/v3/workspaces/${WS}/sessions/sc-gone`);
    expect(await clone("sc-gone")).toMatchObject({ status: 404, json: { detail: "Original session not found" } });
    expect((await clone("sc-1", "", WS, bearer({ w: WS, s: "sc-1" }, SECRET), secured.url)).status).toBe(201);
    expect((await clone("sc-1", "", WS, bearer({ w: WS, s: "sc-2" }, SECRET), secured.url)).status).toBe(401);
    expect((await clone("sc-1", "", WS, bearer({ w: WS, p: "alice" }, SECRET), secured.url)).status).toBe(401);
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(SessionService, rpcProtocols[protocol]!(app.url));
    const out = await client.cloneSession({ workspaceId: WS, sessionId: "sc-1", messageId: originals[0] });
    expect(out.session).toMatchObject({ isActive: true, workspaceId: WS, metadata: { topic: "x" } });
    expect((await messagesOf(WS, out.session!.id)).map((m) => m.content)).toEqual(["one"]);
    await expect(client.cloneSession({ workspaceId: WS, sessionId: "nope" })).rejects.toMatchObject({ code: Code.NotFound, rawMessage: "Original session not found" });
  });
});

describe("GET /v3/workspaces/{workspace_id}/sessions/{session_id}/summaries", () => {
  const summaries = (s: string, headers?: Record<string, string>, base = app.url) => rest(base, "GET", `/v3/workspaces/${WS}/sessions/${s}/summaries`, undefined, headers);
  // as Honcho's summarizer stores them (src/utils/summarizer.py)
  const stored = {
    summaries: {
      honcho_chat_summary_short: { content: "short one", message_id: 41, summary_type: "honcho_chat_summary_short", created_at: "2025-01-01T00:00:00Z", token_count: 3, message_public_id: "pub_41" },
      honcho_chat_summary_long: { content: "long one", message_id: 40, summary_type: "honcho_chat_summary_long", created_at: "2025-01-02T00:00:00Z", token_count: 7 },
    },
  };

  beforeAll(async () => {
    await post(WS, "ss-1", [{ content: "hi", peer_id: "alice" }]);
    await db.sql`UPDATE sessions SET internal_metadata = ${JSON.stringify(stored)}::text::jsonb WHERE workspace_name = ${WS} AND name = 'ss-1'`;
    await post(WS, "ss-bare", [{ content: "hi", peer_id: "alice" }]);
  });

  it("answers both summaries as Honcho shapes them (the message's public id; '' when not stored)", async () => {
    expect(await summaries("ss-1")).toMatchObject({
      status: 200,
      json: {
        id: "ss-1",
        short_summary: { content: "short one", message_id: "pub_41", summary_type: "honcho_chat_summary_short", created_at: "2025-01-01T00:00:00Z", token_count: 3 },
        long_summary: { content: "long one", message_id: "", summary_type: "honcho_chat_summary_long", created_at: "2025-01-02T00:00:00Z", token_count: 7 },
      },
    });
    expect((await summaries("ss-1")).text).toBe(
      '{"id":"ss-1","short_summary":{"content":"short one","message_id":"pub_41","summary_type":"honcho_chat_summary_short","created_at":"2025-01-01T00:00:00Z","token_count":3},"long_summary":{"content":"long one","message_id":"","summary_type":"honcho_chat_summary_long","created_at":"2025-01-02T00:00:00Z","token_count":7}}',
    );
    expect((await summaries("ss-bare")).text).toBe('{"id":"ss-bare","short_summary":null,"long_summary":null}');
    // a missing or inactive session has none (200, as Honcho)
    expect((await summaries("never")).json).toEqual({ id: "never", short_summary: null, long_summary: null });
    await rest(app.url, "DELETE", `/v3/workspaces/${WS}/sessions/ss-1`);
    expect((await summaries("ss-1")).json).toEqual({ id: "ss-1", short_summary: null, long_summary: null });
  });

  it("admits workspace and session tokens, and active members' peer tokens", async () => {
    expect((await summaries("ss-bare", bearer({ w: WS, p: "alice" }, SECRET), secured.url)).status).toBe(200);
    expect((await summaries("ss-bare", bearer({ w: WS, s: "ss-bare" }, SECRET), secured.url)).status).toBe(200);
    expect((await summaries("ss-bare", bearer({ w: WS, p: "zed" }, SECRET), secured.url)).status).toBe(401);
    expect((await summaries("ss-bare", bearer({ w: WS, s: "ss-1" }, SECRET), secured.url)).status).toBe(401);
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(SessionService, rpcProtocols[protocol]!(app.url));
    await db.sql`UPDATE sessions SET internal_metadata = ${JSON.stringify(stored)}::text::jsonb WHERE workspace_name = ${WS} AND name = 'ss-bare'`;
    const out = await client.getSessionSummaries({ workspaceId: WS, sessionId: "ss-bare" });
    expect(out.id).toBe("ss-bare");
    expect(out.shortSummary).toMatchObject({ content: "short one", messageId: "pub_41", tokenCount: 3 });
    expect(out.longSummary).toMatchObject({ content: "long one", messageId: "" });
    expect((await client.getSessionSummaries({ workspaceId: WS, sessionId: "never" })).shortSummary).toBeUndefined();
  });
});

describe("POST .../sessions/{session_id}/messages/list, with the same filter implementation", () => {
  const list = (body: unknown, query = "") => rest(app.url, "POST", `/v3/workspaces/${WS}/sessions/ml/messages/list${query}`, body);
  const contents = (r: { json: { items: { content: string }[] } }) => r.json.items.map((m) => m.content);

  beforeAll(async () => {
    expect(
      (
        await post(WS, "ml", [
          { content: "a", peer_id: "alice", metadata: { score: 1 } },
          { content: "bb bb bb", peer_id: "bob", metadata: { score: "7" } },
          { content: "c", peer_id: "carol", metadata: { score: "high" } },
          { content: "d d", peer_id: "alice", metadata: { score: 10 } },
        ])
      ).status,
    ).toBe(201);
  });

  it("takes Honcho's whole language: operators, AND / OR / NOT, numeric metadata", async () => {
    expect(contents(await list({ filters: { peer_id: { in: ["alice", "carol"] } } }))).toEqual(["a", "c", "d d"]);
    expect(contents(await list({ filters: { token_count: { gt: 1 } } }))).toEqual(["bb bb bb", "d d"]);
    expect(contents(await list({ filters: { OR: [{ peer_id: "bob" }, { metadata: { score: { gte: 10 } } }] } }))).toEqual(["bb bb bb", "d d"]);
    expect(contents(await list({ filters: { NOT: [{ peer_id: "alice" }] } }, "?reverse=true"))).toEqual(["c", "bb bb bb"]);
    // a metadata value that is not a number never matches a numeric comparison (Honcho: a 500)
    expect(contents(await list({ filters: { metadata: { score: { lt: 8 } } } }))).toEqual(["a", "bb bb bb"]);
    expect(contents(await list({ filters: { session_id: "ml", workspace_id: WS, peer_id: { contains: "AL" } } }))).toEqual(["a", "d d"]);
  });

  it("refuses what Honcho refuses, in Honcho's words", async () => {
    expect(await list({ filters: { id: "x" } })).toMatchObject({ status: 422, json: { detail: "Column 'id' is not allowed to be filtered on or does not exist on Message" } });
    expect(await list({ filters: { token_count: "abc" } })).toMatchObject({ status: 422, json: { detail: "Invalid numeric value: abc. Expected a number, got str" } });
    expect(await list({ filters: { peer_id: 5 } })).toMatchObject({ status: 422, json: { detail: "Invalid value for column 'peer_name': expected a string, got int" } });
    expect((await list({ filters: 1 })).json.detail).toEqual([{ type: "dict_type", loc: ["body", "filters"], msg: "Input should be a valid dictionary", input: 1 }]);
  });
});
