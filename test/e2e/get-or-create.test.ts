// Honcho's get-or-create routes (W1 POST /v3/workspaces, P2 POST .../peers,
// S2 POST .../sessions) over REST and every RPC protocol: 201 when the call
// created, 200 when it found; what an existing row keeps and what it takes
// (workspace: nothing; peer: metadata and configuration replaced; session:
// metadata replaced, configuration merged, members added by Honcho's rule);
// configuration stored as Honcho's models dump it; Honcho's errors, and its
// self-authorizing rules (checked after validation).
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PeerService, SessionService, WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";
import { rest } from "../support/rest.js";

const t = useTestApp();
const SECRET = "get-or-create-secret";
let secured: App;
beforeAll(async () => {
  secured = await startTestApp(t.db.url, { authUseAuth: true, authJwtSecret: SECRET });
});
afterAll(async () => {
  await secured?.stop();
});

type Answer = { status: number; json: any };
async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const post = (path: string, body?: unknown) => call(t.app.url, "POST", path, body);
const members = (ws: string, session: string) =>
  t.db.sql<{ peer_name: string; configuration: unknown; active: boolean; joined: string }[]>`
    SELECT peer_name, configuration, left_at IS NULL AS active, joined_at::text AS joined FROM session_peers
    WHERE workspace_name = ${ws} AND session_name = ${session} ORDER BY peer_name`;
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

describe("POST /v3/workspaces (W1)", () => {
  it("creates (201) with the configuration as Honcho's model dumps it, then returns it unchanged (200)", async () => {
    const first = await post("/v3/workspaces", {
      id: "w1",
      metadata: { plan: "pro" },
      configuration: { reasoning: { enabled: "yes", custom_instructions: null }, summary: { messages_per_short_summary: "12" }, dream: null, extra: { a: null }, gone: null },
    });
    expect(first).toEqual({
      status: 201,
      json: { id: "w1", metadata: { plan: "pro" }, configuration: { reasoning: { enabled: true }, summary: { messages_per_short_summary: 12 }, extra: { a: null } }, created_at: ISO },
    });
    const again = await post("/v3/workspaces", { id: "w1", metadata: { plan: "free" }, configuration: { dream: { enabled: false } } });
    expect(again).toEqual({ status: 200, json: first.json }); // metadata and configuration ignored
    const [row] = await t.db.sql`SELECT metadata, configuration FROM workspaces WHERE name = 'w1'`;
    expect(row).toEqual({ metadata: { plan: "pro" }, configuration: { reasoning: { enabled: true }, summary: { messages_per_short_summary: 12 }, extra: { a: null } } });
  });

  it("takes `name` for `id` (populate_by_name), `id` winning when both are sent", async () => {
    expect((await post("/v3/workspaces", { name: "w-by-name" })).json.id).toBe("w-by-name");
    expect((await post("/v3/workspaces", { name: "ignored", id: "w-by-id" })).json.id).toBe("w-by-id");
    expect((await post("/v3/workspaces", { name: 1 })).json.detail).toEqual([{ type: "string_type", loc: ["body", "name"], msg: "Input should be a valid string", input: 1 }]);
  });

  it("validates the configuration as pydantic does", async () => {
    const bad = await post("/v3/workspaces", { id: "w-bad", metadata: null, configuration: { summary: { messages_per_short_summary: 30, messages_per_long_summary: 25 } } });
    expect(bad).toEqual({
      status: 422,
      json: {
        detail: [
          { type: "dict_type", loc: ["body", "metadata"], msg: "Input should be a valid dictionary", input: null },
          {
            type: "value_error",
            loc: ["body", "configuration", "summary"],
            msg: "Value error, messages_per_short_summary must be less than messages_per_long_summary",
            input: { messages_per_short_summary: 30, messages_per_long_summary: 25 },
            ctx: { error: {} },
          },
        ],
      },
    });
    expect((await post("/v3/workspaces", { id: "w-bad", configuration: null })).json.detail).toEqual([
      { type: "model_type", loc: ["body", "configuration"], msg: "Input should be a valid dictionary or instance of WorkspaceConfiguration", input: null, ctx: { class_name: "WorkspaceConfiguration" } },
    ]);
    const long = "word ".repeat(2100);
    expect((await post("/v3/workspaces", { id: "w-bad", configuration: { reasoning: { custom_instructions: long } } })).json.detail).toEqual([
      { type: "value_error", loc: ["body", "configuration", "reasoning", "custom_instructions"], msg: "Value error, custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS (2000 tokens)", input: long, ctx: { error: {} } },
    ]);
    expect(await t.db.sql`SELECT 1 FROM workspaces WHERE name = 'w-bad'`).toHaveLength(0);
  });

  it("refuses text PostgreSQL cannot store with a 422 (Honcho: 500)", async () => {
    const res = await post("/v3/workspaces", { id: "w-nul", configuration: { note: "a\u0000b" } });
    expect(res).toEqual({
      status: 422,
      json: { detail: [{ type: "value_error", loc: ["body", "configuration"], msg: "Value error, text must not contain NUL (0x00) characters or unpaired surrogates", input: { note: "a\u0000b" }, ctx: { error: {} } }] },
    });
  });

  // Python's json.loads takes NaN, Infinity and "\ud800"; PostgreSQL's jsonb
  // holds none of them, so Honcho fails in the database (500). They were
  // stored as null, or answered 500, here before.
  it.each([
    ["Create Messages", "POST", "/v3/workspaces/w-odd/sessions/s/messages", (m: string) => `{"messages": [{"content": "x", "peer_id": "p", "metadata": ${m}}]}`, ["body", "messages", 0, "metadata"]],
    ["a workspace", "POST", "/v3/workspaces", (m: string) => `{"id": "w-odd", "metadata": ${m}}`, ["body", "metadata"]],
    ["a peer", "POST", "/v3/workspaces/w-odd/peers", (m: string) => `{"id": "p", "metadata": ${m}}`, ["body", "metadata"]],
    ["a session", "POST", "/v3/workspaces/w-odd/sessions", (m: string) => `{"id": "s", "metadata": ${m}}`, ["body", "metadata"]],
    ["a session's PUT", "PUT", "/v3/workspaces/w-odd/sessions/s", (m: string) => `{"metadata": ${m}}`, ["body", "metadata"]],
  ])("refuses metadata PostgreSQL cannot store with a 422 and stores nothing (%s)", async (_name, verb, path, body, loc) => {
    for (const [metadata, msg] of [
      ['{"a": NaN}', "Value error, numbers must be finite: NaN and Infinity cannot be stored"],
      ['{"a": [1, -Infinity]}', "Value error, numbers must be finite: NaN and Infinity cannot be stored"],
      ['{"a": "\\ud800"}', "Value error, text must not contain NUL (0x00) characters or unpaired surrogates"],
      ['{"\\udc00": 1}', "Value error, text must not contain NUL (0x00) characters or unpaired surrogates"],
    ]) {
      const res = await rest(t.app.url, verb, path, body(metadata!));
      expect(res.status, `${metadata} ${res.text}`).toBe(422);
      expect(res.json.detail).toEqual([expect.objectContaining({ type: "value_error", loc, msg })]);
    }
    expect(await t.db.sql`SELECT 1 FROM workspaces WHERE name = 'w-odd'`).toHaveLength(0);
  });

  it("refuses a PUT's configuration PostgreSQL cannot store with a 422 (a 500 before), and finds no message by an id holding NUL (404)", async () => {
    for (const path of ["/v3/workspaces/w-put", "/v3/workspaces/w-put/sessions/s", "/v3/workspaces/w-put/peers/p"]) {
      for (const configuration of ['{"a\\u0000": 1}', '{"observe_others": "\\ud800"}', '{"a": NaN}']) {
        const res = await rest(t.app.url, "PUT", path, `{"configuration": ${configuration}}`);
        expect(res.status, `${path} ${configuration} ${res.text}`).toBe(422);
        expect(res.json.detail).toEqual([expect.objectContaining({ type: "value_error", loc: ["body", "configuration"] })]);
      }
    }
    expect(await t.db.sql`SELECT 1 FROM workspaces WHERE name = 'w-put'`).toHaveLength(0);
    for (const verb of ["GET", "PUT"]) {
      const res = await rest(t.app.url, verb, "/v3/workspaces/w-put/sessions/s/messages/a%00b", verb === "PUT" ? '{"metadata": {}}' : undefined);
      expect(res.status, res.text).toBe(404);
    }
  });

  // a message's custom_instructions go into its queue payload's jsonb: Honcho
  // answers 201, then loses the work in its background enqueue; it was a 500 here
  it("refuses a message's custom_instructions PostgreSQL cannot store with a 422, and stores nothing", async () => {
    for (const text of ["a\\u0000b", "\\ud800"]) {
      const res = await rest(t.app.url, "POST", "/v3/workspaces/w-odd/sessions/s/messages", `{"messages": [{"content": "x", "peer_id": "p", "configuration": {"reasoning": {"custom_instructions": "${text}"}}}]}`);
      expect(res.status, res.text).toBe(422);
      expect(res.json.detail).toEqual([
        expect.objectContaining({ type: "value_error", loc: ["body", "messages", 0, "configuration", "reasoning", "custom_instructions"], msg: "Value error, text must not contain NUL (0x00) characters or unpaired surrogates" }),
      ]);
    }
    expect(await t.db.sql`SELECT 1 FROM workspaces WHERE name = 'w-odd'`).toHaveLength(0);
  });
});

describe("POST /v3/workspaces/{w}/peers (P2)", () => {
  it("creates (201), then replaces metadata and configuration when given, keeping them when null or absent (200)", async () => {
    const created = await post("/v3/workspaces/wp/peers", { id: "alice", metadata: { a: 1 }, configuration: { observe_me: false, x: [1] } });
    expect(created).toEqual({ status: 201, json: { id: "alice", workspace_id: "wp", created_at: ISO, metadata: { a: 1 }, configuration: { observe_me: false, x: [1] } } });
    const kept = await post("/v3/workspaces/wp/peers", { id: "alice", metadata: null });
    expect(kept).toEqual({ status: 200, json: created.json });
    const replaced = await post("/v3/workspaces/wp/peers", { id: "alice", metadata: { b: 2 }, configuration: { observe_me: true } });
    expect(replaced).toEqual({ status: 200, json: { ...created.json, metadata: { b: 2 }, configuration: { observe_me: true } } }); // wholesale, no merge
    const cleared = await post("/v3/workspaces/wp/peers", { id: "alice", configuration: {} });
    expect(cleared.json).toMatchObject({ metadata: { b: 2 }, configuration: {} });
  });

  it("answers Honcho's 422s", async () => {
    expect((await post("/v3/workspaces/wp/peers", { id: "bad name", configuration: [] })).json.detail).toEqual([
      { type: "string_pattern_mismatch", loc: ["body", "id"], msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input: "bad name", ctx: { pattern: "^[a-zA-Z0-9_-]+$" } },
      { type: "dict_type", loc: ["body", "configuration"], msg: "Input should be a valid dictionary", input: [] },
    ]);
  });
});

describe("POST /v3/workspaces/{w}/sessions (S2)", () => {
  it("creates (201); then replaces metadata when given and merges configuration key by key (200)", async () => {
    const created = await post("/v3/workspaces/ws2/sessions", { id: "s", metadata: { m: 1 }, configuration: { summary: { enabled: false, messages_per_short_summary: 20 }, dream: { enabled: true }, k: 1 } });
    expect(created).toEqual({
      status: 201,
      json: { id: "s", is_active: true, workspace_id: "ws2", metadata: { m: 1 }, configuration: { summary: { enabled: false, messages_per_short_summary: 20 }, dream: { enabled: true }, k: 1 }, created_at: ISO },
    });
    const same = await post("/v3/workspaces/ws2/sessions", { id: "s" });
    expect(same).toEqual({ status: 200, json: created.json });
    const merged = await post("/v3/workspaces/ws2/sessions", { id: "s", metadata: { m: 2 }, configuration: { summary: { enabled: true }, k: null, z: 2 } });
    // {**stored, **incoming.model_dump(exclude_none=True)}: summary replaced whole, k (null) left alone
    expect(merged.json).toMatchObject({ metadata: { m: 2 }, configuration: { summary: { enabled: true }, dream: { enabled: true }, k: 1, z: 2 } });
    expect(merged.status).toBe(200);
  });

  it("adds members by Honcho's rule: new ones with the config given, left ones rejoin with it, active ones keep theirs", async () => {
    const first = await post("/v3/workspaces/ws2/sessions", { id: "m", peers: { alice: {}, bob: { observe_me: false } } });
    expect(first.status).toBe(201);
    expect((await members("ws2", "m")).map((r) => [r.peer_name, r.configuration, r.active])).toEqual([
      ["alice", { observe_me: null, observe_others: null }, true],
      ["bob", { observe_me: false, observe_others: null }, true],
    ]);
    const [, bobBefore] = await members("ws2", "m");
    await t.db.sql`UPDATE session_peers SET left_at = now() WHERE session_name = 'm' AND peer_name = 'alice'`;
    const again = await post("/v3/workspaces/ws2/sessions", { id: "m", peer_names: { alice: { observe_others: true }, bob: { observe_me: true }, carol: { observe_others: "yes" } } });
    expect(again.status).toBe(200);
    const after = await members("ws2", "m");
    expect(after.map((r) => [r.peer_name, r.configuration, r.active])).toEqual([
      ["alice", { observe_me: null, observe_others: true }, true], // rejoined with the new config
      ["bob", { observe_me: false, observe_others: null }, true], // active: config kept
      ["carol", { observe_me: null, observe_others: true }, true],
    ]);
    expect(after[1]!.joined).toBe(bobBefore!.joined); // and joined_at kept (a deliberate difference)
    expect(await t.db.sql`SELECT name FROM peers WHERE workspace_name = 'ws2' ORDER BY name`).toEqual([{ name: "alice" }, { name: "bob" }, { name: "carol" }]);
  });

  it("answers 404 for an inactive session, writing nothing", async () => {
    await post("/v3/workspaces/ws2/sessions", { id: "gone" });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 'gone'`;
    const res = await post("/v3/workspaces/ws2/sessions", { id: "gone", metadata: { x: 1 }, peers: { newcomer: {} } });
    expect(res).toEqual({ status: 404, json: { detail: "Session gone not found in workspace ws2" } });
    expect(await t.db.sql`SELECT 1 FROM peers WHERE name = 'newcomer'`).toHaveLength(0);
    expect((await t.db.sql`SELECT metadata FROM sessions WHERE name = 'gone'`)[0]!.metadata).toEqual({});
  });

  it("holds the observer limit (SESSION_OBSERVERS_LIMIT, 10) with Honcho's ObserverException", async () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`o${i}`, { observe_others: true }]));
    expect(await post("/v3/workspaces/ws2/sessions", { id: "crowd", peers: many })).toEqual({
      status: 400,
      json: { detail: "Cannot create session crowd with 11 observers. Maximum allowed is 10 observers per session. Observers are peers with 'observe_others' set to true." },
    });
    expect(await t.db.sql`SELECT 1 FROM sessions WHERE name = 'crowd'`).toHaveLength(0);
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`o${i}`, { observe_others: true }]));
    expect((await post("/v3/workspaces/ws2/sessions", { id: "crowd", peers: nine })).status).toBe(201);
    // existing observers (not named again) + the named ones with observe_others
    const more = await post("/v3/workspaces/ws2/sessions", { id: "crowd", peers: { o0: { observe_others: true }, x: { observe_others: true }, y: { observe_others: true } } });
    expect(more).toEqual({ status: 400, json: { detail: expect.stringContaining("Cannot create session crowd with 11 observers.") } });
    expect((await post("/v3/workspaces/ws2/sessions", { id: "crowd", peers: { x: { observe_others: true } } })).status).toBe(200);
  });

  it("refuses peer names Honcho refuses, in Honcho's words, creating nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ "a b": {}, ok: {} }, "Peer name(s) ['a b'] must match pattern ^[a-zA-Z0-9_-]+$"],
      [{ "scope.x": {} }, "Peer name(s) ['scope.x'] use the reserved scope prefix 'scope.'. Use the scopes routes to create scopes."],
      [{ "a\u0000": {} }, "Peer name(s) must not contain NUL (0x00) bytes"],
      [{ ["x".repeat(513)]: {} }, `Peer name(s) ['${"x".repeat(513)}'] must be at most 512 characters`],
      [{ "it's": {}, 'a"b': {} }, `Peer name(s) ['a"b', "it's"] must match pattern ^[a-zA-Z0-9_-]+$`],
      // Honcho: a driver error (500) on the lookup
      [{ "\ud800": {} }, "Peer name(s) ['\\ud800'] must match pattern ^[a-zA-Z0-9_-]+$"],
    ];
    for (const [peers, detail] of cases) {
      expect(await post("/v3/workspaces/ws2/sessions", { id: "names", peers })).toEqual({ status: 422, json: { detail } });
    }
    expect(await t.db.sql`SELECT 1 FROM sessions WHERE name = 'names'`).toHaveLength(0);
    // a legacy peer with such a name exists: it is found, not created
    await t.db.sql`INSERT INTO peers (id, name, workspace_name) VALUES ('legacydottedpeer00001', 'legacy.name', 'ws2')`;
    expect((await post("/v3/workspaces/ws2/sessions", { id: "names", peers: { "legacy.name": {} } })).status).toBe(201);
    // a real scope peer (Honcho's scopes facade made it) is refused
    await t.db.sql`INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES ('scopepeerscopepeer001', 'scope.team', 'ws2', '{"kind": "scope"}')`;
    expect(await post("/v3/workspaces/ws2/sessions", { id: "names", peers: { "scope.team": {} } })).toEqual({
      status: 422,
      json: {
        detail:
          "Peer name(s) ['scope.team'] are scopes. Scope membership is managed via the scopes routes (/v3/workspaces/{workspace_id}/scopes/{scope_id}/sessions) or the `scopes` field at session creation.",
      },
    });
  });

  it("validates scopes as pydantic does (session-scopes.test.ts: what they do)", async () => {
    expect((await post("/v3/workspaces/ws2/sessions", { id: "sc", scopes: ["ok", "scope.x"] })).json.detail).toEqual([
      { type: "value_error", loc: ["body", "scopes"], msg: "Value error, Scope name must not start with the reserved prefix 'scope.' (scope names are unprefixed)", input: ["ok", "scope.x"], ctx: { error: {} } },
    ]);
    expect((await post("/v3/workspaces/ws2/sessions", { id: "sc", scopes: [1] })).json.detail).toEqual([{ type: "string_type", loc: ["body", "scopes", 0], msg: "Input should be a valid string", input: 1 }]);
    expect((await post("/v3/workspaces/ws2/sessions", { id: "sc", scopes: [] })).status).toBe(201);
    expect(await t.db.sql`SELECT 1 FROM peers WHERE workspace_name = 'ws2' AND name LIKE 'scope.%' AND name <> 'scope.team'`).toHaveLength(0);
  });

  it("validates peers' configurations, metadata and configuration in field order", async () => {
    const res = await post("/v3/workspaces/ws2/sessions", { id: "v", metadata: [], peers: { a: null, b: { observe_me: "maybe" } }, configuration: { dream: 1 } });
    expect(res.json.detail).toEqual([
      { type: "dict_type", loc: ["body", "metadata"], msg: "Input should be a valid dictionary", input: [] },
      { type: "model_type", loc: ["body", "peers", "a"], msg: "Input should be a valid dictionary or instance of SessionPeerConfig", input: null, ctx: { class_name: "SessionPeerConfig" } },
      { type: "bool_parsing", loc: ["body", "peers", "b", "observe_me"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
      { type: "model_type", loc: ["body", "configuration", "dream"], msg: "Input should be a valid dictionary or instance of DreamConfiguration", input: 1, ctx: { class_name: "DreamConfiguration" } },
    ]);
  });
});

describe("racing get-or-creates", () => {
  it("create once (one 201), and every other call finds what it created (200)", async () => {
    const race = (path: string, body: (i: number) => unknown) => Promise.all(Array.from({ length: 12 }, (_, i) => post(path, body(i))));
    const statuses = (answers: Answer[]) => answers.map((a) => a.status).sort();
    const oneCreated = [...Array.from({ length: 11 }, () => 200), 201];
    expect(statuses(await race("/v3/workspaces", () => ({ id: "race-w" })))).toEqual(oneCreated);
    expect(statuses(await race("/v3/workspaces/race-w/peers", (i) => ({ id: "racer", metadata: { i } })))).toEqual(oneCreated);
    const sessions = await race("/v3/workspaces/race-w/sessions", (i) => ({ id: "race-s", peers: { [`p${i % 3}`]: {} } }));
    expect(statuses(sessions)).toEqual(oneCreated);
    expect((await members("race-w", "race-s")).map((r) => r.peer_name)).toEqual(["p0", "p1", "p2"]);
    expect(await t.db.sql`SELECT count(*)::int AS n FROM sessions WHERE workspace_name = 'race-w'`).toEqual([{ n: 1 }]);
  });
});

describe("auth (Honcho's self-authorizing routes)", () => {
  const as = (claims: object) => ({ authorization: `Bearer ${hs256(claims, SECRET)}` });
  const sec = (path: string, body: unknown, claims: object | null) => call(secured.url, "POST", path, body, claims ? as(claims) : {});
  const UNAUTHORIZED = { detail: "Unauthorized access to resource" };

  it.each([
    ["admin", { ad: true }, 201],
    ["its workspace key", { w: "aw" }, 200],
    ["a peer key of it", { w: "aw", p: "anyone" }, 200],
    ["a session key of it", { w: "aw", s: "any" }, 200],
    ["another workspace's key", { w: "other" }, 401],
    ["a key with no scope", { t: "x" }, 401],
  ])("W1 with %s: %i", async (_n, claims, status) => {
    const res = await sec("/v3/workspaces", { id: "aw" }, claims);
    expect(res.status).toBe(status);
    if (status === 401) expect(res.json).toEqual(UNAUTHORIZED);
  });

  it.each(Object.entries(rpcProtocols))("reads the claims of a call over %s too", async (_p, transport) => {
    const workspaces = createClient(WorkspaceService, transport(secured.url));
    const headers = as({ w: "aw-rpc" });
    expect((await workspaces.getOrCreateWorkspace({ id: "aw-rpc" }, { headers })).workspace?.id).toBe("aw-rpc");
    const denied = await workspaces.getOrCreateWorkspace({ id: "not-mine" }, { headers }).catch((e: ConnectError) => e);
    expect([(denied as ConnectError).code, (denied as ConnectError).rawMessage]).toEqual([Code.Unauthenticated, "Unauthorized access to resource"]);
  });

  it("checks the token first, then the body, then what the body names", async () => {
    expect((await sec("/v3/workspaces", { id: "aw" }, null)).json).toEqual({ detail: "No access token provided" });
    expect((await sec("/v3/workspaces", { id: "aw", metadata: 1 }, { w: "other" })).status).toBe(422);
    expect((await sec("/v3/workspaces", { id: "aw" }, { w: "other" })).status).toBe(401);
  });

  it.each([
    ["its workspace key", { w: "aw" }, "alice", 201],
    ["the peer's own key", { w: "aw", p: "bob" }, "bob", 201],
    ["another peer's key", { w: "aw", p: "bob" }, "carol", 401],
    ["a session key (Honcho lets it create any peer)", { w: "aw", s: "s1" }, "dave", 201],
    ["another workspace's key", { w: "other" }, "erin", 401],
  ])("P2 with %s", async (_n, claims, peer, status) => {
    const res = await sec("/v3/workspaces/aw/peers", { id: peer }, claims);
    expect(res.status).toBe(status);
    if (status === 401) expect(res.json).toEqual(UNAUTHORIZED);
  });

  it.each([
    ["its workspace key", { w: "aw" }, "s-ws", undefined, 201],
    ["the session's own key", { w: "aw", s: "s-own" }, "s-own", undefined, 201],
    ["another session's key", { w: "aw", s: "s-own" }, "s-other", undefined, 401],
    ["a peer key (any session of the workspace)", { w: "aw", p: "bob" }, "s-peer", undefined, 201],
    ["another workspace's key", { w: "other" }, "s-x", undefined, 401],
    ["a peer key with scopes", { w: "aw", p: "bob" }, "s-sc", ["team"], "Scope membership requires a workspace-level key"],
    ["a session key with scopes", { w: "aw", s: "s-sc" }, "s-sc", ["team"], "Scope membership requires a workspace-level key"],
  ])("S2 with %s", async (_n, claims, session, scopes, want) => {
    const res = await sec("/v3/workspaces/aw/sessions", { id: session, ...(scopes ? { scopes } : {}) }, claims);
    if (typeof want === "number") expect(res.status).toBe(want);
    else expect(res).toEqual({ status: 401, json: { detail: want } });
    if (want === 401) expect(res.json).toEqual(UNAUTHORIZED);
  });
});

describe.each(Object.entries(rpcProtocols))("over %s", (protocol, transport) => {
  const ws = `rpc-${protocol.replace(/[^a-z]+/g, "-")}`;
  it("gets or creates, telling which it did, with the same rules and errors", async () => {
    const tr = transport(t.app.url);
    const workspaces = createClient(WorkspaceService, tr);
    const first = await workspaces.getOrCreateWorkspace({ id: ws, configuration: { dream: { enabled: "no" } } });
    expect([first.created, first.workspace?.configuration]).toEqual([true, { dream: { enabled: false } }]);
    expect((await workspaces.getOrCreateWorkspace({ id: ws })).created).toBe(false);

    const peers = createClient(PeerService, tr);
    expect((await peers.getOrCreatePeer({ workspaceId: ws, id: "p", metadata: { a: 1 } })).created).toBe(true);
    const updated = await peers.getOrCreatePeer({ workspaceId: ws, id: "p", configuration: { c: 1 } });
    expect([updated.created, updated.peer?.metadata, updated.peer?.configuration]).toEqual([false, { a: 1 }, { c: 1 }]);

    const sessions = createClient(SessionService, tr);
    const s = await sessions.getOrCreateSession({ workspaceId: ws, id: "s", peers: { p: { observe_others: true }, q: {} } });
    expect([s.created, s.session?.isActive]).toEqual([true, true]);
    expect((await members(ws, "s")).map((r) => [r.peer_name, r.configuration])).toEqual([
      ["p", { observe_me: null, observe_others: true }],
      ["q", { observe_me: null, observe_others: null }],
    ]);
    expect((await sessions.getOrCreateSession({ workspaceId: ws, id: "s" })).created).toBe(false);

    const bad = await sessions.getOrCreateSession({ workspaceId: ws, id: "s", configuration: { summary: { messages_per_long_summary: 5 } } }).catch((e: ConnectError) => e);
    expect(bad).toBeInstanceOf(ConnectError);
    expect([(bad as ConnectError).code, (bad as ConnectError).rawMessage]).toEqual([Code.InvalidArgument, "1 validation error: body.configuration.summary.messages_per_long_summary: Input should be greater than or equal to 20"]);
    const names = await sessions.getOrCreateSession({ workspaceId: ws, id: "s", peers: { "a b": {} } }).catch((e: ConnectError) => e);
    expect([(names as ConnectError).code, (names as ConnectError).rawMessage]).toEqual([Code.InvalidArgument, "Peer name(s) ['a b'] must match pattern ^[a-zA-Z0-9_-]+$"]);
  });
});

describe("beside messages", () => {
  it("a session made by get-or-create takes messages, and its members observe as configured", async () => {
    await post("/v3/workspaces/wm/sessions", { id: "s", peers: { alice: {}, watcher: { observe_others: true } } });
    const res = await postMessages(t.app.url, "wm", "s", { messages: [{ content: "hi", peer_id: "alice" }] });
    expect(res.status).toBe(201);
    const [row] = await t.db.sql`SELECT q.payload FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.workspace_name = 'wm' AND q.task_type = 'representation'`;
    expect((row!.payload as { observers: string[] }).observers).toEqual(["alice", "watcher"]);
  });
});
