// A session's `scopes` at get-or-create (S2 POST .../sessions), as Honcho's
// crud does them: each scope's peer (scope.<name>, internal kind flag,
// observe_me false) got or created, made an observing member of the session
// outside the observer limit, and, when the session already has messages, a
// scope_backfill task queued once (with the scope peer's backfill_status) in
// the same transaction. A legacy peer holding a scope's name is refused
// (409) with nothing written.
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { SessionService } from "../../gen/honcho/v3/resources_pb.js";
import { useTestApp } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";

const t = useTestApp();

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${t.app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};
const scopePeers = (ws: string) =>
  t.db.sql<{ name: string; metadata: unknown; configuration: unknown; internal_metadata: any }[]>`
    SELECT name, metadata, configuration, internal_metadata FROM peers WHERE workspace_name = ${ws} AND name LIKE 'scope.%' ORDER BY name`;
const members = (ws: string, session: string) =>
  t.db.sql<{ peer_name: string; configuration: unknown; active: boolean }[]>`
    SELECT peer_name, configuration, left_at IS NULL AS active FROM session_peers WHERE workspace_name = ${ws} AND session_name = ${session} ORDER BY peer_name`;
const backfills = (ws: string) =>
  t.db.sql<{ id: string; work_unit_key: string; payload: unknown; session_id: string | null; message_id: string | null; processed: boolean }[]>`
    SELECT id::text, work_unit_key, payload, session_id, message_id, processed FROM queue WHERE workspace_name = ${ws} AND task_type = 'scope_backfill' ORDER BY id`;
// datetime.now(timezone.utc).isoformat()
const PY_ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);

describe("POST /v3/workspaces/{w}/sessions with scopes", () => {
  it("creates each scope's peer once and makes it an observing member; a new session queues no backfill", async () => {
    const res = await post("/v3/workspaces/sc1/sessions", { id: "s", scopes: ["team", "ops", "team"], peers: { alice: {} } });
    expect(res).toMatchObject({ status: 201, json: { id: "s", workspace_id: "sc1", is_active: true, metadata: {}, configuration: {} } });
    expect(await scopePeers("sc1")).toEqual([
      { name: "scope.ops", metadata: {}, configuration: { observe_me: false }, internal_metadata: { kind: "scope" } },
      { name: "scope.team", metadata: {}, configuration: { observe_me: false }, internal_metadata: { kind: "scope" } },
    ]);
    expect(await members("sc1", "s")).toEqual([
      { peer_name: "alice", configuration: { observe_me: null, observe_others: null }, active: true },
      { peer_name: "scope.ops", configuration: { observe_me: false, observe_others: true }, active: true },
      { peer_name: "scope.team", configuration: { observe_me: false, observe_others: true }, active: true },
    ]);
    expect(await backfills("sc1")).toEqual([]);
    // the session's peer list and the workspace's leave scopes out, as Honcho's do
    const listed = (await (await fetch(`${t.app.url}/v3/workspaces/sc1/sessions/s/peers`)).json()) as any;
    expect(listed.items.map((p: { id: string }) => p.id)).toEqual(["alice"]);
    const peers = await post("/v3/workspaces/sc1/peers/list", {});
    expect(peers.json.items.map((p: { id: string }) => p.id)).toEqual(["alice"]);
    // a second session joins the existing scope: no new peer
    expect((await post("/v3/workspaces/sc1/sessions", { id: "s2", scopes: ["team"] })).status).toBe(201);
    expect((await scopePeers("sc1")).map((p) => p.name)).toEqual(["scope.ops", "scope.team"]);
    expect((await members("sc1", "s2")).map((m) => m.peer_name)).toEqual(["scope.team"]);
  });

  it("queues one backfill per scope for a session with messages, with the scope's status pending, and not again while it is pending", async () => {
    await post("/v3/workspaces/sc2/sessions", { id: "s", peers: { alice: {} } });
    expect((await postMessages(t.app.url, "sc2", "s", { messages: [{ content: "hi", peer_id: "alice" }] })).status).toBe(201);
    expect((await post("/v3/workspaces/sc2/sessions", { id: "s", scopes: ["team", "ops", "team"] })).status).toBe(200);
    expect(await backfills("sc2")).toEqual([
      { id: expect.any(String), work_unit_key: "scope_backfill:sc2:scope.team:s", payload: { task_type: "scope_backfill", scope_peer: "scope.team", session_name: "s" }, session_id: null, message_id: null, processed: false },
      { id: expect.any(String), work_unit_key: "scope_backfill:sc2:scope.ops:s", payload: { task_type: "scope_backfill", scope_peer: "scope.ops", session_name: "s" }, session_id: null, message_id: null, processed: false },
    ]);
    const [ops, team] = await scopePeers("sc2");
    expect(team!.internal_metadata).toEqual({ kind: "scope", backfill_status: { s: { state: "pending", updated_at: PY_ISO } } });
    expect(ops!.internal_metadata.backfill_status.s.state).toBe("pending");

    // pending: nothing more is queued, and the status is left as it is
    expect((await post("/v3/workspaces/sc2/sessions", { id: "s", scopes: ["team"] })).status).toBe(200);
    expect(await backfills("sc2")).toHaveLength(2);
    expect((await scopePeers("sc2"))[1]!.internal_metadata).toEqual(team!.internal_metadata);

    // being processed (an active queue session holds its key): still nothing
    await t.db.sql`UPDATE queue SET processed = true WHERE workspace_name = 'sc2' AND task_type = 'scope_backfill'`;
    await t.db.sql`INSERT INTO active_queue_sessions (id, work_unit_key) VALUES ('activebackfill0000001', 'scope_backfill:sc2:scope.team:s')`;
    expect((await post("/v3/workspaces/sc2/sessions", { id: "s", scopes: ["team"] })).status).toBe(200);
    expect(await backfills("sc2")).toHaveLength(2);

    // done: the session added again queues anew, keeping the other sessions' statuses
    await t.db.sql`DELETE FROM active_queue_sessions WHERE work_unit_key = 'scope_backfill:sc2:scope.team:s'`;
    await t.db.sql`UPDATE peers SET internal_metadata = internal_metadata || '{"backfill_status": {"s": {"state": "completed"}, "other": {"state": "completed"}}}' WHERE workspace_name = 'sc2' AND name = 'scope.team'`;
    expect((await post("/v3/workspaces/sc2/sessions", { id: "s", scopes: ["team"] })).status).toBe(200);
    expect((await backfills("sc2")).map((r) => [r.work_unit_key, r.processed])).toEqual([
      ["scope_backfill:sc2:scope.team:s", true],
      ["scope_backfill:sc2:scope.ops:s", true],
      ["scope_backfill:sc2:scope.team:s", false],
    ]);
    expect((await scopePeers("sc2"))[1]!.internal_metadata).toEqual({
      kind: "scope",
      backfill_status: { s: { state: "pending", updated_at: PY_ISO }, other: { state: "completed" } },
    });
  });

  it("does not count scope memberships against the observer limit", async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`o${i}`, { observe_others: true }]));
    expect((await post("/v3/workspaces/sc3/sessions", { id: "s", peers: ten, scopes: ["a", "b"] })).status).toBe(201);
    expect((await post("/v3/workspaces/sc3/sessions", { id: "s", peers: { o0: { observe_others: true } }, scopes: ["c"] })).status).toBe(200);
    expect((await members("sc3", "s")).filter((m) => m.peer_name.startsWith("scope."))).toHaveLength(3);
  });

  it("brings back a scope membership that had ended, as an observer", async () => {
    await post("/v3/workspaces/sc4/sessions", { id: "s", scopes: ["team"] });
    await t.db.sql`UPDATE session_peers SET left_at = now(), configuration = '{"observe_me": true, "observe_others": false}' WHERE workspace_name = 'sc4'`;
    expect((await post("/v3/workspaces/sc4/sessions", { id: "s", scopes: ["team"] })).status).toBe(200);
    expect(await members("sc4", "s")).toEqual([{ peer_name: "scope.team", configuration: { observe_me: false, observe_others: true }, active: true }]);
  });

  it("refuses (409) a scope whose name a peer that is no scope holds, writing nothing", async () => {
    await post("/v3/workspaces/sc5/peers", { id: "bob" });
    await t.db.sql`INSERT INTO peers (id, name, workspace_name) VALUES ('legacyscopesquatter01', 'scope.squat', 'sc5')`;
    const res = await post("/v3/workspaces/sc5/sessions", { id: "s", peers: { alice: {} }, scopes: ["fine", "squat"] });
    expect(res).toEqual({
      status: 409,
      json: { detail: "A peer named 'scope.squat' already exists in workspace sc5 but is not a scope. Rename or delete that peer before creating this scope." },
    });
    expect(await t.db.sql`SELECT name FROM sessions WHERE workspace_name = 'sc5'`).toEqual([]);
    expect((await t.db.sql`SELECT name FROM peers WHERE workspace_name = 'sc5' ORDER BY name`).map((r) => r.name)).toEqual(["bob", "scope.squat"]);
  });

  it("refuses scopes to an inactive session (404), writing nothing", async () => {
    await post("/v3/workspaces/sc6/sessions", { id: "s" });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE workspace_name = 'sc6'`;
    expect((await post("/v3/workspaces/sc6/sessions", { id: "s", scopes: ["team"] })).status).toBe(404);
    expect(await scopePeers("sc6")).toEqual([]);
  });

  it.each(Object.entries(rpcProtocols))("takes scopes over %s", async (protocol, transport) => {
    const ws = `sc-${protocol.replace(/[^a-z]+/g, "-")}`;
    const sessions = createClient(SessionService, transport(t.app.url));
    const r = await sessions.getOrCreateSession({ workspaceId: ws, id: "s", scopes: ["team"] });
    expect(r.created).toBe(true);
    expect(await members(ws, "s")).toEqual([{ peer_name: "scope.team", configuration: { observe_me: false, observe_others: true }, active: true }]);
    expect((await scopePeers(ws)).map((p) => p.internal_metadata)).toEqual([{ kind: "scope" }]);
  });
});
