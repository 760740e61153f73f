// Peers beyond get-or-create: the list (pages, Honcho's filters, `kind` for
// scope peers), update (get-or-create, metadata and configuration replaced),
// the sessions of a peer, and peer cards (stored in the observer's
// internal_metadata as Honcho stores them), over REST and every RPC
// protocol, with their validation and auth rules.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { rpcProtocols } from "../support/clients.js";
import { bearer, rest } from "../support/rest.js";

const SECRET = "peers-secret";
const NO_PURGE = { purge: { enabled: false, intervalMs: 60_000 } };
const WS = "pw";
let db: TestDb;
let app: App;
let secured: App;
const protocols = Object.keys(rpcProtocols);

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, NO_PURGE);
  secured = await startTestApp(db.url, { ...NO_PURGE, authUseAuth: true, authJwtSecret: SECRET });
  for (const [i, name] of ["alice", "bob", "carol", "dave"].entries()) {
    expect((await rest(app.url, "POST", `/v3/workspaces/${WS}/peers`, { id: name, metadata: { n: i, team: i < 2 ? "red" : "blue" } })).status).toBe(201);
  }
  // a scope peer (Honcho's scopes facade makes them) and a legacy peer that only squats the namespace
  await db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('scopeteamxxxxxxxxxxxx', 'scope.team', ${WS}, '{"kind": "scope"}'::jsonb)`;
  await db.sql`INSERT INTO peers (id, name, workspace_name) VALUES ('scopesquatxxxxxxxxxxx', 'scope.squat', ${WS})`;
});
afterAll(async () => {
  await secured?.stop();
  await app?.stop();
  await db?.drop();
});

const names = (r: { json: { items: { id: string }[] } }) => r.json.items.map((p) => p.id);

describe("POST /v3/workspaces/{workspace_id}/peers/list", () => {
  const list = (query = "", body?: unknown, ws = WS, headers?: Record<string, string>, base = app.url) => rest(base, "POST", `/v3/workspaces/${ws}/peers/list${query}`, body, headers);

  it("pages the workspace's peers, oldest first; scope peers only when asked (kind)", async () => {
    const all = await list();
    expect(all.status).toBe(200);
    expect(names(all)).toEqual(["alice", "bob", "carol", "dave", "scope.squat"]);
    expect(all.json.items[0]).toEqual({ id: "alice", workspace_id: WS, created_at: expect.any(String), metadata: { n: 0, team: "red" }, configuration: {} });
    expect(names(await list("", { kind: "scope" }))).toEqual(["scope.team"]);
    expect(names(await list("", { kind: "all" }))).toEqual(["alice", "bob", "carol", "dave", "scope.team", "scope.squat"]);
    expect(names(await list("", { kind: null }))).toEqual(names(all));
    expect((await list("?size=2&page=2&reverse=true")).json).toMatchObject({ items: [{ id: "carol" }, { id: "bob" }], total: 5, page: 2, size: 2, pages: 3 });
    expect((await list("", undefined, "no-such-workspace")).json).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
  });

  it("filters with Honcho's language, and refuses what Honcho refuses", async () => {
    expect(names(await list("", { filters: { metadata: { team: "blue" } } }))).toEqual(["carol", "dave"]);
    expect(names(await list("", { filters: { id: { in: ["bob", "dave", "zed"] }, workspace_id: WS } }))).toEqual(["bob", "dave"]);
    expect(names(await list("", { filters: { metadata: { n: { lt: 2 } } }, kind: "all" }))).toEqual(["alice", "bob"]);
    expect(names(await list("", { filters: { workspace_id: "elsewhere" } }))).toEqual([]);
    expect(await list("", { filters: { is_active: true } })).toMatchObject({ status: 422, json: { detail: "Column 'is_active' does not exist on Peer" } });
    expect(await list("", { filters: { session_id: "s" } })).toMatchObject({ status: 422, json: { detail: "Column 'session_id' does not exist on Peer" } });
    expect((await list("", { kind: "everyone", filters: [] })).json.detail).toEqual([
      { type: "dict_type", loc: ["body", "filters"], msg: "Input should be a valid dictionary", input: [] },
      { type: "literal_error", loc: ["body", "kind"], msg: "Input should be 'scope' or 'all'", input: "everyone", ctx: { expected: "'scope' or 'all'" } },
    ]);
    expect((await list("", '"text"')).json.detail).toEqual([{ type: "model_type", loc: ["body"], msg: "Input should be a valid dictionary or instance of PeerGet", input: "text", ctx: { class_name: "PeerGet" } }]);
  });

  it("admits workspace tokens only", async () => {
    expect((await list("", undefined, WS, bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, p: "alice" }, { w: WS, s: "s1" }, { w: "other" }]) {
      expect(await list("", undefined, WS, bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
    }
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(PeerService, rpcProtocols[protocol]!(app.url));
    const page = await client.listPeers({ workspaceId: WS, size: 3, options: { filters: { metadata: { team: "red" } } } });
    expect(page.items.map((p) => [p.id, p.workspaceId])).toEqual([["alice", WS], ["bob", WS]]);
    expect([page.total, page.page, page.size, page.pages]).toEqual([2, 1, 3, 1]);
    expect((await client.listPeers({ workspaceId: WS, options: { kind: "scope" } })).items.map((p) => p.id)).toEqual(["scope.team"]);
    await expect(client.listPeers({ workspaceId: WS, options: { kind: "x" } })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });
});

describe("PUT /v3/workspaces/{workspace_id}/peers/{peer_id}", () => {
  const put = (ws: string, peer: string, body: unknown, headers?: Record<string, string>, base = app.url) => rest(base, "PUT", `/v3/workspaces/${ws}/peers/${peer}`, body, headers);

  it("creates a missing workspace and peer (200); replaces metadata and configuration whole", async () => {
    const created = await put("pu-ws", "erin", { metadata: { a: 1 }, configuration: { observe_me: false, deep: { x: 1 } } });
    expect(created).toMatchObject({ status: 200, json: { id: "erin", workspace_id: "pu-ws", metadata: { a: 1 }, configuration: { observe_me: false, deep: { x: 1 } } } });
    // configuration is a free dict: replaced, never merged (Honcho's P3)
    const replaced = await put("pu-ws", "erin", { configuration: { deep: { y: 2 } } });
    expect(replaced.json).toEqual({ ...created.json, configuration: { deep: { y: 2 } } });
    expect((await put("pu-ws", "erin", { metadata: null, configuration: null })).json).toEqual(replaced.json);
    expect((await put("pu-ws", "erin", { metadata: {} })).json.metadata).toEqual({});
    const [w] = await db.sql`SELECT count(*)::int AS n FROM workspaces WHERE name = 'pu-ws'`;
    expect(w!.n).toBe(1);
  });

  it("validates as pydantic does; text PostgreSQL cannot hold is a 422 (Honcho: 500)", async () => {
    expect((await put(WS, "bad%20peer", { configuration: [1] })).json.detail).toEqual([
      { type: "string_pattern_mismatch", loc: ["path", "peer_id"], msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input: "bad peer", ctx: { pattern: "^[a-zA-Z0-9_-]+$" } },
      { type: "dict_type", loc: ["body", "configuration"], msg: "Input should be a valid dictionary", input: [1] },
    ]);
    expect((await put(WS, "alice", { configuration: { k: "a\u0000b" } })).json.detail).toEqual([
      { type: "value_error", loc: ["body", "configuration"], msg: "Value error, text must not contain NUL (0x00) characters or unpaired surrogates", input: { k: "a\u0000b" }, ctx: { error: {} } },
    ]);
    expect((await put(WS, "alice", '"nope"')).json.detail).toEqual([{ type: "model_type", loc: ["body"], msg: "Input should be a valid dictionary or instance of PeerUpdate", input: "nope", ctx: { class_name: "PeerUpdate" } }]);
  });

  it("admits workspace tokens and the peer's own token", async () => {
    const body = { metadata: { by: "token" } };
    expect((await put(WS, "bob", body, bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    expect((await put(WS, "bob", body, bearer({ w: WS, p: "bob" }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, p: "alice" }, { w: WS, s: "s1" }, { w: "other", p: "bob" }]) {
      expect(await put(WS, "bob", body, bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
    }
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(PeerService, rpcProtocols[protocol]!(app.url));
    const peer = `pu-rpc-${protocols.indexOf(protocol)}`;
    expect((await client.updatePeer({ workspaceId: WS, peerId: peer, metadata: { m: 1 }, configuration: { c: 1 } })).peer).toMatchObject({ id: peer, workspaceId: WS, metadata: { m: 1 }, configuration: { c: 1 } });
    expect((await client.updatePeer({ workspaceId: WS, peerId: peer, configuration: { d: 2 } })).peer).toMatchObject({ metadata: { m: 1 }, configuration: { d: 2 } });
  });
});

describe("POST /v3/workspaces/{workspace_id}/peers/{peer_id}/sessions", () => {
  const sessionsOf = (peer: string, body?: unknown, query = "", headers?: Record<string, string>, base = app.url) => rest(base, "POST", `/v3/workspaces/${WS}/peers/${peer}/sessions${query}`, body, headers);

  beforeAll(async () => {
    for (const s of ["ps-1", "ps-2", "ps-3", "ps-4"]) {
      expect((await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions/${s}/messages`, { messages: [{ content: "hi", peer_id: "alice" }] })).status).toBe(201);
    }
    await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions/ps-other/messages`, { messages: [{ content: "hi", peer_id: "bob" }] });
    // alice left ps-3; ps-4 is deleted (inactive, not purged)
    await db.sql`UPDATE session_peers SET left_at = now() WHERE workspace_name = ${WS} AND session_name = 'ps-3' AND peer_name = 'alice'`;
    expect((await rest(app.url, "DELETE", `/v3/workspaces/${WS}/sessions/ps-4`)).status).toBe(202);
  });

  it("lists every session the peer is or was in, deleted ones too (Honcho's P4)", async () => {
    const all = await sessionsOf("alice");
    expect(all.status).toBe(200);
    expect(names(all)).toEqual(["ps-1", "ps-2", "ps-3", "ps-4"]);
    expect(all.json.items[3]).toEqual({ id: "ps-4", is_active: false, workspace_id: WS, metadata: {}, configuration: {}, created_at: expect.any(String) });
    expect(names(await sessionsOf("alice", { filters: { is_active: true } }))).toEqual(["ps-1", "ps-2", "ps-3"]);
    expect(names(await sessionsOf("alice", undefined, "?reverse=1&size=1"))).toEqual(["ps-4"]);
    expect(names(await sessionsOf("alice", { filters: { id: { icontains: "PS-2" } } }))).toEqual(["ps-2"]);
    expect((await sessionsOf("nobody")).json).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
    expect(await sessionsOf("alice", { filters: { peer_id: "alice" } })).toMatchObject({ status: 422, json: { detail: "Column 'peer_id' does not exist on Session" } });
  });

  it("admits workspace tokens and the peer's own token", async () => {
    expect((await sessionsOf("alice", undefined, "", bearer({ w: WS, p: "alice" }, SECRET), secured.url)).status).toBe(200);
    expect(await sessionsOf("alice", undefined, "", bearer({ w: WS, p: "bob" }, SECRET), secured.url)).toMatchObject({ status: 401 });
    expect(await sessionsOf("alice", undefined, "", bearer({ w: WS, s: "ps-1" }, SECRET), secured.url)).toMatchObject({ status: 401 });
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(PeerService, rpcProtocols[protocol]!(app.url));
    const page = await client.listPeerSessions({ workspaceId: WS, peerId: "alice", options: { filters: { is_active: false } } });
    expect(page.items.map((s) => [s.id, s.isActive])).toEqual([["ps-4", false]]);
  });
});

describe("GET / PUT /v3/workspaces/{workspace_id}/peers/{peer_id}/card", () => {
  const card = (peer: string, query = "", headers?: Record<string, string>, base = app.url) => rest(base, "GET", `/v3/workspaces/${WS}/peers/${peer}/card${query}`, undefined, headers);
  const setCard = (peer: string, body: unknown, query = "", headers?: Record<string, string>, base = app.url) => rest(base, "PUT", `/v3/workspaces/${WS}/peers/${peer}/card${query}`, body, headers);
  const internal = async (peer: string) => (await db.sql`SELECT internal_metadata FROM peers WHERE workspace_name = ${WS} AND name = ${peer}`)[0]?.internal_metadata;

  it("reads null until a card is set, then the card; a card about another peer is kept apart", async () => {
    expect(await card("nobody")).toMatchObject({ status: 404, json: { detail: `Peer nobody not found in workspace ${WS}` } });
    expect(await card("carol")).toMatchObject({ status: 200, json: { peer_card: null } });
    expect(await setCard("carol", { peer_card: ["likes tea", "lives in Oslo"] })).toMatchObject({ status: 200, json: { peer_card: ["likes tea", "lives in Oslo"] } });
    expect(await setCard("carol", { peer_card: ["works with carol"] }, "?target=dave")).toMatchObject({ status: 200, json: { peer_card: ["works with carol"] } });
    expect((await card("carol")).json).toEqual({ peer_card: ["likes tea", "lives in Oslo"] });
    expect((await card("carol", "?target=dave")).json).toEqual({ peer_card: ["works with carol"] });
    expect((await card("carol", "?target=carol")).json).toEqual({ peer_card: ["likes tea", "lives in Oslo"] });
    expect((await card("carol", "?target=nobody")).json).toEqual({ peer_card: null });
    expect(await internal("carol")).toEqual({ peer_card: ["likes tea", "lives in Oslo"], dave_peer_card: ["works with carol"] });
    // replaced whole; an empty card is a card ([]), not null; NUL removed from each line
    expect((await setCard("carol", { peer_card: [] })).json).toEqual({ peer_card: [] });
    expect((await card("carol")).json).toEqual({ peer_card: [] });
    expect((await setCard("carol", { peer_card: ["a\u0000b"] })).json).toEqual({ peer_card: ["ab"] });
    expect(await internal("carol")).toEqual({ peer_card: ["ab"], dave_peer_card: ["works with carol"] });
  });

  it("creates the workspace and the observer when missing (Honcho's get_or_create_peers)", async () => {
    const r = await rest(app.url, "PUT", "/v3/workspaces/pc-new/peers/frank/card?target=george", { peer_card: ["x"] });
    expect(r).toMatchObject({ status: 200, json: { peer_card: ["x"] } });
    const [row] = await db.sql`SELECT internal_metadata FROM peers WHERE workspace_name = 'pc-new' AND name = 'frank'`;
    expect(row!.internal_metadata).toEqual({ george_peer_card: ["x"] });
    const [george] = await db.sql`SELECT count(*)::int AS n FROM peers WHERE workspace_name = 'pc-new' AND name = 'george'`;
    expect(george!.n).toBe(0); // the target is neither checked nor created
  });

  it("never forms a card about a scope, and refuses impossible targets in Honcho's words", async () => {
    expect(await setCard("carol", { peer_card: ["x"] }, "?target=scope.team")).toMatchObject({
      status: 422,
      json: { detail: "Peer name(s) ['scope.team'] are scopes. No peer card is ever formed about a scope." },
    });
    expect(await setCard("carol", { peer_card: ["x"] }, "?target=scope.future")).toMatchObject({
      status: 422,
      json: { detail: "Peer name(s) ['scope.future'] are in the reserved scope namespace and do not exist, so they may become scopes later. No peer card is ever formed about a scope." },
    });
    expect((await setCard("carol", { peer_card: ["squatter"] }, "?target=scope.squat")).status).toBe(200);
    expect(await setCard("carol", { peer_card: ["x"] }, "?target=a%00b")).toMatchObject({ status: 422, json: { detail: "Peer name(s) must not contain NUL (0x00) bytes" } });
    const long = "x".repeat(513);
    expect(await setCard("carol", { peer_card: ["x"] }, `?target=${long}`)).toMatchObject({ status: 422, json: { detail: `Peer name(s) ['${long}'] must be at most 512 characters` } });
    // reading is not checked (Honcho's get_peer_card looks the label up)
    expect((await card("carol", "?target=a%00b")).json).toEqual({ peer_card: null });
  });

  it("validates the PeerCardSet body as pydantic does", async () => {
    expect((await setCard("carol", undefined)).json.detail).toEqual([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
    expect((await setCard("carol", {})).json.detail).toEqual([{ type: "missing", loc: ["body", "peer_card"], msg: "Field required", input: {} }]);
    expect((await setCard("carol", { peer_card: "x" })).json.detail).toEqual([{ type: "list_type", loc: ["body", "peer_card"], msg: "Input should be a valid list", input: "x" }]);
    expect((await setCard("carol", { peer_card: ["ok", 1, null] })).json.detail).toEqual([
      { type: "string_type", loc: ["body", "peer_card", 1], msg: "Input should be a valid string", input: 1 },
      { type: "string_type", loc: ["body", "peer_card", 2], msg: "Input should be a valid string", input: null },
    ]);
    // pydantic takes an unpaired surrogate and Honcho then fails to store it (500): a 422 here
    expect((await setCard("carol", '{"peer_card": ["ok", "\\ud800"]}')).json.detail).toEqual([
      { type: "value_error", loc: ["body", "peer_card", 1], msg: "Value error, text must not contain NUL (0x00) characters or unpaired surrogates", input: "\ud800", ctx: { error: {} } },
    ]);
  });

  it("admits workspace tokens and the observer's own token", async () => {
    expect((await card("carol", "", bearer({ w: WS, p: "carol" }, SECRET), secured.url)).status).toBe(200);
    expect((await setCard("carol", { peer_card: ["own"] }, "", bearer({ w: WS, p: "carol" }, SECRET), secured.url)).status).toBe(200);
    expect((await setCard("carol", { peer_card: ["ws"] }, "", bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, p: "dave" }, { w: WS, s: "s1" }, { w: "other" }]) {
      expect(await card("carol", "", bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
      expect(await setCard("carol", { peer_card: ["no"] }, "", bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401 });
    }
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(PeerService, rpcProtocols[protocol]!(app.url));
    const peer = `pc-rpc-${protocols.indexOf(protocol)}`;
    await expect(client.getPeerCard({ workspaceId: WS, peerId: peer })).rejects.toMatchObject({ code: Code.NotFound });
    const set = await client.setPeerCard({ workspaceId: WS, peerId: peer, target: "alice", card: { peerCard: ["one", "two"] } });
    expect(set.peerCard?.values.map((v) => v.kind.value)).toEqual(["one", "two"]);
    expect((await client.getPeerCard({ workspaceId: WS, peerId: peer })).peerCard).toBeUndefined();
    expect((await client.getPeerCard({ workspaceId: WS, peerId: peer, target: "alice" })).peerCard?.values.map((v) => v.kind.value)).toEqual(["one", "two"]);
    const bad = await client.setPeerCard({ workspaceId: WS, peerId: peer, target: "scope.team", card: { peerCard: [] } }).catch((e: unknown) => ConnectError.from(e));
    expect(bad).toMatchObject({ code: Code.InvalidArgument, rawMessage: "Peer name(s) ['scope.team'] are scopes. No peer card is ever formed about a scope." });
    // no card at all: the body is missing
    await expect(client.setPeerCard({ workspaceId: WS, peerId: peer })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });
});
