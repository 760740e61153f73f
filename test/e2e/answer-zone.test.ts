// Beside a database whose TimeZone is not UTC, REST answers and queue
// payloads carry timestamps as Honcho's do there: psycopg hands Honcho each
// timestamptz in the session's zone and pydantic writes its offset. A
// datetime a request gave is answered as it was written; gRPC and Connect
// carry the instant (protobuf's Timestamp), unchanged.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { App } from "../../src/app.js";
import { setAnswerZone } from "../../src/json/answer-zone.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";

const ZONE = "America/New_York";
let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  const [{ name }] = await db.sql<[{ name: string }]>`SELECT current_database() AS name`;
  await db.sql.unsafe(`ALTER DATABASE ${name} SET timezone = '${ZONE}'`);
  app = await startTestApp(db.url);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  setAnswerZone("UTC");
});

// PostgreSQL's own rendering of a stored instant in the zone (its tzdata, not this service's)
const inZone = async (table: "workspaces" | "messages", where: string) => {
  const [row] = await db.sql.unsafe<{ wall: string; off: number }[]>(
    `SELECT to_char(created_at AT TIME ZONE '${ZONE}', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS wall, (extract(epoch FROM (created_at AT TIME ZONE '${ZONE}') - (created_at AT TIME ZONE 'UTC')) / 3600)::int AS off FROM ${table} WHERE ${where}`,
  );
  return row!;
};

describe(`a database in ${ZONE}`, () => {
  it("answers a stored row's created_at in the zone's wall clock and offset", async () => {
    const res = await fetch(`${app.url}/v3/workspaces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "tz" }) });
    const { created_at } = (await res.json()) as { created_at: string };
    const { wall } = await inZone("workspaces", "name = 'tz'");
    expect(created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?-0[45]:00$/);
    expect(created_at.slice(0, 19)).toBe(wall.slice(0, 19));
    // Connect's JSON: protobuf's Timestamp, the same instant in UTC
    const connect = await createClient(WorkspaceService, createConnectTransport({ baseUrl: app.url, httpVersion: "1.1" })).getOrCreateWorkspace({ id: "tz" });
    expect(Number(connect.workspace!.createdAt!.seconds) * 1000).toBe(Math.floor(Date.parse(created_at) / 1000) * 1000);
  });

  it("answers a message's given created_at as written, and as stored when listed; reads a naive one in the zone; its queue payload as Honcho writes it", async () => {
    const created = await postMessages(app.url, "tz", "s", {
      messages: [
        { content: "given", peer_id: "a", created_at: "2026-07-04T12:00:00Z" },
        { content: "winter", peer_id: "a", created_at: "2026-01-15T12:00:00.5+00:00" },
        { content: "now", peer_id: "a" },
        { content: "naive", peer_id: "a", created_at: "2026-01-15T12:00:00" },
      ],
    });
    expect(created.status).toBe(201);
    const answered = (created.json as { created_at: string }[]).map((m) => m.created_at);
    const listed = await fetch(`${app.url}/v3/workspaces/tz/sessions/s/messages/list`, { method: "POST" });
    const items = ((await listed.json()) as { items: { content: string; created_at: string }[] }).items;
    const now = await inZone("messages", "content = 'now'");
    const nowText = `${now.wall}-0${-now.off}:00`;
    // Honcho's answers beside a database in New York (2026-12-04)
    expect(answered).toEqual(["2026-07-04T12:00:00Z", "2026-01-15T12:00:00.500000Z", nowText, "2026-01-15T12:00:00"]);
    expect(items.map((m) => m.created_at)).toEqual(["2026-07-04T08:00:00-04:00", "2026-01-15T07:00:00.500000-05:00", nowText, "2026-01-15T12:00:00-05:00"]);
    // the naive wall clock is New York's: 17:00 UTC
    const [naive] = await db.sql<[{ utc: string }]>`SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') AS utc FROM messages WHERE content = 'naive'`;
    expect(naive.utc).toBe("17:00");

    // the payload: the text a request gave, else pydantic's text of the stored datetime in the zone
    const payloads = await db.sql<{ created_at: string }[]>`
      SELECT q.payload ->> 'created_at' AS created_at FROM queue q JOIN messages m ON m.id = q.message_id
      WHERE m.workspace_name = 'tz' AND q.task_type = 'representation' ORDER BY m.seq_in_session`;
    expect(payloads.map((p) => p.created_at)).toEqual(["2026-07-04T12:00:00Z", "2026-01-15T12:00:00.500000Z", nowText, "2026-01-15T12:00:00"]);
  });

  it("refuses a naive created_at whose instant in the zone no answer can carry, where UTC would store it", async () => {
    const res = await postMessages(app.url, "tz", "edge", { messages: [{ content: "late", peer_id: "a", created_at: "9999-12-31T23:59:59" }] });
    expect(res).toMatchObject({
      status: 422,
      json: { detail: [{ type: "value_error", loc: ["body", "messages", 0, "created_at"], msg: "Value error, created_at must fall within the years 1 to 9999 in UTC" }] },
    });
    // an hour earlier is year 9999 in UTC too: stored, listed
    expect((await postMessages(app.url, "tz", "edge", { messages: [{ content: "ok", peer_id: "a", created_at: "9999-12-31T18:59:59" }] })).status).toBe(201);
    const listed = await fetch(`${app.url}/v3/workspaces/tz/sessions/edge/messages/list`, { method: "POST" });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: { created_at: string }[] }).items.map((m) => m.created_at)).toEqual(["9999-12-31T18:59:59-05:00"]);
  });

  it("answers a stored instant past year 9999 in UTC by its wall clock here, as Honcho does", async () => {
    await db.sql`
      INSERT INTO messages (public_id, session_name, peer_name, workspace_name, content, token_count, seq_in_session, created_at)
      SELECT 'zonelatezonelatezone1', 'edge', 'a', 'tz', 'stored late', 1, 2, '10000-01-01 04:59:59+00'`;
    const listed = await fetch(`${app.url}/v3/workspaces/tz/sessions/edge/messages/list`, { method: "POST" });
    expect(((await listed.json()) as { items: { created_at: string }[] }).items.map((m) => m.created_at)).toEqual(["9999-12-31T18:59:59-05:00", "9999-12-31T23:59:59-05:00"]);
  });

  it("reads an upload's naive created_at in the zone too", async () => {
    const form = new FormData();
    form.set("file", new Blob(["uploaded text"], { type: "text/plain" }), "a.txt");
    form.set("peer_id", "a");
    form.set("created_at", "2026-01-15T12:00:00");
    const res = await fetch(`${app.url}/v3/workspaces/tz/sessions/u/messages/upload`, { method: "POST", body: form });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { created_at: string }[]).map((m) => m.created_at)).toEqual(["2026-01-15T12:00:00"]);
    const [row] = await db.sql<[{ utc: string }]>`SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') AS utc FROM messages WHERE session_name = 'u'`;
    expect(row.utc).toBe("17:00");
  });
});
