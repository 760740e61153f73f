// Deletes as Honcho does them (a session marked inactive and a deletion
// queued, in one transaction, under the session's lock; a workspace refused
// while it has active sessions), the standalone purge that then deletes
// everything in one transaction per work unit, and what races with them:
// a writer during a session delete, writers during a clone.
import { Code, createClient } from "@connectrpc/connect";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { newId } from "../../src/domain/ids.js";
import { createDeletionPurge, type DeletionPurge } from "../../src/store/deletion-purge.js";
import { tablesOf } from "../../src/store/schema.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { rpcProtocols } from "../support/clients.js";
import { createHonchoDatabase } from "../support/honcho-db.js";
import { bearer, rest } from "../support/rest.js";

const SECRET = "deletes-secret";
const protocols = Object.keys(rpcProtocols);
const post = (app: App, ws: string, s: string, messages: object[], headers?: Record<string, string>) =>
  rest(app.url, "POST", `/v3/workspaces/${ws}/sessions/${s}/messages`, { messages }, headers);
const msgs = (n: number, peer = "alice", tag = "m") => Array.from({ length: n }, (_, i) => ({ content: `${tag} ${i}`, peer_id: peer }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await sleep(50);
  }
}

describe("deleting a session (purge off: what the request does)", () => {
  let db: TestDb;
  let app: App;
  let secured: App;
  let lockHolder: Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 } });
    secured = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 }, authUseAuth: true, authJwtSecret: SECRET });
    lockHolder = postgres(db.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await lockHolder?.end({ timeout: 1 });
    await secured?.stop();
    await app?.stop();
    await db?.drop();
  });

  it("marks the session inactive and queues Honcho's deletion task (202); the name is then not found", async () => {
    expect((await post(app, "dw", "d1", msgs(2))).status).toBe(201);
    const del = await rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/d1");
    expect(del).toMatchObject({ status: 202, json: { message: "Session deleted successfully" } });
    const [s] = await db.sql`SELECT is_active FROM sessions WHERE workspace_name = 'dw' AND name = 'd1'`;
    expect(s!.is_active).toBe(false);
    const rows = await db.sql`SELECT work_unit_key, task_type, payload, session_id, workspace_name, message_id, processed FROM queue WHERE task_type = 'deletion'`;
    expect(rows).toEqual([
      { work_unit_key: "deletion:dw:session:d1", task_type: "deletion", payload: { task_type: "deletion", deletion_type: "session", resource_id: "d1" }, session_id: null, workspace_name: "dw", message_id: null, processed: false },
    ]);
    expect(await rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/d1")).toMatchObject({ status: 404, json: { detail: "Session d1 not found in workspace dw" } });
    expect(await rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/never")).toMatchObject({ status: 404, json: { detail: "Session never not found in workspace dw" } });
    expect(await post(app, "dw", "d1", msgs(1))).toMatchObject({ status: 404, json: { detail: "Session d1 not found in workspace dw" } });
    expect((await rest(app.url, "POST", "/v3/workspaces/dw/sessions", { id: "d1" })).status).toBe(404);
    expect((await rest(app.url, "POST", "/v3/workspaces/dw/sessions/list")).json.items).toEqual([]);
    // until it is purged its messages are still readable (Honcho's M3)
    expect((await rest(app.url, "POST", "/v3/workspaces/dw/sessions/d1/messages/list")).json.total).toBe(2);
  });

  it("takes the path as Honcho's plain str, and admits workspace and session tokens", async () => {
    // a name no session has is not found, as in Honcho (no 422: a legacy name would be found)
    expect(await rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/a%20b")).toMatchObject({ status: 404, json: { detail: "Session a b not found in workspace dw" } });
    await post(app, "dw", "d2", msgs(1));
    await post(app, "dw", "d3", msgs(1));
    expect((await rest(secured.url, "DELETE", "/v3/workspaces/dw/sessions/d2", undefined, bearer({ w: "dw", p: "alice" }, SECRET))).status).toBe(401);
    expect((await rest(secured.url, "DELETE", "/v3/workspaces/dw/sessions/d2", undefined, bearer({ w: "dw", s: "d3" }, SECRET))).status).toBe(401);
    expect((await rest(secured.url, "DELETE", "/v3/workspaces/dw/sessions/d2", undefined, bearer({ w: "dw", s: "d2" }, SECRET))).status).toBe(202);
    expect((await rest(secured.url, "DELETE", "/v3/workspaces/dw/sessions/d3", undefined, bearer({ w: "dw" }, SECRET))).status).toBe(202);
  });

  it.each(protocols)("answers the same over %s", async (protocol) => {
    const client = createClient(SessionService, rpcProtocols[protocol]!(app.url));
    const s = `d-rpc-${protocols.indexOf(protocol)}`;
    await post(app, "dw", s, msgs(1));
    expect((await client.deleteSession({ workspaceId: "dw", sessionId: s })).message).toBe("Session deleted successfully");
    await expect(client.deleteSession({ workspaceId: "dw", sessionId: s })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("waits for a batch being written under the session's lock; the batch is in, later ones are refused", async () => {
    await post(app, "dw", "race", msgs(1));
    // a writer in the middle of a batch: Honcho's lock held, half the batch in
    const writer = await lockHolder.reserve();
    await writer`BEGIN`;
    await writer`SELECT pg_advisory_xact_lock(hashtext('dw'), hashtext('race'))`;
    await writer`INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session) VALUES ('half1xxxxxxxxxxxxxxxx', 'race', 'alice', 'first half', 'dw', 2)`;
    let answered: number | undefined;
    const deleting = rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/race").then((r) => (answered = r.status));
    await sleep(400);
    expect(answered).toBeUndefined(); // the delete waits for the batch
    await writer`INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session) VALUES ('half2xxxxxxxxxxxxxxxx', 'race', 'alice', 'second half', 'dw', 3)`;
    await writer`COMMIT`;
    writer.release();
    await deleting;
    expect(answered).toBe(202);
    const contents = await db.sql`SELECT content FROM messages WHERE workspace_name = 'dw' AND session_name = 'race' ORDER BY seq_in_session`;
    expect(contents.map((r) => r.content)).toEqual(["m 0", "first half", "second half"]);
    expect((await post(app, "dw", "race", msgs(1))).status).toBe(404);
  });

  it("under concurrent writers, every batch is either stored before the delete (201) or refused after it (404)", async () => {
    await post(app, "dw", "busy", msgs(1, "alice", "seed"));
    const outcomes: { status: number; ids: string[] }[] = [];
    let deletedAt = 0;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let b = 0; b < 15; b++) {
        const r = await post(app, "dw", "busy", msgs(3, `p${w}`, `w${w}b${b}`));
        outcomes.push({ status: r.status, ids: r.status === 201 ? (r.json as { id: string }[]).map((m) => m.id) : [] });
      }
    });
    const deleter = (async () => {
      await sleep(60);
      const r = await rest(app.url, "DELETE", "/v3/workspaces/dw/sessions/busy");
      expect(r.status).toBe(202);
      deletedAt = outcomes.length;
    })();
    await Promise.all([...writers, deleter]);
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([201, 404]));
    const stored = new Set((await db.sql`SELECT public_id FROM messages WHERE workspace_name = 'dw' AND session_name = 'busy'`).map((r) => r.public_id as string));
    // what the session holds is exactly the seed and the batches answered 201: no batch landed after the delete
    expect(stored.size).toBe(1 + outcomes.filter((o) => o.status === 201).length * 3);
    for (const o of outcomes) for (const id of o.ids) expect(stored.has(id)).toBe(true);
    expect(deletedAt).toBeGreaterThan(0);
  });
});

describe("cloning while others write", () => {
  let db: TestDb;
  let app: App;
  let lockHolder: Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 } });
    lockHolder = postgres(db.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await lockHolder?.end({ timeout: 1 });
    await app?.stop();
    await db?.drop();
  });

  it("waits for a batch being written under the session's lock, and copies it whole", async () => {
    await post(app, "cw", "src", msgs(1));
    const writer = await lockHolder.reserve();
    await writer`BEGIN`;
    await writer`SELECT pg_advisory_xact_lock(hashtext('cw'), hashtext('src'))`;
    await writer`INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session) VALUES ('chalf1xxxxxxxxxxxxxxx', 'src', 'alice', 'first half', 'cw', 2)`;
    let done = false;
    const cloning = rest(app.url, "POST", "/v3/workspaces/cw/sessions/src/clone").then((r) => ((done = true), r));
    await sleep(400);
    expect(done).toBe(false);
    await writer`INSERT INTO messages (public_id, session_name, peer_name, content, workspace_name, seq_in_session) VALUES ('chalf2xxxxxxxxxxxxxxx', 'src', 'alice', 'second half', 'cw', 3)`;
    await writer`COMMIT`;
    writer.release();
    const r = await cloning;
    expect(r.status).toBe(201);
    const copied = await db.sql`SELECT content FROM messages WHERE workspace_name = 'cw' AND session_name = ${r.json.id} ORDER BY seq_in_session`;
    expect(copied.map((m) => m.content)).toEqual(["m 0", "first half", "second half"]);
  });

  it("never copies part of a batch: every clone holds whole batches of concurrent writers", async () => {
    await post(app, "cw", "hot", msgs(4, "seed", "seed"));
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let b = 0; writing && b < 40; b++) expect((await post(app, "cw", "hot", msgs(4, `p${w}`, `w${w}b${b}`))).status).toBe(201);
    });
    const clones: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await rest(app.url, "POST", "/v3/workspaces/cw/sessions/hot/clone");
      expect(r.status).toBe(201);
      clones.push(r.json.id);
      await sleep(15);
    }
    writing = false;
    await Promise.all(writers);
    for (const id of clones) {
      const rows = await db.sql`SELECT content, seq_in_session::int AS seq FROM messages WHERE workspace_name = 'cw' AND session_name = ${id} ORDER BY seq_in_session`;
      expect(rows.length % 4).toBe(0);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1)); // a prefix of the original, gapless
      const batches = new Map<string, number>();
      for (const r of rows) {
        const batch = (r.content as string).split(" ")[0]!;
        batches.set(batch, (batches.get(batch) ?? 0) + 1);
      }
      for (const n of batches.values()) expect(n).toBe(4);
    }
  });
});

describe("the standalone purge", () => {
  let db: TestDb;
  let app: App;
  const logs = memoryLogger();
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { purge: { intervalMs: 50 } }, logs.log);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });
  const count = async (table: string, where: string) => Number((await db.sql.unsafe(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n);

  it("is on by default when standalone", () => {
    expect(app.db.layout.mode).toBe("standalone");
    expect(logs.lines().some((l) => l.msg === "purging deleted sessions and workspaces in the background")).toBe(true);
  });

  it("purges a deleted session whole (Honcho's delete_session), then the name is free again", async () => {
    const key = { "idempotency-key": "k-purge-1" };
    expect((await post(app, "pw", "gone", msgs(3), key)).status).toBe(201);
    expect((await post(app, "pw", "kept", msgs(2))).status).toBe(201);
    expect(await count("queue", "workspace_name = 'pw' AND task_type = 'representation'")).toBeGreaterThan(0);
    // a consumer holds the session's representation work
    await db.sql`INSERT INTO active_queue_sessions (id, work_unit_key) VALUES ('aqsxxxxxxxxxxxxxxxxxx', 'representation:pw:gone:alice')`;
    expect((await rest(app.url, "DELETE", "/v3/workspaces/pw/sessions/gone")).status).toBe(202);
    await eventually(async () => (await count("sessions", "workspace_name = 'pw' AND name = 'gone'")) === 0);
    expect(await count("messages", "workspace_name = 'pw' AND session_name = 'gone'")).toBe(0);
    expect(await count("session_peers", "workspace_name = 'pw' AND session_name = 'gone'")).toBe(0);
    expect(await count("queue", "workspace_name = 'pw' AND task_type <> 'deletion' AND payload ->> 'session_name' = 'gone'")).toBe(0);
    expect(await count("active_queue_sessions", "work_unit_key LIKE '%:pw:gone:%' OR work_unit_key LIKE 'deletion:pw:%'")).toBe(0);
    expect(await count("honcho_ingest.idempotency_keys", "scope = 'CreateMessages:pw/gone'")).toBe(0);
    const [task] = await db.sql`SELECT processed, error FROM queue WHERE work_unit_key = 'deletion:pw:session:gone'`;
    expect(task).toEqual({ processed: true, error: null });
    // the rest of the workspace is untouched
    expect(await count("messages", "workspace_name = 'pw' AND session_name = 'kept'")).toBe(2);
    expect(await count("peers", "workspace_name = 'pw' AND name = 'alice'")).toBe(1);
    expect(logs.lines().some((l) => l.msg === "deletion purged" && l.workUnitKey === "deletion:pw:session:gone")).toBe(true);
    // a new session of the same name, and the same idempotency key, are new
    const again = await post(app, "pw", "gone", msgs(1), key);
    expect(again.status).toBe(201);
    expect((await rest(app.url, "POST", "/v3/workspaces/pw/sessions/gone/messages/list")).json.total).toBe(1);
  });

  it("purges a deleted workspace whole (Honcho's delete_workspace), its queue rows and the deletion row included", async () => {
    await post(app, "pw2", "a", msgs(2, "alice"));
    await post(app, "pw2", "b", msgs(2, "bob"));
    await rest(app.url, "PUT", "/v3/workspaces/pw2/peers/carol/card", { peer_card: ["x"] });
    expect((await rest(app.url, "DELETE", "/v3/workspaces/pw2")).status).toBe(409);
    for (const s of ["a", "b"]) expect((await rest(app.url, "DELETE", `/v3/workspaces/pw2/sessions/${s}`)).status).toBe(202);
    expect((await rest(app.url, "DELETE", "/v3/workspaces/pw2")).status).toBe(202);
    await eventually(async () => (await count("workspaces", "name = 'pw2'")) === 0);
    for (const table of ["peers", "sessions", "session_peers", "messages", "queue"]) expect(await count(table, "workspace_name = 'pw2'")).toBe(0);
    expect(await count("active_queue_sessions", "split_part(work_unit_key, ':', 2) = 'pw2'")).toBe(0);
    expect(await count("workspaces", "name = 'pw'")).toBe(1);
  });

  it("purges nothing half: a deletion that fails is rolled back whole and done on a later pass", async () => {
    // something outside the purge holds on to the session (a foreign key), so its last step fails
    await db.sql`CREATE TABLE IF NOT EXISTS public.holder (session_name text, workspace_name text, FOREIGN KEY (session_name, workspace_name) REFERENCES sessions (name, workspace_name))`;
    await post(app, "pw3", "held", msgs(3));
    await db.sql`INSERT INTO public.holder VALUES ('held', 'pw3')`;
    expect((await rest(app.url, "DELETE", "/v3/workspaces/pw3/sessions/held")).status).toBe(202);
    await eventually(async () => logs.lines().some((l) => l.msg === "deletion purge interrupted; trying again later"));
    await sleep(200);
    // every step before the failing one was undone
    expect(await count("messages", "workspace_name = 'pw3' AND session_name = 'held'")).toBe(3);
    expect(await count("session_peers", "workspace_name = 'pw3' AND session_name = 'held'")).toBe(1);
    expect(await count("queue", "workspace_name = 'pw3' AND task_type = 'representation'")).toBe(3);
    expect(await count("active_queue_sessions", "work_unit_key = 'deletion:pw3:session:held'")).toBe(0);
    const [task] = await db.sql`SELECT processed FROM queue WHERE work_unit_key = 'deletion:pw3:session:held'`;
    expect(task!.processed).toBe(false);
    await db.sql`DELETE FROM public.holder`;
    await eventually(async () => (await count("sessions", "workspace_name = 'pw3' AND name = 'held'")) === 0);
    expect(await count("messages", "workspace_name = 'pw3'")).toBe(0);
  });

  it("records a deletion it cannot do at all as Honcho does (processed, with the error), and leaves observation deletions to Honcho", async () => {
    await rest(app.url, "POST", "/v3/workspaces", { id: "pw4" });
    await db.sql`INSERT INTO queue (work_unit_key, task_type, payload, workspace_name) VALUES
      ('deletion:pw4:session:odd', 'deletion', '{"task_type": "deletion", "deletion_type": "session"}'::jsonb, 'pw4'),
      ('deletion:pw4:observation:doc1', 'deletion', '{"task_type": "deletion", "deletion_type": "observation", "resource_id": "doc1"}'::jsonb, 'pw4')`;
    await eventually(async () => (await count("queue", "work_unit_key = 'deletion:pw4:session:odd' AND processed")) === 1);
    const [bad] = await db.sql`SELECT error FROM queue WHERE work_unit_key = 'deletion:pw4:session:odd'`;
    expect(bad!.error).toMatch(/^Error: deletion item \d+ has no resource or workspace$/);
    await sleep(200);
    expect(await count("queue", "work_unit_key = 'deletion:pw4:observation:doc1' AND NOT processed")).toBe(1);
  });

  it("does not purge an active session that took a purged one's name", async () => {
    // a stale deletion row for a name that is now an active session
    await post(app, "pw5", "reborn", msgs(2));
    await db.sql`INSERT INTO queue (work_unit_key, task_type, payload, workspace_name) VALUES
      ('deletion:pw5:session:reborn', 'deletion', '{"task_type": "deletion", "deletion_type": "session", "resource_id": "reborn"}'::jsonb, 'pw5')`;
    await eventually(async () => (await count("queue", "work_unit_key = 'deletion:pw5:session:reborn' AND processed")) === 1);
    expect(await count("messages", "workspace_name = 'pw5' AND session_name = 'reborn'")).toBe(2);
  });
});

describe("the standalone purge between looks through the queue", () => {
  // the queue is looked through at start and then once a minute (this
  // test's interval); anything purged sooner was heard of from this
  // process's own deletes
  let db: TestDb;
  let replica: App; // another process on the database, purge off
  let purging: App;
  const logs = memoryLogger();
  const MINUTE = { intervalMs: 60_000 };
  beforeAll(async () => {
    db = await createTestDatabase();
    replica = await startTestApp(db.url, { purge: { enabled: false, ...MINUTE } });
  });
  afterAll(async () => {
    await purging?.stop();
    await replica?.stop();
    await db?.drop();
  });
  const sessions = async (ws: string, name: string) =>
    Number((await db.sql`SELECT count(*)::int AS n FROM sessions WHERE workspace_name = ${ws} AND name = ${name}`)[0]!.n);

  it("looks through the queue at start: a deletion queued before it is purged", async () => {
    await post(replica, "lq", "before", msgs(2));
    expect((await rest(replica.url, "DELETE", "/v3/workspaces/lq/sessions/before")).status).toBe(202);
    await sleep(300);
    expect(await sessions("lq", "before")).toBe(1);
    purging = await startTestApp(db.url, { purge: MINUTE }, logs.log);
    await eventually(async () => (await sessions("lq", "before")) === 0, 5_000);
  });

  it("purges what it deletes itself at once, and another process's deletion only at its next look", async () => {
    await post(replica, "lq", "theirs", msgs(2));
    await post(purging, "lq", "mine", msgs(3));
    expect((await rest(replica.url, "DELETE", "/v3/workspaces/lq/sessions/theirs")).status).toBe(202);
    expect((await rest(purging.url, "DELETE", "/v3/workspaces/lq/sessions/mine")).status).toBe(202);
    await eventually(async () => (await sessions("lq", "mine")) === 0, 5_000);
    expect(Number((await db.sql`SELECT count(*)::int AS n FROM messages WHERE workspace_name = 'lq' AND session_name = 'mine'`)[0]!.n)).toBe(0);
    expect(logs.lines().some((l) => l.msg === "deletion purged" && l.workUnitKey === "deletion:lq:session:mine")).toBe(true);
    await sleep(500);
    expect(await sessions("lq", "theirs")).toBe(1);
    expect((await db.sql`SELECT processed FROM queue WHERE work_unit_key = 'deletion:lq:session:theirs'`)[0]!.processed).toBe(false);
  });

  it("purges a workspace it deletes at once", async () => {
    await post(purging, "lq2", "a", msgs(2));
    expect((await rest(purging.url, "DELETE", "/v3/workspaces/lq2/sessions/a")).status).toBe(202);
    expect((await rest(purging.url, "DELETE", "/v3/workspaces/lq2")).status).toBe(202);
    await eventually(async () => Number((await db.sql`SELECT count(*)::int AS n FROM workspaces WHERE name = 'lq2'`)[0]!.n) === 0, 5_000);
    expect(Number((await db.sql`SELECT count(*)::int AS n FROM queue WHERE workspace_name = 'lq2'`)[0]!.n)).toBe(0);
  });
});

describe("a look through the queue", () => {
  // the purge store driven by hand: which deletion rows a look finds
  let db: TestDb;
  let app: App; // its own purge off: deletions stay queued for the looks
  let purge: DeletionPurge;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { purge: { enabled: false, intervalMs: 60_000 } });
    purge = createDeletionPurge(app.db.sql, tablesOf(app.db.sql, app.db.schemas), app.db.schemas);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });
  const look = async (whole = false) => {
    const { outcomes, floor } = await purge.runOnce(10, newId, whole);
    return { keys: outcomes.map((o) => o.workUnitKey), floor };
  };
  // a deletion row in Honcho's shape, as another writer queues it (`id`: chosen, not drawn)
  const deletionRow = (q: Sql, session: string, id?: number) => {
    const key = `deletion:ql:session:${session}`;
    const payload = JSON.stringify({ task_type: "deletion", deletion_type: "session", resource_id: session });
    return id === undefined
      ? q`INSERT INTO queue (work_unit_key, task_type, payload, workspace_name) VALUES (${key}, 'deletion', ${payload}::text::jsonb, 'ql')`
      : q`INSERT INTO queue (id, work_unit_key, task_type, payload, workspace_name) VALUES (${id}, ${key}, 'deletion', ${payload}::text::jsonb, 'ql')`;
  };
  const inactive = async (session: string) => {
    await post(app, "ql", session, msgs(1));
    await db.sql`UPDATE sessions SET is_active = false WHERE workspace_name = 'ql' AND name = ${session}`;
  };

  it("reads only what was queued since the looks before it, and everything when whole", async () => {
    expect(await look(true)).toEqual({ keys: [], floor: 0n });
    // looks with writes between them, until the floor has risen (another
    // database's long transaction on the server would hold it down)
    let floor = 0n;
    for (const until = Date.now() + 20_000; floor === 0n; ) {
      if (Date.now() > until) throw new Error("the floor never rose");
      await post(app, "ql", "filler", msgs(2));
      ({ floor } = await look());
    }
    expect((await rest(app.url, "DELETE", "/v3/workspaces/ql/sessions/filler")).status).toBe(202);
    expect((await look()).keys).toEqual(["deletion:ql:session:filler"]);
    expect(Number((await db.sql`SELECT count(*)::int AS n FROM messages WHERE session_name = 'filler'`)[0]!.n)).toBe(0);
    // a deletion row with an id below every floor: only a whole look reads it
    await inactive("low");
    await deletionRow(db.sql, "low", -1);
    for (let i = 0; i < 3; i++) expect((await look()).keys).toEqual([]);
    expect(await look(true)).toEqual({ keys: ["deletion:ql:session:low"], floor: 0n });
  });

  it("finds a row still uncommitted while later rows committed and looks went past", async () => {
    await inactive("slow");
    const tx = await db.sql.reserve();
    try {
      await tx`BEGIN`;
      await deletionRow(tx, "slow"); // its id is drawn now; the rows below commit with higher ones
      for (let i = 0; i < 6; i++) {
        await post(app, "ql", "later", msgs(2));
        expect((await look()).keys).toEqual([]);
      }
      await tx`COMMIT`;
    } finally {
      tx.release();
    }
    expect((await look()).keys).toEqual(["deletion:ql:session:slow"]);
  });
});

describe("beside Honcho", () => {
  let db: TestDb;
  let honchoDeriver: App;
  let purging: App;
  beforeAll(async () => {
    db = await createHonchoDatabase();
    honchoDeriver = await startTestApp(db.url, { purge: { intervalMs: 50 } });
  });
  afterAll(async () => {
    await purging?.stop();
    await honchoDeriver?.stop();
    await db?.drop();
  });

  it("leaves the purge to Honcho's deriver unless told to purge; told, it purges Honcho's other tables too", async () => {
    expect(honchoDeriver.db.layout.mode).toBe("attached");
    await post(honchoDeriver, "hw", "s", msgs(2));
    await db.sql`INSERT INTO collections (id, observer, observed, workspace_name) VALUES ('collxxxxxxxxxxxxxxxxx', 'alice', 'alice', 'hw')`;
    await db.sql`INSERT INTO documents (id, content, observer, observed, workspace_name, session_name) VALUES ('docxxxxxxxxxxxxxxxxxx', 'fact', 'alice', 'alice', 'hw', 's')`;
    expect(Number((await db.sql`SELECT count(*) AS n FROM message_embeddings WHERE workspace_name = 'hw'`)[0]!.n)).toBe(2);
    expect((await rest(honchoDeriver.url, "DELETE", "/v3/workspaces/hw/sessions/s")).status).toBe(202);
    await sleep(500);
    expect((await db.sql`SELECT processed FROM queue WHERE work_unit_key = 'deletion:hw:session:s'`)[0]!.processed).toBe(false);
    expect(Number((await db.sql`SELECT count(*) AS n FROM messages WHERE workspace_name = 'hw'`)[0]!.n)).toBe(2);

    purging = await startTestApp(db.url, { purge: { enabled: true, intervalMs: 50 } });
    await eventually(async () => Number((await db.sql`SELECT count(*) AS n FROM sessions WHERE workspace_name = 'hw'`)[0]!.n) === 0);
    for (const table of ["messages", "message_embeddings", "documents", "session_peers"]) {
      expect(Number((await db.sql.unsafe(`SELECT count(*) AS n FROM ${table} WHERE workspace_name = 'hw'`))[0]!.n)).toBe(0);
    }
    expect((await rest(purging.url, "DELETE", "/v3/workspaces/hw")).status).toBe(202);
    await eventually(async () => Number((await db.sql`SELECT count(*) AS n FROM workspaces WHERE name = 'hw'`)[0]!.n) === 0);
    expect(Number((await db.sql`SELECT count(*) AS n FROM collections WHERE workspace_name = 'hw'`)[0]!.n)).toBe(0);
  });
});
