// GET /v3/workspaces/{workspace_id}/queue/status: Honcho's counts of queue
// rows (representation, summary, dream), completed / in progress (claimed in
// active_queue_sessions) / pending, in all and per session (keyed by the
// internal sessions.id), filtered by session and by observer OR sender; over
// REST and every RPC protocol, with the auth rule (workspace tokens only).
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { rpcProtocols } from "../support/clients.js";
import { bearer, rest } from "../support/rest.js";

const SECRET = "queue-status-secret";
const WS = "qw";
let db: TestDb;
let app: App;
let secured: App;
let ids: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 } });
  secured = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 }, authUseAuth: true, authJwtSecret: SECRET });
  // q1: bob observes others, so alice's messages are observed by [alice, bob]; bob's by [bob]
  expect((await rest(app.url, "POST", `/v3/workspaces/${WS}/sessions`, { id: "q1", peers: { alice: {}, bob: { observe_others: true } } })).status).toBe(201);
  const post = (s: string, peer: string, n: number) => rest(app.url, "POST", `/v3/workspaces/${WS}/sessions/${s}/messages`, { messages: Array.from({ length: n }, (_, i) => ({ content: `${peer} ${i}`, peer_id: peer })) });
  expect((await post("q1", "alice", 2)).status).toBe(201);
  expect((await post("q1", "bob", 1)).status).toBe(201);
  expect((await post("q2", "carol", 1)).status).toBe(201);
  ids = Object.fromEntries((await db.sql`SELECT name, id FROM sessions WHERE workspace_name = ${WS}`).map((r) => [r.name, r.id]));
  // one of alice's rows done, bob's unit claimed by a consumer
  await db.sql`UPDATE queue SET processed = true WHERE id = (SELECT min(id) FROM queue WHERE work_unit_key = 'representation:qw:q1:alice')`;
  await db.sql`INSERT INTO active_queue_sessions (id, work_unit_key) VALUES ('claimxxxxxxxxxxxxxxxx', 'representation:qw:q1:bob')`;
  // a summary of q2, a dream (no session), and work the status does not count
  await db.sql`INSERT INTO queue (work_unit_key, task_type, payload, session_id, workspace_name) VALUES
    ('summary:qw:q2:None:None', 'summary', '{"task_type": "summary", "session_name": "q2", "message_seq_in_session": 20}'::jsonb, ${ids.q2!}, 'qw'),
    ('dream:consolidate:qw:alice:bob', 'dream', '{"task_type": "dream", "observer": "alice", "observed": "bob", "dream_type": "consolidate"}'::jsonb, NULL, 'qw'),
    ('deletion:qw:session:old', 'deletion', '{"task_type": "deletion", "deletion_type": "session", "resource_id": "old"}'::jsonb, NULL, 'qw'),
    ('reconciler:sync_vectors', 'reconciler', '{"task_type": "reconciler"}'::jsonb, NULL, 'qw')`;
});
afterAll(async () => {
  await secured?.stop();
  await app?.stop();
  await db?.drop();
});

const status = (query = "", headers?: Record<string, string>, base = app.url, ws = WS) => rest(base, "GET", `/v3/workspaces/${ws}/queue/status${query}`, undefined, headers);
const counts = (total: number, completed: number, inProgress: number, pending: number) => ({
  total_work_units: total,
  completed_work_units: completed,
  in_progress_work_units: inProgress,
  pending_work_units: pending,
});

describe("GET /v3/workspaces/{workspace_id}/queue/status", () => {
  it("counts the workspace's rows, in all and per session (keyed by sessions.id)", async () => {
    const r = await status();
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      ...counts(6, 1, 1, 4),
      sessions: {
        [ids.q1!]: { session_id: ids.q1, ...counts(3, 1, 1, 1) },
        [ids.q2!]: { session_id: ids.q2, ...counts(2, 0, 0, 2) },
      },
    });
    // Honcho's field order
    expect(Object.keys(r.json)).toEqual(["total_work_units", "completed_work_units", "in_progress_work_units", "pending_work_units", "sessions"]);
  });

  it("scopes to a session by name (no per-session map then)", async () => {
    expect((await status("?session_id=q1")).json).toEqual({ ...counts(3, 1, 1, 1), sessions: null });
    expect((await status("?session_id=nope")).json).toEqual({ ...counts(0, 0, 0, 0), sessions: null });
  });

  it("filters by observer OR sender; an observer is found in representation work too (Honcho looks at dreams only)", async () => {
    // bob observes alice's two messages and his own
    expect((await status("?observer_id=bob")).json).toMatchObject(counts(3, 1, 1, 1));
    // alice: her own two messages and the dream she dreams
    expect((await status("?observer_id=alice")).json).toMatchObject(counts(3, 1, 0, 2));
    // sender: what is about bob (his message, and the dream about him)
    expect((await status("?sender_id=bob")).json).toMatchObject(counts(2, 0, 1, 1));
    // both: either (Honcho ORs them); a summary matches no peer
    expect((await status("?observer_id=alice&sender_id=carol")).json).toMatchObject(counts(4, 1, 0, 3));
    expect((await status("?observer_id=carol&session_id=q2")).json).toEqual({ ...counts(1, 0, 0, 1), sessions: null });
    // empty values are no filter (Honcho's normalisation)
    expect((await status("?observer_id=&sender_id=&session_id=")).json).toMatchObject(counts(6, 1, 1, 4));
    expect((await status("?observer_id=nobody")).json).toEqual({ ...counts(0, 0, 0, 0), sessions: null });
    expect((await status("?observer_id=a%00b")).json).toEqual({ ...counts(0, 0, 0, 0), sessions: null });
  });

  it("answers zeros for a workspace that does not exist, whatever its name (Honcho's plain str)", async () => {
    expect((await status("", undefined, app.url, "nowhere")).json).toEqual({ ...counts(0, 0, 0, 0), sessions: null });
    expect((await status("", undefined, app.url, "no%20where")).json).toEqual({ ...counts(0, 0, 0, 0), sessions: null });
    // text no row can hold stays a 422 (Honcho: 500)
    expect((await status("", undefined, app.url, "no%00where")).json.detail[0]).toMatchObject({ type: "string_pattern_mismatch", loc: ["path", "workspace_id"] });
  });

  it("admits workspace tokens only (session_id is a filter, not what is authorized)", async () => {
    expect((await status("", bearer({ w: WS }, SECRET), secured.url)).status).toBe(200);
    for (const claims of [{ w: WS, s: "q1" }, { w: WS, p: "alice" }, { w: "other" }]) {
      expect(await status("?session_id=q1", bearer(claims, SECRET), secured.url)).toMatchObject({ status: 401, json: { detail: "JWT not permissioned for this resource" } });
    }
  });

  it.each(Object.keys(rpcProtocols))("answers the same over %s", async (protocol) => {
    const client = createClient(WorkspaceService, rpcProtocols[protocol]!(app.url));
    const all = await client.getQueueStatus({ workspaceId: WS });
    expect([all.totalWorkUnits, all.completedWorkUnits, all.inProgressWorkUnits, all.pendingWorkUnits]).toEqual([6, 1, 1, 4]);
    expect(all.sessions[ids.q1!]).toMatchObject({ sessionId: ids.q1, totalWorkUnits: 3, completedWorkUnits: 1, inProgressWorkUnits: 1, pendingWorkUnits: 1 });
    const one = await client.getQueueStatus({ workspaceId: WS, sessionId: "q2", observerId: "carol" });
    expect([one.totalWorkUnits, one.pendingWorkUnits, Object.keys(one.sessions).length]).toEqual([1, 1, 0]);
  });
});
