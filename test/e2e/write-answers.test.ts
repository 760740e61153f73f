// What a write answers with, byte for byte, as Honcho answers it: the
// objects its ORM session holds after the commit (src/crud: an existing row's
// h_metadata is replaced by the given dict only where the two differ, a
// configuration is {**stored, **given} for workspaces and sessions). A value
// the call gave and that changed the row comes back as the request sent it
// (its key order, 1e16 as Python's 1e+16); a value it left alone comes back
// as PostgreSQL holds it (jsonb orders keys by length, then bytes). And, as
// in Honcho, a value equal to the stored one ({"a": 2} against {"a": 2.0})
// leaves the stored one as it was.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";
import { postUpload, uploadForm } from "../support/multipart.js";
import { fieldText, rest } from "../support/rest.js";

const t = useTestApp();
let sql: postgres.Sql;
beforeAll(() => void (sql = postgres(t.db.url, { max: 1, onnotice: () => {} })));
afterAll(() => sql?.end());

async function call(verb: string, path: string, body: string, status: number) {
  const r = await rest(t.app.url, verb, path, body);
  expect(r.status, r.text).toBe(status);
  return { metadata: fieldText(r.text, "metadata"), configuration: fieldText(r.text, "configuration") };
}

const stored = async (table: string, name: string, column: "metadata" | "configuration") =>
  (await sql`SELECT ${sql(column)}::text AS v FROM ${sql(table)} WHERE name = ${name}`)[0]!.v as string;

describe("workspaces", () => {
  it("created: the request's metadata and the configuration as the model dumps it; found: the row", async () => {
    const made = await call("POST", "/v3/workspaces", '{"id": "w1", "metadata": {"bb": 1, "a": 2.0, "c": 1e16, "z": {"y": 1, "x": 2}}, "configuration": {"zz": 1.0, "summary": {"enabled": true}, "reasoning": {"enabled": false}}}', 201);
    expect(made.metadata).toBe('{"bb":1,"a":2.0,"c":1e+16,"z":{"y":1,"x":2}}');
    // declared fields first, in the model's order, then the extra keys
    expect(made.configuration).toBe('{"reasoning":{"enabled":false},"summary":{"enabled":true},"zz":1.0}');
    // an existing workspace is answered as stored, whatever the call sent
    const found = await call("POST", "/v3/workspaces", '{"id": "w1", "metadata": {"bb": 2}}', 200);
    expect(found.metadata).toBe('{"a":2.0,"c":10000000000000000,"z":{"x":2,"y":1},"bb":1}');
    expect(found.configuration).toBe('{"zz":1.0,"summary":{"enabled":true},"reasoning":{"enabled":false}}');
  });

  it("PUT: what changed as sent, the configuration merged in Python's order; what did not, as stored", async () => {
    await call("POST", "/v3/workspaces", '{"id": "w2", "metadata": {"bb": 1, "a": 2.0}, "configuration": {"zz": 1.0, "summary": {"enabled": true}}}', 201);
    // equal to the stored metadata (2 == 2.0 in Python): answered and kept as stored
    const same = await call("PUT", "/v3/workspaces/w2", '{"metadata": {"bb": 1, "a": 2}}', 200);
    expect(same.metadata).toBe('{"a":2.0,"bb":1}');
    expect(await stored("workspaces", "w2", "metadata")).toBe('{"a": 2.0, "bb": 1}');
    const changed = await call("PUT", "/v3/workspaces/w2", '{"metadata": {"bb": 1, "a": 3}, "configuration": {"yy": 2, "summary": {"enabled": false}}}', 200);
    expect(changed.metadata).toBe('{"bb":1,"a":3}');
    // {**stored, **given}: the stored keys in jsonb's order, the given one replaced in place, the new one last
    expect(changed.configuration).toBe('{"zz":1.0,"summary":{"enabled":false},"yy":2}');
    const unchanged = await call("PUT", "/v3/workspaces/w2", '{"configuration": {"yy": 2}}', 200);
    expect(unchanged.configuration).toBe('{"yy":2,"zz":1.0,"summary":{"enabled":false}}');
    // created by the PUT: what it was given
    const fresh = await call("PUT", "/v3/workspaces/w3", '{"metadata": {"bb": 1, "a": 1e16}, "configuration": {"zz": 1}}', 200);
    expect(fresh.metadata).toBe('{"bb":1,"a":1e+16}');
    expect(fresh.configuration).toBe('{"zz":1}');
  });
});

describe("peers", () => {
  it("get-or-create and PUT: a value that changed the row as sent, one equal to the stored one as stored (and kept)", async () => {
    const made = await call("POST", "/v3/workspaces/w1/peers", '{"id": "p", "metadata": {"bb": 1, "a": 2.0}, "configuration": {"zz": 1, "a": true}}', 201);
    expect(made).toEqual({ metadata: '{"bb":1,"a":2.0}', configuration: '{"zz":1,"a":true}' });
    const same = await call("POST", "/v3/workspaces/w1/peers", '{"id": "p", "metadata": {"bb": 1, "a": 2}}', 200);
    expect(same).toEqual({ metadata: '{"a":2.0,"bb":1}', configuration: '{"a":true,"zz":1}' });
    expect(await stored("peers", "p", "metadata")).toBe('{"a": 2.0, "bb": 1}');
    const changed = await call("POST", "/v3/workspaces/w1/peers", '{"id": "p", "metadata": {"bb": 1, "a": 3}}', 200);
    expect(changed).toEqual({ metadata: '{"bb":1,"a":3}', configuration: '{"a":true,"zz":1}' });
    // a peer's configuration is replaced, not merged
    const put = await call("PUT", "/v3/workspaces/w1/peers/p", '{"configuration": {"zz": 2, "a": true}}', 200);
    expect(put).toEqual({ metadata: '{"a":3,"bb":1}', configuration: '{"zz":2,"a":true}' });
    const putSame = await call("PUT", "/v3/workspaces/w1/peers/p", '{"configuration": {"zz": 2.0, "a": true}}', 200);
    expect(putSame.configuration).toBe('{"a":true,"zz":2}');
  });
});

describe("sessions", () => {
  it("get-or-create and PUT: as sent where changed, merged configuration in Python's order, as stored where not", async () => {
    const made = await call("POST", "/v3/workspaces/w1/sessions", '{"id": "s", "metadata": {"bb": 1, "a": 2.0}, "configuration": {"zz": 1, "summary": {"enabled": true}}}', 201);
    expect(made).toEqual({ metadata: '{"bb":1,"a":2.0}', configuration: '{"summary":{"enabled":true},"zz":1}' });
    const same = await call("POST", "/v3/workspaces/w1/sessions", '{"id": "s", "metadata": {"bb": 1, "a": 2.0}, "configuration": {"zz": 1}}', 200);
    expect(same).toEqual({ metadata: '{"a":2.0,"bb":1}', configuration: '{"zz":1,"summary":{"enabled":true}}' });
    const changed = await call("POST", "/v3/workspaces/w1/sessions", '{"id": "s", "metadata": {"bb": 1, "a": 2.5}, "configuration": {"yy": 1, "zz": 3}}', 200);
    expect(changed).toEqual({ metadata: '{"bb":1,"a":2.5}', configuration: '{"zz":3,"summary":{"enabled":true},"yy":1}' });
    const put = await call("PUT", "/v3/workspaces/w1/sessions/s", '{"metadata": {"bb": 1, "a": 2.5}, "configuration": {"b": 1}}', 200);
    expect(put).toEqual({ metadata: '{"a":2.5,"bb":1}', configuration: '{"yy":1,"zz":3,"summary":{"enabled":true},"b":1}' });
    const fresh = await call("PUT", "/v3/workspaces/w1/sessions/s2", '{"metadata": {"bb": 1, "a": 2.5}, "configuration": {"b": 1.0}}', 200);
    expect(fresh).toEqual({ metadata: '{"bb":1,"a":2.5}', configuration: '{"b":1.0}' });
  });
});

describe("messages", () => {
  it("created: created_at as pydantic writes the datetime it parsed; read back: the instant in UTC, microseconds in six digits", async () => {
    const sent = ["2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00.5Z", "2024-05-01", "2024-05-01 12:00:00.123-03:30", 1714564800.25];
    const r = await rest(t.app.url, "POST", "/v3/workspaces/w9/sessions/dates/messages", { messages: sent.map((created_at) => ({ peer_id: "p", content: "x", created_at })) });
    expect(r.status).toBe(201);
    const made = r.json as { id: string; created_at: string }[];
    expect(made.map((m) => m.created_at)).toEqual(["2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00.500000Z", "2024-05-01T00:00:00", "2024-05-01T12:00:00.123000-03:30", "2024-05-01T12:00:00.250000Z"]);
    // the representation work holds created_at as Honcho's payload holds it: the datetime parsed
    const payloads = await sql`
      SELECT q.payload ->> 'created_at' AS created_at FROM queue q JOIN messages m ON m.id = q.message_id
      WHERE m.session_name = 'dates' AND q.task_type = 'representation' ORDER BY m.seq_in_session`;
    expect(payloads.map((p) => p.created_at)).toEqual(made.map((m) => m.created_at));
    const listed = await rest(t.app.url, "POST", "/v3/workspaces/w9/sessions/dates/messages/list", {});
    expect((listed.json as { items: { created_at: string }[] }).items.map((m) => m.created_at)).toEqual([
      "2024-05-01T10:00:00Z",
      "2024-05-01T12:00:00.500000Z",
      "2024-05-01T00:00:00Z",
      "2024-05-01T15:30:00.123000Z",
      "2024-05-01T12:00:00.250000Z",
    ]);
  });

  // pydantic takes them and PostgreSQL stores them, but Python's datetime (so
  // Honcho) cannot read such a row back; they were a 500 here
  it("refuses a created_at whose instant falls outside the years 1 to 9999 in UTC with a 422, and stores nothing", async () => {
    for (const created_at of ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-00:01"]) {
      const r = await rest(t.app.url, "POST", "/v3/workspaces/w-range/sessions/s/messages", { messages: [{ peer_id: "p", content: "x", created_at }] });
      expect(r.status, r.text).toBe(422);
      expect(r.json.detail).toEqual([{ type: "value_error", loc: ["body", "messages", 0, "created_at"], msg: "Value error, created_at must fall within the years 1 to 9999 in UTC", input: created_at, ctx: { error: {} } }]);
      const up = await postUpload(t.app.url, "w-range", "s", uploadForm({ data: "hello", type: "text/plain" }, { peer_id: "p", created_at }));
      expect(up.status).toBe(422);
      expect(up.json.detail).toEqual([expect.objectContaining({ loc: ["body", "created_at"], msg: "Value error, created_at must fall within the years 1 to 9999 in UTC" })]);
    }
    // the edges themselves are stored and read back
    const edges = await rest(t.app.url, "POST", "/v3/workspaces/w-range/sessions/s/messages", { messages: [{ peer_id: "p", content: "x", created_at: "0001-01-01T00:00:00Z" }, { peer_id: "p", content: "y", created_at: "9999-12-31T23:59:59.999999Z" }] });
    expect(edges.status).toBe(201);
    const listed = await rest(t.app.url, "POST", "/v3/workspaces/w-range/sessions/s/messages/list", {});
    expect((listed.json as { items: { created_at: string }[] }).items.map((m) => m.created_at)).toEqual(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"]);
  });

  it("PUT answers the metadata it was given, as sent", async () => {
    const r = await rest(t.app.url, "POST", "/v3/workspaces/w1/sessions/s/messages", '{"messages": [{"peer_id": "p", "content": "x"}]}');
    const id = (r.json as { id: string }[])[0]!.id;
    const put = await rest(t.app.url, "PUT", `/v3/workspaces/w1/sessions/s/messages/${id}`, '{"metadata": {"bb": 1, "a": 2.0, "c": 1e16}}');
    expect(fieldText(put.text, "metadata")).toBe('{"bb":1,"a":2.0,"c":1e+16}');
    const read = await rest(t.app.url, "GET", `/v3/workspaces/w1/sessions/s/messages/${id}`);
    expect(fieldText(read.text, "metadata")).toBe('{"a":2.0,"c":10000000000000000,"bb":1}');
  });
});
