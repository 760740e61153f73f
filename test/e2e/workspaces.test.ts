// Workspaces beyond get-or-create: the admin list (pages, Honcho's filters,
// reverse), update (get-or-create, metadata replaced, configuration merged)
// and delete (202 with a deletion queued; 404 / 409), over REST and every RPC
// protocol, with their validation and auth rules.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { rpcProtocols } from "../support/clients.js";
import { bearer, rest } from "../support/rest.js";

const SECRET = "workspaces-secret";
const NO_PURGE = { purge: { enabled: false, intervalMs: 60_000 } };
let db: TestDb;
let app: App;
let secured: App;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, NO_PURGE);
  secured = await startTestApp(db.url, { ...NO_PURGE, authUseAuth: true, authJwtSecret: SECRET });
  // five listed workspaces, created one after the other (created_at increasing)
  for (let i = 0; i < 5; i++) {
    const r = await rest(app.url, "POST", "/v3/workspaces", { id: `wl-${i}`, metadata: { suite: "list", n: i, tag: i % 2 ? "odd" : "even" } });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await secured?.stop();
  await app?.stop();
  await db?.drop();
});

const SUITE = { metadata: { suite: "list" } };
const list = (query = "", body?: unknown, headers?: Record<string, string>, base = app.url) => rest(base, "POST", `/v3/workspaces/list${query}`, body, headers);
const ids = (r: { json: { items: { id: string }[] } }) => r.json.items.map((w) => w.id);

describe("POST /v3/workspaces/list", () => {
  it("pages every workspace, oldest first, newest first with reverse", async () => {
    const p1 = await list("?size=2", { filters: SUITE });
    expect(p1.status).toBe(200);
    expect(p1.json).toMatchObject({ total: 5, page: 1, size: 2, pages: 3 });
    expect(p1.json.items[0]).toEqual({ id: "wl-0", metadata: { suite: "list", n: 0, tag: "even" }, configuration: {}, created_at: expect.stringMatching(/Z$/) });
    const all: string[] = [];
    for (let page = 1; page <= 3; page++) all.push(...ids(await list(`?size=2&page=${page}`, { filters: SUITE })));
    expect(all).toEqual(["wl-0", "wl-1", "wl-2", "wl-3", "wl-4"]);
    expect(ids(await list("?size=2&reverse=true", { filters: SUITE }))).toEqual(["wl-4", "wl-3"]);
    expect((await list("?page=9", { filters: SUITE })).json).toEqual({ items: [], total: 5, page: 9, size: 50, pages: 1 });
    // no body, an empty body, null filters, {} filters: everything
    const everything = (await list()).json.total;
    expect(everything).toBeGreaterThanOrEqual(5);
    for (const body of [undefined, {}, { filters: null }, { filters: {} }]) expect((await list("", body)).json.total).toBe(everything);
    expect((await list("", { filters: { id: "nothing-here" } })).json).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
  });

  it("filters with Honcho's language: id, metadata, created_at, AND / OR / NOT", async () => {
    expect(ids(await list("", { filters: { id: ["wl-1", "wl-3"] } }))).toEqual(["wl-1", "wl-3"]);
    expect(ids(await list("", { filters: { id: { contains: "WL-" }, metadata: { tag: "odd" } } }))).toEqual(["wl-1", "wl-3"]);
    expect(ids(await list("", { filters: { metadata: { suite: "list", n: { gte: 3 } } } }))).toEqual(["wl-3", "wl-4"]);
    expect(ids(await list("", { filters: { OR: [{ id: "wl-0" }, { metadata: { n: 4 } }] } }))).toEqual(["wl-0", "wl-4"]);
    expect(ids(await list("", { filters: { ...SUITE, NOT: [{ metadata: { tag: "even" } }] } }))).toEqual(["wl-1", "wl-3"]);
    const [third] = await db.sql<{ at: string }[]>`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at FROM workspaces WHERE name = 'wl-2'`;
    expect(ids(await list("", { filters: { ...SUITE, created_at: { gte: third!.at } } }))).toEqual(["wl-2", "wl-3", "wl-4"]);
  });

  it("refuses what Honcho refuses: 422 with FastAPI's list, or Honcho's filter message", async () => {
    expect((await list("?page=0&size=101&reverse=maybe")).json.detail).toEqual([
      { type: "greater_than_equal", loc: ["query", "page"], msg: "Input should be greater than or equal to 1", input: "0", ctx: { ge: 1 } },
      { type: "less_than_equal", loc: ["query", "size"], msg: "Input should be less than or equal to 100", input: "101", ctx: { le: 100 } },
      { type: "bool_parsing", loc: ["query", "reverse"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
    ]);
    expect(await list("", [1])).toMatchObject({ status: 422, json: { detail: [{ type: "model_type", loc: ["body"], msg: "Input should be a valid dictionary or instance of WorkspaceGet", input: [1], ctx: { class_name: "WorkspaceGet" } }] } });
    expect((await list("", { filters: "x" })).json.detail).toEqual([{ type: "dict_type", loc: ["body", "filters"], msg: "Input should be a valid dictionary", input: "x" }]);
    for (const [filters, detail] of [
      [{ workspace_id: "x" }, "Column 'workspace_id' does not exist on Workspace"],
      [{ is_active: true }, "Column 'is_active' does not exist on Workspace"],
      [{ foo: 1 }, "Column 'foo' is not allowed to be filtered on or does not exist on Workspace"],
      [{ created_at: 5 }, "Invalid value for column 'created_at': expected a datetime, got int"],
      [{ AND: { id: "a" } }, "AND operator must contain a list, got dict"],
    ] as const) {
      expect(await list("", { filters })).toMatchObject({ status: 422, json: { detail } });
    }
  });

  it("is for admins only", async () => {
    const as = (claims: object) => list("", { filters: SUITE }, bearer(claims, SECRET), secured.url);
    expect((await as({ ad: true })).json.total).toBe(5);
    for (const claims of [{ w: "wl-0" }, { w: "wl-0", p: "alice" }, { w: "wl-0", s: "s" }, { t: "x" }]) {
      expect(await as(claims)).toMatchObject({ status: 401, json: { detail: "Resource requires admin privileges" } });
    }
    expect(await list("", undefined, {}, secured.url)).toMatchObject({ status: 401, json: { detail: "No access token provided" } });
  });

  it.each(Object.keys(rpcProtocols))("answers the same over %s", async (protocol) => {
    const client = createClient(WorkspaceService, rpcProtocols[protocol]!(app.url));
    const page = await client.listWorkspaces({ size: 2, page: 2, options: { filters: SUITE } });
    expect(page.items.map((w) => w.id)).toEqual(["wl-2", "wl-3"]);
    expect([page.total, page.page, page.size, page.pages]).toEqual([5, 2, 2, 3]);
    expect((await client.listWorkspaces({ reverse: true, options: { filters: { id: { in: ["wl-0", "wl-1"] } } } })).items.map((w) => w.id)).toEqual(["wl-1", "wl-0"]);
    const bad = await client.listWorkspaces({ options: { filters: { foo: 1 } } }).catch((e: unknown) => ConnectError.from(e));
    expect(bad).toMatchObject({ code: Code.InvalidArgument, rawMessage: "Column 'foo' is not allowed to be filtered on or does not exist on Workspace" });
    const size = await client.listWorkspaces({ size: 0 }).catch((e: unknown) => ConnectError.from(e));
    expect(size).toMatchObject({ code: Code.InvalidArgument, rawMessage: "1 validation error: query.size: Input should be greater than or equal to 1" });
  });
});

describe("PUT /v3/workspaces/{workspace_id}", () => {
  const put = (ws: string, body: unknown, headers?: Record<string, string>, base = app.url) => rest(base, "PUT", `/v3/workspaces/${ws}`, body, headers);

  it("creates a missing workspace (200), replaces metadata and merges configuration key by key", async () => {
    const created = await put("wu-1", { metadata: { plan: "pro" }, configuration: { summary: { enabled: false, messages_per_short_summary: 20 }, reasoning: { enabled: true } } });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      id: "wu-1",
      metadata: { plan: "pro" },
      configuration: { summary: { enabled: false, messages_per_short_summary: 20 }, reasoning: { enabled: true } },
      created_at: expect.any(String),
    });
    // a given top-level key replaces the stored one whole; nulls are dropped (exclude_none); extra keys are kept
    const merged = await put("wu-1", { configuration: { summary: { enabled: true, messages_per_long_summary: null }, custom: { x: 1 }, gone: null } });
    expect(merged.json).toEqual({ ...created.json, configuration: { summary: { enabled: true }, reasoning: { enabled: true }, custom: { x: 1 } } });
    // null or absent metadata: kept; {} replaces it
    expect((await put("wu-1", { metadata: null })).json.metadata).toEqual({ plan: "pro" });
    expect((await put("wu-1", {})).json.metadata).toEqual({ plan: "pro" });
    expect((await put("wu-1", { metadata: {} })).json.metadata).toEqual({});
    const [row] = await db.sql`SELECT metadata, configuration FROM workspaces WHERE name = 'wu-1'`;
    expect(row).toEqual({ metadata: {}, configuration: { summary: { enabled: true }, reasoning: { enabled: true }, custom: { x: 1 } } });
    // the NUL bytes of metadata are removed, as Honcho's _SanitizedMetadata does
    expect((await put("wu-1", { metadata: { "a\u0000b": "c\u0000" } })).json.metadata).toEqual({ ab: "c" });
  });

  it("validates as pydantic does: path, then the WorkspaceUpdate body", async () => {
    expect(await put("wu-2", undefined)).toMatchObject({ status: 422, json: { detail: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }] } });
    const bad = await put("bad name", { metadata: [1], configuration: { summary: { messages_per_short_summary: 5 } } });
    expect(bad.status).toBe(422);
    expect(bad.json.detail).toEqual([
      { type: "string_pattern_mismatch", loc: ["path", "workspace_id"], msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input: "bad name", ctx: { pattern: "^[a-zA-Z0-9_-]+$" } },
      { type: "dict_type", loc: ["body", "metadata"], msg: "Input should be a valid dictionary", input: [1] },
      { type: "greater_than_equal", loc: ["body", "configuration", "summary", "messages_per_short_summary"], msg: "Input should be greater than or equal to 10", input: 5, ctx: { ge: 10 } },
    ]);
    expect((await put("wu-2", { configuration: "x" })).json.detail).toEqual([
      { type: "model_type", loc: ["body", "configuration"], msg: "Input should be a valid dictionary or instance of WorkspaceConfiguration", input: "x", ctx: { class_name: "WorkspaceConfiguration" } },
    ]);
    expect((await put("wu-2", { configuration: { summary: { messages_per_short_summary: 30, messages_per_long_summary: 20 } } })).json.detail).toEqual([
      {
        type: "value_error",
        loc: ["body", "configuration", "summary"],
        msg: "Value error, messages_per_short_summary must be less than messages_per_long_summary",
        input: { messages_per_short_summary: 30, messages_per_long_summary: 20 },
        ctx: { error: {} },
      },
    ]);
    const [none] = await db.sql`SELECT count(*)::int AS n FROM workspaces WHERE name IN ('wu-2', 'bad name')`;
    expect(none!.n).toBe(0);
  });

  it("admits the workspace's own token and admins; nobody else", async () => {
    const body = { metadata: { by: "token" } };
    expect((await put("wu-3", body, bearer({ w: "wu-3" }, SECRET), secured.url)).status).toBe(200);
    expect((await put("wu-3", body, bearer({ ad: true }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: "other" }, { w: "wu-3", p: "alice" }, { w: "wu-3", s: "s1" }]) {
      expect(await put("wu-3", body, bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
    }
  });

  it.each(Object.keys(rpcProtocols))("answers the same over %s", async (protocol) => {
    const client = createClient(WorkspaceService, rpcProtocols[protocol]!(app.url));
    const ws = `wu-rpc-${Object.keys(rpcProtocols).indexOf(protocol)}`;
    const first = await client.updateWorkspace({ workspaceId: ws, metadata: { a: 1 }, configuration: { dream: { enabled: false } } });
    expect(first.workspace).toMatchObject({ id: ws, metadata: { a: 1 }, configuration: { dream: { enabled: false } } });
    const second = await client.updateWorkspace({ workspaceId: ws, configuration: { peer_card: { use: "yes" } } });
    expect(second.workspace).toMatchObject({ metadata: { a: 1 }, configuration: { dream: { enabled: false }, peer_card: { use: true } } });
    const bad = await client.updateWorkspace({ workspaceId: ws, configuration: { dream: { enabled: "maybe" } } }).catch((e: unknown) => ConnectError.from(e));
    expect(bad).toMatchObject({ code: Code.InvalidArgument });
    expect((bad as ConnectError).rawMessage).toContain("body.configuration.dream.enabled: Input should be a valid boolean, unable to interpret input");
  });
});

describe("DELETE /v3/workspaces/{workspace_id}", () => {
  const del = (ws: string, headers?: Record<string, string>, base = app.url) => rest(base, "DELETE", `/v3/workspaces/${ws}`, undefined, headers);
  const deletionRows = (ws: string) =>
    db.sql`SELECT work_unit_key, task_type, payload, session_id, workspace_name, message_id, processed FROM queue WHERE task_type = 'deletion' AND workspace_name = ${ws} ORDER BY id`;

  it("404s a missing workspace, 409s one with an active session, and accepts one without (202, a deletion queued)", async () => {
    expect(await del("wd-none")).toEqual({ status: 404, json: { detail: "Workspace wd-none not found" }, text: expect.any(String) });
    expect((await rest(app.url, "POST", "/v3/workspaces/wd-1/sessions/s1/messages", { messages: [{ content: "hi", peer_id: "alice" }] })).status).toBe(201);
    expect(await del("wd-1")).toMatchObject({ status: 409, json: { detail: "Cannot delete workspace 'wd-1': active session(s) remain. Delete all sessions first." } });
    expect(await deletionRows("wd-1")).toEqual([]);
    expect((await rest(app.url, "DELETE", "/v3/workspaces/wd-1/sessions/s1")).status).toBe(202);
    // an inactive (deleted, not yet purged) session does not hold it back
    const accepted = await del("wd-1");
    expect(accepted).toMatchObject({ status: 202, json: { message: "Workspace deletion accepted" } });
    const rows = await deletionRows("wd-1");
    expect(rows.at(-1)).toEqual({
      work_unit_key: "deletion:wd-1:workspace:wd-1",
      task_type: "deletion",
      payload: { task_type: "deletion", deletion_type: "workspace", resource_id: "wd-1" },
      session_id: null,
      workspace_name: "wd-1",
      message_id: null,
      processed: false,
    });
    // nothing is marked: the workspace stays usable until the purge; a second DELETE queues again (Honcho does not dedupe)
    expect((await rest(app.url, "POST", "/v3/workspaces", { id: "wd-1" })).status).toBe(200);
    expect((await del("wd-1")).status).toBe(202);
    expect((await deletionRows("wd-1")).filter((r) => r.payload.deletion_type === "workspace")).toHaveLength(2);
  });

  it("takes the path as Honcho's plain str, and admits the workspace's own token only", async () => {
    expect(await del("bad%20name")).toMatchObject({ status: 404, json: { detail: "Workspace bad name not found" } });
    await rest(app.url, "POST", "/v3/workspaces", { id: "wd-2" });
    for (const claims of [{ w: "other" }, { w: "wd-2", p: "alice" }, { w: "wd-2", s: "s1" }]) {
      expect(await del("wd-2", bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
    }
    expect((await del("wd-2", bearer({ w: "wd-2" }, SECRET), secured.url)).status).toBe(202);
  });

  it.each(Object.keys(rpcProtocols))("answers the same over %s", async (protocol) => {
    const client = createClient(WorkspaceService, rpcProtocols[protocol]!(app.url));
    const ws = `wd-rpc-${Object.keys(rpcProtocols).indexOf(protocol)}`;
    await expect(client.deleteWorkspace({ workspaceId: ws })).rejects.toMatchObject({ code: Code.NotFound, rawMessage: `Workspace ${ws} not found` });
    await rest(app.url, "POST", `/v3/workspaces/${ws}/sessions`, { id: "live" });
    await expect(client.deleteWorkspace({ workspaceId: ws })).rejects.toMatchObject({ code: Code.AlreadyExists });
    await rest(app.url, "DELETE", `/v3/workspaces/${ws}/sessions/live`);
    expect((await client.deleteWorkspace({ workspaceId: ws })).message).toBe("Workspace deletion accepted");
  });
});
