// A workspace under a name Honcho's pattern no longer admits: an app named
// before the pattern ("acme.prod"), which Honcho's peer-paradigm migration
// kept as the workspace's name. Honcho's paths are plain `str`, so it serves
// such a workspace on its read routes and on writes to rows that exist; the
// routes that may create the row they name keep the pattern (Honcho fails
// there: a 500, or its crud's WorkspaceCreate refusal) unless that row
// exists. Answers as Honcho gave them (ddbb90e3, 2026-12-04) for the same
// rows.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { SessionService } from "../../gen/honcho/v3/resources_pb.js";
import { useTestApp } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";
import { rest } from "../support/rest.js";

const t = useTestApp();
const WS = "acme.prod";
const W = `/v3/workspaces/${encodeURIComponent(WS)}`;
const MESSAGE = "legacyMessage00000001";
const refused = (loc: string[], input: string) => [
  { type: "string_pattern_mismatch", loc, msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input, ctx: { pattern: "^[a-zA-Z0-9_-]+$" } },
];

beforeAll(async () => {
  // as Honcho's migration left an old app's rows
  await t.db.sql`INSERT INTO workspaces (id, name) VALUES ('legacy-ws-00000000001', ${WS})`;
  await t.db.sql`INSERT INTO peers (id, name, workspace_name) VALUES ('legacy-peer-000000001', 'alice', ${WS})`;
  await t.db.sql`
    INSERT INTO sessions (id, name, workspace_name, is_active) VALUES
      ('legacy-session-000001', 's1', ${WS}, true), ('legacy-session-000002', 's2', ${WS}, true),
      ('legacy-session-000003', 'upd', ${WS}, true), ('legacy-session-000004', 'gone', ${WS}, false)`;
  await t.db.sql`INSERT INTO session_peers (workspace_name, session_name, peer_name) VALUES (${WS}, 's1', 'alice'), (${WS}, 's2', 'alice')`;
  await t.db.sql`
    INSERT INTO messages (public_id, session_name, content, workspace_name, peer_name, seq_in_session, token_count)
    VALUES (${MESSAGE}, 's1', 'hello', ${WS}, 'alice', 1, 1)`;
});

describe("a workspace under a legacy name", () => {
  it("is read like any other: lists, a message, summaries, a card, queue status", async () => {
    const items = async (verb: string, path: string, body?: unknown) => {
      const r = await rest(t.app.url, verb, W + path, body);
      expect(r.status, r.text).toBe(200);
      return (r.json as { items: { id: string }[] }).items.map((x) => x.id);
    };
    expect(await items("POST", "/peers/list", {})).toEqual(["alice"]);
    expect(await items("POST", "/sessions/list", {})).toEqual(["s1", "s2", "upd"]);
    expect(await items("POST", "/peers/alice/sessions", {})).toEqual(["s1", "s2"]);
    expect(await items("POST", "/sessions/s1/messages/list", {})).toEqual([MESSAGE]);
    expect(await items("GET", "/sessions/s1/peers")).toEqual(["alice"]);
    const one = await rest(t.app.url, "GET", `${W}/sessions/s1/messages/${MESSAGE}`);
    expect(one.json).toMatchObject({ id: MESSAGE, content: "hello", workspace_id: WS, session_id: "s1" });
    expect((await rest(t.app.url, "GET", `${W}/sessions/s1/summaries`)).json).toEqual({ id: "s1", short_summary: null, long_summary: null });
    expect((await rest(t.app.url, "GET", `${W}/peers/alice/card`)).json).toEqual({ peer_card: null });
    expect((await rest(t.app.url, "GET", `${W}/queue/status`)).json).toEqual({ total_work_units: 0, completed_work_units: 0, in_progress_work_units: 0, pending_work_units: 0, sessions: null });
  });

  it("takes writes to rows that exist: a message's metadata, a clone, deletes", async () => {
    const updated = await rest(t.app.url, "PUT", `${W}/sessions/s1/messages/${MESSAGE}`, { metadata: { x: 1 } });
    expect(updated.status, updated.text).toBe(200);
    expect((await t.db.sql`SELECT metadata FROM messages WHERE public_id = ${MESSAGE}`)[0]!.metadata).toEqual({ x: 1 });
    const clone = await rest(t.app.url, "POST", `${W}/sessions/s1/clone`);
    expect(clone.status, clone.text).toBe(201);
    expect(clone.json).toMatchObject({ workspace_id: WS, is_active: true });
    const copies = await t.db.sql`SELECT content FROM messages WHERE workspace_name = ${WS} AND session_name = ${(clone.json as { id: string }).id}`;
    expect(copies.map((r) => r.content)).toEqual(["hello"]);
    expect(await rest(t.app.url, "DELETE", `${W}/sessions/s2`)).toMatchObject({ status: 202, json: { message: "Session deleted successfully" } });
  });

  it("reads the same over gRPC and Connect", async () => {
    for (const protocol of Object.keys(rpcProtocols)) {
      const client = createClient(MessageService, rpcProtocols[protocol]!(t.app.url));
      const page = await client.listMessages({ workspaceId: WS, sessionId: "s1" });
      expect(page.items.map((m) => m.id), protocol).toEqual([MESSAGE]);
    }
  });

  it("keeps the pattern where a route may create the row it names (Honcho: a 500 or its crud's refusal)", async () => {
    const loc = ["path", "workspace_id"];
    expect((await postMessages(t.app.url, WS, "s1", { messages: [{ content: "x", peer_id: "alice" }] })).json).toEqual({ detail: refused(loc, WS) });
    expect((await rest(t.app.url, "POST", `${W}/sessions`, { id: "s3" })).json).toEqual({ detail: refused(loc, WS) });
    expect((await rest(t.app.url, "POST", `${W}/peers`, { id: "bob" })).json).toEqual({ detail: refused(loc, WS) });
    expect((await rest(t.app.url, "PUT", `${W}/sessions/s3`, { metadata: {} })).json).toEqual({ detail: refused(loc, WS) });
    expect((await rest(t.app.url, "PUT", `${W}/peers/alice`, { metadata: {} })).json).toEqual({ detail: refused(loc, WS) });
    expect((await rest(t.app.url, "PUT", W, { metadata: {} })).json).toEqual({ detail: refused(loc, WS) });
    const [{ count }] = (await t.db.sql`SELECT count(*)::int AS count FROM sessions WHERE workspace_name = ${WS} AND name = 's3'`) as unknown as [{ count: number }];
    expect(count).toBe(0);
  });

  it("gets and updates a session that exists in it, as Honcho's get_or_create_session does", async () => {
    const at = "2026-12-04T00:00:00Z";
    await t.db.sql`UPDATE sessions SET created_at = ${at} WHERE workspace_name = ${WS} AND name = 'upd'`;
    const session = (metadata: object, configuration: object) => ({ id: "upd", is_active: true, workspace_id: WS, metadata, configuration, created_at: "2026-12-04T00:00:00Z" });
    const put = await rest(t.app.url, "PUT", `${W}/sessions/upd`, { metadata: { x: 1 } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual(session({ x: 1 }, {}));
    const got = await rest(t.app.url, "POST", `${W}/sessions`, { id: "upd" });
    expect(got.status, got.text).toBe(200);
    expect(got.json).toEqual(session({ x: 1 }, {}));
    const merged = await rest(t.app.url, "POST", `${W}/sessions`, { id: "upd", metadata: { y: 2 }, configuration: { summary: { enabled: false } } });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.json).toEqual(session({ y: 2 }, { summary: { enabled: false } }));
    const again = await rest(t.app.url, "PUT", `${W}/sessions/upd`, { configuration: { dream: { enabled: false } } });
    expect(again.json).toEqual(session({ y: 2 }, { summary: { enabled: false }, dream: { enabled: false } }));
    // an inactive one is not found, as elsewhere
    for (const [verb, path, body] of [["PUT", "/sessions/gone", { metadata: {} }], ["POST", "/sessions", { id: "gone" }]] as const) {
      expect(await rest(t.app.url, verb, W + path, body)).toMatchObject({ status: 404, json: { detail: `Session gone not found in workspace ${WS}` } });
    }
    // over gRPC and Connect alike; a session it does not hold is still the pattern's refusal
    for (const protocol of Object.keys(rpcProtocols)) {
      const client = createClient(SessionService, rpcProtocols[protocol]!(t.app.url));
      const answer = await client.getOrCreateSession({ workspaceId: WS, id: "upd" });
      expect([answer.created, answer.session?.workspaceId, answer.session?.metadata], protocol).toEqual([false, WS, { y: 2 }]);
      const refusal = await client.updateSession({ workspaceId: WS, sessionId: "nope", metadata: {} }).catch((e: unknown) => ConnectError.from(e));
      expect(refusal, protocol).toBeInstanceOf(ConnectError);
      expect((refusal as ConnectError).code, protocol).toBe(Code.InvalidArgument);
    }
    const [{ count }] = (await t.db.sql`SELECT count(*)::int AS count FROM sessions WHERE workspace_name = ${WS} AND name = 'nope'`) as unknown as [{ count: number }];
    expect(count).toBe(0);
  });

  it("takes members into a session that exists in it, on every members route", async () => {
    await t.db.sql`INSERT INTO sessions (id, name, workspace_name) VALUES ('legacy-session-000005', 'members', ${WS})`;
    const at = (path: string) => `${W}/sessions/members${path}`;
    expect((await rest(t.app.url, "POST", at("/peers"), { alice: {}, bob: {} })).status).toBe(200);
    expect((await rest(t.app.url, "PUT", at("/peers"), { bob: {}, carol: {} })).status).toBe(200);
    expect((await rest(t.app.url, "DELETE", at("/peers"), ["carol"])).status).toBe(200);
    expect((await rest(t.app.url, "PUT", at("/peers/bob/config"), { observe_others: true })).status).toBe(204);
    expect((await rest(t.app.url, "POST", `${W}/sessions`, { id: "members", peers: { dave: {} } })).status).toBe(200);
    const rows = await t.db.sql`SELECT peer_name, configuration FROM session_peers WHERE workspace_name = ${WS} AND session_name = 'members' AND left_at IS NULL ORDER BY peer_name`;
    expect(rows.map((r) => [r.peer_name, r.configuration])).toEqual([["bob", { observe_me: null, observe_others: true }], ["dave", { observe_me: null, observe_others: null }]]);
    // a session it does not hold is not created (Honcho: its WorkspaceCreate fails, "Session not found"); an inactive one is not found
    expect(await rest(t.app.url, "POST", `${W}/sessions/nope/peers`, { alice: {} })).toMatchObject({ status: 404, json: { detail: "Session not found" } });
    expect(await rest(t.app.url, "POST", `${W}/sessions/gone/peers`, { alice: {} })).toMatchObject({ status: 404, json: { detail: `Session gone not found in workspace ${WS}` } });
    const [{ count }] = (await t.db.sql`SELECT count(*)::int AS count FROM sessions WHERE workspace_name = ${WS} AND name = 'nope'`) as unknown as [{ count: number }];
    expect(count).toBe(0);
    expect(await t.db.sql`SELECT 1 FROM session_peers WHERE workspace_name = ${WS} AND session_name IN ('gone', 'nope')`).toHaveLength(0);
  });

  it("a name no row has is not found, as in Honcho; text no row can hold is still a 422", async () => {
    expect((await rest(t.app.url, "POST", "/v3/workspaces/no%20such/sessions/list", {})).json).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
    expect((await rest(t.app.url, "GET", `${W}/sessions/no%20such/summaries`)).json).toEqual({ id: "no such", short_summary: null, long_summary: null });
    expect(await rest(t.app.url, "GET", `${W}/sessions/s1/messages/${MESSAGE}x`)).toMatchObject({ status: 404, json: { detail: `Message with ID ${MESSAGE}x not found` } });
    expect((await rest(t.app.url, "POST", "/v3/workspaces/a%00b/sessions/list", {})).json).toEqual({ detail: refused(["path", "workspace_id"], "a\u0000b") });
    expect((await rest(t.app.url, "PUT", "/v3/workspaces/a%00b/sessions/s1", { metadata: {} })).json).toEqual({ detail: refused(["path", "workspace_id"], "a\u0000b") });
  });
});
