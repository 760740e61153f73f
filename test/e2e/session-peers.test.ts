// The peers of a session (Honcho's S6-S11) over REST and every RPC protocol:
// add, replace, remove, read and set a member's configuration, list members;
// Honcho's status codes, errors and auth rules; each change in one
// transaction under Honcho's session lock, so that it serialises with message
// writes: nothing lost, sequence numbers gapless, and the queued work of
// every message carries the observers of the membership it was written under.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionPeerService } from "../../gen/honcho/v3/session_peers_pb.js";
import type { App } from "../../src/app.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";
import { checkWithHonchoModels } from "../support/honcho-payloads.js";
import { hs256 } from "../support/jwt.js";

const t = useTestApp();
const SECRET = "session-peers-secret";
let secured: App;
beforeAll(async () => {
  secured = await startTestApp(t.db.url, { authUseAuth: true, authJwtSecret: SECRET });
});
afterAll(async () => {
  await secured?.stop();
});

type Answer = { status: number; json: any; text: string };
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, base = t.app.url): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}
const peersPath = (ws: string, s: string) => `/v3/workspaces/${ws}/sessions/${s}/peers`;
const configPath = (ws: string, s: string, p: string) => `${peersPath(ws, s)}/${encodeURIComponent(p)}/config`;
const members = (ws: string, session: string) =>
  t.db.sql<{ peer_name: string; configuration: unknown; active: boolean; joined: string }[]>`
    SELECT peer_name, configuration, left_at IS NULL AS active, joined_at::text AS joined FROM session_peers
    WHERE workspace_name = ${ws} AND session_name = ${session} ORDER BY peer_name`;
const summary = async (ws: string, s: string) => (await members(ws, s)).map((r) => `${r.peer_name}${r.active ? "" : " (left)"} ${JSON.stringify(r.configuration)}`);
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const NULLS = { observe_me: null, observe_others: null };

describe("POST .../sessions/{s}/peers (S6)", () => {
  it("creates the session if missing and adds peers, answering 200 with the session", async () => {
    const res = await call("POST", peersPath("w6", "s"), { alice: {}, bob: { observe_others: true } });
    expect(res).toMatchObject({ status: 200, json: { id: "s", is_active: true, workspace_id: "w6", metadata: {}, configuration: {}, created_at: ISO } });
    expect(await summary("w6", "s")).toEqual([`alice ${JSON.stringify(NULLS)}`, `bob {"observe_me":null,"observe_others":true}`]);
  });

  it("keeps an active member's configuration and joined_at; a member who left rejoins with the new configuration", async () => {
    const before = await members("w6", "s");
    await t.db.sql`UPDATE session_peers SET left_at = now() WHERE session_name = 's' AND workspace_name = 'w6' AND peer_name = 'bob'`;
    expect((await call("POST", peersPath("w6", "s"), { alice: { observe_me: false }, bob: { observe_me: true } })).status).toBe(200);
    const after = await members("w6", "s");
    expect(after.map((r) => [r.peer_name, r.configuration, r.active])).toEqual([
      ["alice", NULLS, true],
      ["bob", { observe_me: true, observe_others: null }, true],
    ]);
    expect(after[0]!.joined).toBe(before[0]!.joined);
    expect(after[1]!.joined > before[1]!.joined).toBe(true);
  });

  it("takes {} (nothing to add), and answers Honcho's errors", async () => {
    expect((await call("POST", peersPath("w6", "empty"), {})).status).toBe(200);
    expect(await t.db.sql`SELECT 1 FROM sessions WHERE name = 'empty'`).toHaveLength(1);
    expect((await call("POST", peersPath("w6", "s"))).json).toEqual({ detail: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }] });
    expect((await call("POST", peersPath("w6", "s"), ["alice"])).json).toEqual({ detail: [{ type: "dict_type", loc: ["body"], msg: "Input should be a valid dictionary", input: ["alice"] }] });
    expect((await call("POST", peersPath("w6", "s"), { a: 1, b: { observe_others: "x" } })).json).toEqual({
      detail: [
        { type: "model_type", loc: ["body", "a"], msg: "Input should be a valid dictionary or instance of SessionPeerConfig", input: 1, ctx: { class_name: "SessionPeerConfig" } },
        { type: "bool_parsing", loc: ["body", "b", "observe_others"], msg: "Input should be a valid boolean, unable to interpret input", input: "x" },
      ],
    });
    expect(await call("POST", peersPath("w6", "s"), { "no way": {} })).toMatchObject({ status: 422, json: { detail: "Peer name(s) ['no way'] must match pattern ^[a-zA-Z0-9_-]+$" } });
    // a session id SessionCreate refuses: Honcho's `except ValueError` → 404
    expect(await call("POST", peersPath("w6", "bad.name"), { alice: {} })).toMatchObject({ status: 404, json: { detail: "Session not found" } });
    await call("POST", peersPath("w6", "closed"), {});
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 'closed'`;
    expect(await call("POST", peersPath("w6", "closed"), { zed: {} })).toMatchObject({ status: 404, json: { detail: "Session closed not found in workspace w6" } });
    expect(await t.db.sql`SELECT 1 FROM peers WHERE name = 'zed'`).toHaveLength(0);
  });

  it("holds the observer limit", async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`o${i}`, { observe_others: true }]));
    expect((await call("POST", peersPath("w6", "lim"), ten)).status).toBe(200);
    expect(await call("POST", peersPath("w6", "lim"), { one: { observe_others: true } })).toMatchObject({
      status: 400,
      json: { detail: "Cannot create session lim with 11 observers. Maximum allowed is 10 observers per session. Observers are peers with 'observe_others' set to true." },
    });
    expect(await t.db.sql`SELECT 1 FROM peers WHERE name = 'one'`).toHaveLength(0);
  });
});

describe("PUT .../sessions/{s}/peers (S7)", () => {
  it("replaces the members: every named one gets the configuration given and joins now, the others leave", async () => {
    await call("POST", peersPath("w7", "s"), { keep: { observe_me: false }, old: {} });
    const before = await members("w7", "s");
    const res = await call("PUT", peersPath("w7", "s"), { keep: { observe_others: true }, fresh: {} });
    expect(res).toMatchObject({ status: 200, json: { id: "s", is_active: true, workspace_id: "w7" } });
    expect(await summary("w7", "s")).toEqual([
      `fresh ${JSON.stringify(NULLS)}`,
      `keep {"observe_me":null,"observe_others":true}`,
      `old (left) ${JSON.stringify(NULLS)}`,
    ]);
    const after = await members("w7", "s");
    expect(after.find((r) => r.peer_name === "keep")!.joined > before.find((r) => r.peer_name === "keep")!.joined).toBe(true);
  });

  it("answers 404 for a missing session, and for an inactive one changing nothing (Honcho commits, then 404s)", async () => {
    expect(await call("PUT", peersPath("w7", "nope"), { a: {} })).toMatchObject({ status: 404, json: { detail: "Session nope not found in workspace w7" } });
    expect(await t.db.sql`SELECT 1 FROM sessions WHERE name = 'nope'`).toHaveLength(0);
    await call("POST", peersPath("w7", "shut"), { stay: {} });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 'shut'`;
    expect(await call("PUT", peersPath("w7", "shut"), { other: {} })).toMatchObject({ status: 404, json: { detail: "Session shut not found in workspace w7" } });
    expect(await summary("w7", "shut")).toEqual([`stay ${JSON.stringify(NULLS)}`]);
  });

  it("refuses more observers than the limit before anything", async () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`o${i}`, { observe_others: true }]));
    expect(await call("PUT", peersPath("w7", "s"), many)).toMatchObject({ status: 400, json: { detail: expect.stringContaining("with 12 observers") } });
  });
});

describe("DELETE .../sessions/{s}/peers (S8)", () => {
  it("makes the peers named leave (unknown ones ignored), keeping their rows", async () => {
    await call("POST", peersPath("w8", "s"), { a: {}, b: { observe_me: false }, c: {} });
    const res = await call("DELETE", peersPath("w8", "s"), ["b", "c", "nobody"]);
    expect(res).toMatchObject({ status: 200, json: { id: "s", workspace_id: "w8", is_active: true } });
    expect(await summary("w8", "s")).toEqual([`a ${JSON.stringify(NULLS)}`, `b (left) {"observe_me":false,"observe_others":null}`, `c (left) ${JSON.stringify(NULLS)}`]);
    expect((await call("DELETE", peersPath("w8", "s"), [])).status).toBe(200);
  });

  it("answers Honcho's errors", async () => {
    expect(await call("DELETE", peersPath("w8", "nope"), ["a"])).toMatchObject({ status: 404, json: { detail: "Session nope not found in workspace w8" } });
    expect((await call("DELETE", peersPath("w8", "s"), { a: 1 })).json).toEqual({ detail: [{ type: "list_type", loc: ["body"], msg: "Input should be a valid list", input: { a: 1 } }] });
    expect((await call("DELETE", peersPath("w8", "s"), ["a", 2])).json).toEqual({ detail: [{ type: "string_type", loc: ["body", 1], msg: "Input should be a valid string", input: 2 }] });
    expect(await call("DELETE", peersPath("w8", "s"), ["a\u0000"])).toMatchObject({ status: 422, json: { detail: "Peer name(s) must not contain NUL (0x00) bytes" } });
    await t.db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('scopepeerscopepeer008', 'scope.t', 'w8', '{"kind": "scope"}')`;
    expect(await call("DELETE", peersPath("w8", "s"), ["scope.t"])).toMatchObject({ status: 422, json: { detail: expect.stringMatching(/^Peer name\(s\) \['scope.t'\] are scopes\. Scope membership is managed via the scopes routes/) } });
  });
});

describe("GET / PUT .../sessions/{s}/peers/{p}/config (S9, S10)", () => {
  it("reads a member's configuration with its nulls, left members included", async () => {
    await call("POST", peersPath("w9", "s"), { a: {}, b: { observe_others: true } });
    const a = await call("GET", configPath("w9", "s", "a"));
    expect([a.status, a.text]).toEqual([200, '{"observe_me":null,"observe_others":null}']);
    await call("DELETE", peersPath("w9", "s"), ["b"]);
    expect(await call("GET", configPath("w9", "s", "b"))).toMatchObject({ status: 200, json: { observe_me: null, observe_others: true } });
  });

  it("answers Honcho's 404s and 422", async () => {
    expect(await call("GET", configPath("w9", "s", "ghost"))).toMatchObject({ status: 404, json: { detail: "Peer ghost not found in workspace w9" } });
    await call("POST", "/v3/workspaces/w9/peers", { id: "loner" });
    expect(await call("GET", configPath("w9", "s", "loner"))).toMatchObject({ status: 404, json: { detail: "Session peer loner not found in session s in workspace w9" } });
    expect(await call("GET", configPath("w9", "nope", "a"))).toMatchObject({ status: 404, json: { detail: "Session peer a not found in session nope in workspace w9" } });
    await t.db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('scopepeerscopepeer009', 'scope.t', 'w9', '{"kind": "scope"}')`;
    expect(await call("GET", configPath("w9", "s", "scope.t"))).toMatchObject({ status: 422, json: { detail: "Peer name(s) ['scope.t'] are scopes. Scope membership is managed via the scopes routes." } });
    expect(await call("GET", configPath("w9", "s", "x\u0000"))).toMatchObject({ status: 404, json: { detail: "Peer x\u0000 not found in workspace w9" } });
  });

  it("reads what was stored by others leniently (values pydantic would refuse read as null, unknown keys dropped)", async () => {
    await t.db.sql`UPDATE session_peers SET configuration = '{"observe_me": "yes", "observe_others": [1], "extra": 1}' WHERE workspace_name = 'w9' AND peer_name = 'a'`;
    expect((await call("GET", configPath("w9", "s", "a"))).json).toEqual({ observe_me: true, observe_others: null });
  });

  it("merges the fields given into the stored configuration, 204 without a body", async () => {
    await call("POST", peersPath("w10", "s"), { a: { observe_me: false } });
    const res = await call("PUT", configPath("w10", "s", "a"), { observe_others: true, observe_me: null });
    expect([res.status, res.text]).toEqual([204, ""]);
    expect(await summary("w10", "s")).toEqual([`a {"observe_me":false,"observe_others":true}`]);
  });

  it("makes a peer that is no member an active member, and leaves a member who left as left", async () => {
    await call("POST", "/v3/workspaces/w10/peers", { id: "outsider" });
    expect((await call("PUT", configPath("w10", "s", "outsider"), { observe_me: true })).status).toBe(204);
    await call("POST", peersPath("w10", "s"), { quitter: {} });
    await call("DELETE", peersPath("w10", "s"), ["quitter"]);
    expect((await call("PUT", configPath("w10", "s", "quitter"), { observe_me: false })).status).toBe(204);
    expect(await summary("w10", "s")).toEqual([
      `a {"observe_me":false,"observe_others":true}`,
      `outsider {"observe_me":true}`,
      `quitter (left) {"observe_me":false,"observe_others":null}`,
    ]);
  });

  it("answers Honcho's errors, and holds the observer limit (counting every active observer)", async () => {
    expect(await call("PUT", configPath("w10", "nope", "a"), {})).toMatchObject({ status: 404, json: { detail: "Session nope not found in workspace w10" } });
    expect(await call("PUT", configPath("w10", "s", "ghost"), {})).toMatchObject({ status: 404, json: { detail: "Peer ghost not found in workspace w10" } });
    expect((await call("PUT", configPath("w10", "s", "a"), [])).json).toEqual({
      detail: [{ type: "model_type", loc: ["body"], msg: "Input should be a valid dictionary or instance of SessionPeerConfig", input: [], ctx: { class_name: "SessionPeerConfig" } }],
    });
    expect((await call("PUT", configPath("w10", "s", "a"))).json).toEqual({ detail: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }] });
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`o${i}`, { observe_others: true }]));
    await call("POST", peersPath("w10", "s"), nine); // with a: ten observers
    expect(await call("PUT", configPath("w10", "s", "outsider"), { observe_others: true })).toMatchObject({ status: 400, json: { detail: expect.stringContaining("Cannot create session s with 11 observers.") } });
    expect((await call("PUT", configPath("w10", "s", "a"), { observe_others: true })).status).toBe(204); // already one
  });
});

describe("GET .../sessions/{s}/peers (S11)", () => {
  it("lists the active ordinary members a page at a time, in the order they joined", async () => {
    await call("POST", peersPath("w11", "s"), { b: {}, a: {} });
    await call("POST", peersPath("w11", "s"), { c: {}, gone: {} });
    await call("DELETE", peersPath("w11", "s"), ["gone"]);
    await call("POST", "/v3/workspaces/w11/peers", { id: "b", metadata: { k: 1 }, configuration: { observe_me: false } });
    await t.db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('scopepeerscopepeer011', 'scope.t', 'w11', '{"kind": "scope"}')`;
    await t.db.sql`INSERT INTO session_peers (workspace_name, session_name, peer_name) VALUES ('w11', 's', 'scope.t')`;
    const all = await call("GET", peersPath("w11", "s"));
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ total: 3, page: 1, size: 50, pages: 1 });
    expect(all.json.items.map((p: { id: string }) => p.id)).toEqual(["a", "b", "c"]);
    expect(all.json.items[1]).toEqual({ id: "b", workspace_id: "w11", created_at: ISO, metadata: { k: 1 }, configuration: { observe_me: false } });
    const second = await call("GET", `${peersPath("w11", "s")}?page=2&size=2`);
    expect(second.json).toMatchObject({ items: [{ id: "c" }], total: 3, page: 2, size: 2, pages: 2 });
    expect((await call("GET", peersPath("w11", "unknown"))).json).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
  });

  it("validates the page query", async () => {
    expect((await call("GET", `${peersPath("w11", "s")}?page=0&size=101`)).json.detail).toEqual([
      { type: "greater_than_equal", loc: ["query", "page"], msg: "Input should be greater than or equal to 1", input: "0", ctx: { ge: 1 } },
      { type: "less_than_equal", loc: ["query", "size"], msg: "Input should be less than or equal to 100", input: "101", ctx: { le: 100 } },
    ]);
  });
});

describe("auth", () => {
  const as = (claims: object) => ({ authorization: `Bearer ${hs256(claims, SECRET)}` });
  const sec = (method: string, path: string, body: unknown, claims: object) => call(method, path, body, as(claims), secured.url);
  const DENIED = { detail: "JWT not permissioned for this resource" };
  beforeAll(async () => {
    await call("POST", peersPath("wa", "s"), { member: {}, other: {} });
    await call("POST", peersPath("wa", "s2"), { outsider: {} });
  });

  it.each([
    ["admin", { ad: true }, { write: 200, read: 200, ownConfig: 200, otherConfig: 200 }],
    ["workspace key", { w: "wa" }, { write: 200, read: 200, ownConfig: 200, otherConfig: 200 }],
    ["the session's key", { w: "wa", s: "s" }, { write: 200, read: 200, ownConfig: 200, otherConfig: 200 }],
    ["another session's key", { w: "wa", s: "s2" }, { write: 401, read: 401, ownConfig: 401, otherConfig: 401 }],
    ["a member peer's key", { w: "wa", p: "member" }, { write: 401, read: 200, ownConfig: 200, otherConfig: 401 }],
    ["a non-member peer's key", { w: "wa", p: "outsider" }, { write: 401, read: 401, ownConfig: 401, otherConfig: 401 }],
    ["another workspace's key", { w: "wb" }, { write: 401, read: 401, ownConfig: 401, otherConfig: 401 }],
  ])("%s", async (_n, claims, want) => {
    const own = "p" in claims ? (claims as { p: string }).p : "member";
    const got = {
      write: (await sec("POST", peersPath("wa", "s"), {}, claims)).status,
      read: (await sec("GET", peersPath("wa", "s"), undefined, claims)).status,
      ownConfig: (await sec("GET", configPath("wa", "s", own), undefined, claims)).status,
      otherConfig: (await sec("GET", configPath("wa", "s", "other"), undefined, claims)).status,
    };
    // the outsider's own config lookup is 404 once authorized (it is no member of s)
    expect(got).toEqual({ ...want, ownConfig: want.ownConfig === 200 && own === "outsider" ? 404 : want.ownConfig });
    for (const [method, path, body] of [["PUT", peersPath("wa", "s"), { member: {}, other: {} }], ["DELETE", peersPath("wa", "s"), []], ["PUT", configPath("wa", "s", "member"), {}]] as const) {
      const res = await sec(method, path, body, claims);
      expect(res.status === 401 ? 401 : 200).toBe(want.write);
      if (res.status === 401) expect(res.json).toEqual(DENIED);
    }
  });
});

describe.each(Object.entries(rpcProtocols))("over %s", (protocol, transport) => {
  const ws = `rpc-${protocol.replace(/[^a-z]+/g, "-")}`;
  it("does all of it with the same rules", async () => {
    const client = createClient(SessionPeerService, transport(t.app.url));
    const added = await client.addSessionPeers({ workspaceId: ws, sessionId: "s", peers: { a: { observeOthers: true }, b: {}, c: {} } });
    expect(added.session).toMatchObject({ id: "s", isActive: true, workspaceId: ws });
    expect(await client.getSessionPeerConfig({ workspaceId: ws, sessionId: "s", peerId: "a" })).toMatchObject({ config: { observeOthers: true } });
    expect((await client.getSessionPeerConfig({ workspaceId: ws, sessionId: "s", peerId: "b" })).config?.observeMe).toBeUndefined();
    await client.setSessionPeerConfig({ workspaceId: ws, sessionId: "s", peerId: "b", config: { observeMe: false } });
    expect((await client.getSessionPeerConfig({ workspaceId: ws, sessionId: "s", peerId: "b" })).config?.observeMe).toBe(false);
    await client.removeSessionPeers({ workspaceId: ws, sessionId: "s", peerIds: ["c"] });
    const page = await client.listSessionPeers({ workspaceId: ws, sessionId: "s", size: 1 });
    expect([page.items.map((p) => p.id), page.total, page.pages]).toEqual([["a"], 2, 2]);
    await client.setSessionPeers({ workspaceId: ws, sessionId: "s", peers: { d: {} } });
    expect((await client.listSessionPeers({ workspaceId: ws, sessionId: "s" })).items.map((p) => p.id)).toEqual(["d"]);

    const missing = await client.setSessionPeers({ workspaceId: ws, sessionId: "nope", peers: {} }).catch((e: ConnectError) => e);
    expect([(missing as ConnectError).code, (missing as ConnectError).rawMessage]).toEqual([Code.NotFound, `Session nope not found in workspace ${ws}`]);
    const invalid = await client.listSessionPeers({ workspaceId: ws, sessionId: "s", size: 0 }).catch((e: ConnectError) => e);
    expect([(invalid as ConnectError).code, (invalid as ConnectError).rawMessage]).toEqual([Code.InvalidArgument, "1 validation error: query.size: Input should be greater than or equal to 1"]);
    const crowd = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`o${i}`, { observeOthers: true }]));
    const tooMany = await client.addSessionPeers({ workspaceId: ws, sessionId: "s", peers: crowd }).catch((e: ConnectError) => e);
    expect((tooMany as ConnectError).code).toBe(Code.InvalidArgument);
  });
});

describe("beside message writes", () => {
  const write = (ws: string, s: string, peer: string, content: string) => postMessages(t.app.url, ws, s, { messages: [{ content, peer_id: peer }] });
  const representations = (ws: string) =>
    t.db.sql<{ task_type: string; work_unit_key: string; workspace_name: string; payload: { observers: string[]; observed: string; content: string } }[]>`
      SELECT q.task_type, q.work_unit_key, q.workspace_name, q.payload FROM queue q JOIN messages m ON m.id = q.message_id
      WHERE q.workspace_name = ${ws} AND q.task_type = 'representation' ORDER BY m.seq_in_session`;

  it("queues the observers of the membership each message is written under", async () => {
    await call("POST", peersPath("wq", "s"), { alice: {}, watcher: { observe_others: true } });
    await write("wq", "s", "alice", "1: watched");
    await call("PUT", configPath("wq", "s", "watcher"), { observe_others: false });
    await write("wq", "s", "alice", "2: unwatched");
    await call("POST", peersPath("wq", "s"), { second: { observe_others: true } });
    await write("wq", "s", "alice", "3: second watches");
    await call("DELETE", peersPath("wq", "s"), ["second"]);
    await write("wq", "s", "alice", "4: second left");
    await call("PUT", configPath("wq", "s", "alice"), { observe_me: false });
    await write("wq", "s", "alice", "5: alice unobserved");
    await write("wq", "s", "watcher", "6: watcher speaks");
    await call("PUT", peersPath("wq", "s"), { alice: {}, watcher: { observe_others: true } });
    await write("wq", "s", "newbie", "7: after set");
    const rows = await representations("wq");
    expect(rows.map((r) => [r.payload.content, r.payload.observers])).toEqual([
      ["1: watched", ["alice", "watcher"]],
      ["2: unwatched", ["alice"]],
      ["3: second watches", ["alice", "second"]],
      ["4: second left", ["alice"]],
      // 5: alice is not observed (observe_me false): no representation
      ["6: watcher speaks", ["watcher"]],
      ["7: after set", ["newbie", "watcher"]],
    ]);
    const verdict = await checkWithHonchoModels(rows);
    if (verdict === "unavailable") console.warn("\n*** SKIPPED: queue rows against Honcho's payload models: python3 with pydantic>=2 is not available ***\n");
    else expect(verdict).toEqual([]);
  });

  it("serialises membership changes with concurrent message writes: nothing lost, gapless, consistent observers", async () => {
    const ws = "wrace";
    await call("POST", peersPath(ws, "s"), { a: {}, b: {}, w: {} });
    const errors: string[] = [];
    const note = (what: string, r: { status: number }) => r.status >= 300 && errors.push(`${what}: ${r.status}`);
    let written = 0;
    const writers = Array.from({ length: 4 }, async (_, k) => {
      for (let i = 0; i < 25; i++) {
        const r = await postMessages(t.app.url, ws, "s", { messages: Array.from({ length: 1 + (i % 3) }, (_, j) => ({ content: `${k}/${i}/${j}`, peer_id: k % 2 ? "a" : "b" })) });
        note("write", r);
        if (r.status === 201) written += 1 + (i % 3);
      }
    });
    const changers = (async () => {
      for (let i = 0; i < 30; i++) {
        note("config", await call("PUT", configPath(ws, "s", "w"), { observe_others: i % 2 === 0 }));
        note("set", await call("PUT", peersPath(ws, "s"), i % 3 === 0 ? { a: {}, b: {} } : { a: {}, b: {}, w: { observe_others: true } }));
        note("add", await call("POST", peersPath(ws, "s"), { w: { observe_others: i % 2 === 1 } }));
        note("remove", await call("DELETE", peersPath(ws, "s"), i % 4 === 0 ? ["w"] : []));
      }
    })();
    await Promise.all([...writers, changers]);
    expect(errors).toEqual([]);
    const seqs = await t.db.sql<{ seq: number }[]>`SELECT seq_in_session::int AS seq FROM messages WHERE workspace_name = ${ws} ORDER BY seq_in_session`;
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: written }, (_, i) => i + 1));
    const rows = await representations(ws);
    expect(rows).toHaveLength(written);
    for (const r of rows) {
      // the sender, then w only when w was an active observer at that moment; never a duplicate
      expect([[r.payload.observed], [r.payload.observed, "w"]]).toContainEqual(r.payload.observers);
    }
    const verdict = await checkWithHonchoModels(rows);
    if (verdict !== "unavailable") expect(verdict).toEqual([]);
  });
});
