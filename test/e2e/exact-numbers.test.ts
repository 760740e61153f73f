// Numbers in metadata and configuration written, stored and read back as
// Honcho does (src/json/exact-numbers.ts): Honcho's json.loads keeps 1.0 a
// float and a 64-bit id exact, json.dumps writes them so into jsonb and into
// a 422's `input`, pydantic-core into its answers (FastAPI writes a response
// model's answer with it), and PostgreSQL keeps numerics as they were
// written. Here the stored jsonb is compared with PostgreSQL's own reading of
// Python's text.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";
import { fieldText, rest } from "../support/rest.js";
import { postUpload, uploadForm } from "../support/multipart.js";

const t = useTestApp();
let sql: postgres.Sql;
beforeAll(() => void (sql = postgres(t.db.url, { max: 1, onnotice: () => {} })));
afterAll(() => sql?.end());

// what a Python client sends, what Honcho stores from it (json.dumps of what
// json.loads made), what it answers (pydantic_core.to_json of the same:
// 0.00001 where json.dumps writes 1e-05, 1e-7 for 1e-07), and what it
// answers once PostgreSQL has stored it
const SENT = '{"score": 1.0, "id": 1234567890123456789, "tiny": 0.00001, "big": 1e16, "neg0": -0.0, "n": [2.50, 3.0, 1e-07], "s": "1.0"}';
const PYTHON = '{"score":1.0,"id":1234567890123456789,"tiny":1e-05,"big":1e+16,"neg0":-0.0,"n":[2.5,3.0,1e-07],"s":"1.0"}';
const ANSWERED = '{"score":1.0,"id":1234567890123456789,"tiny":0.00001,"big":1e+16,"neg0":-0.0,"n":[2.5,3.0,1e-7],"s":"1.0"}';
const READ_BACK = '{"n":[2.5,3.0,1e-7],"s":"1.0","id":1234567890123456789,"big":10000000000000000,"neg0":0.0,"tiny":0.00001,"score":1.0}';

// the body as written here: a JSON.stringify would have written 1 for 1.0
const send = (verb: string, path: string, body: string) => rest(t.app.url, verb, path, body);

/** The stored jsonb is PostgreSQL's reading of Python's text, numerics and all. */
async function storedAsPython(query: postgres.PendingQuery<postgres.Row[]>, python: string) {
  const [row] = await query;
  const [want] = await sql`SELECT ${python}::text::jsonb::text AS text`;
  expect(row!.text).toBe(want!.text);
}

describe("numbers as Honcho keeps them", () => {
  it("message metadata: answered, stored and read back as Honcho does", async () => {
    const made = await send("POST", "/v3/workspaces/acme/sessions/s1/messages", `{"messages": [{"content": "x", "peer_id": "alice", "metadata": ${SENT}}]}`);
    expect(made.status).toBe(201);
    expect(fieldText(made.text, "metadata")).toBe(ANSWERED);
    // JavaScript alone would have answered otherwise
    expect(JSON.stringify(JSON.parse(SENT))).not.toBe(ANSWERED);
    await storedAsPython(sql`SELECT metadata::text AS text FROM messages WHERE session_name = 's1'`, PYTHON);
    const listed = await send("POST", "/v3/workspaces/acme/sessions/s1/messages/list", "{}");
    expect(fieldText(listed.text, "metadata")).toBe(READ_BACK);
    const id = (made.json as { id: string }[])[0]!.id;
    const one = await rest(t.app.url, "GET", `/v3/workspaces/acme/sessions/s1/messages/${id}`);
    expect(fieldText(one.text, "metadata")).toBe(READ_BACK);
    const updated = await send("PUT", `/v3/workspaces/acme/sessions/s1/messages/${id}`, '{"metadata": {"v": 2.0, "id": 98765432109876543210}}');
    expect(updated.status).toBe(200);
    expect(fieldText(updated.text, "metadata")).toBe('{"v":2.0,"id":98765432109876543210}');
    await storedAsPython(sql`SELECT metadata::text AS text FROM messages WHERE public_id = ${id}`, '{"v": 2.0, "id": 98765432109876543210}');
  });

  it("a body past 64 KiB, whose answer is written in parts: the same spelling", async () => {
    const long = "word ".repeat(4000);
    const messages = [0, 1, 2, 3].map((n) => `{"content": "${long}${n}", "peer_id": "alice", "metadata": ${SENT}}`);
    const made = await send("POST", "/v3/workspaces/acme/sessions/big/messages", `{"messages": [${messages.join(",")}]}`);
    expect(made.status).toBe(201);
    expect(made.text.length).toBeGreaterThan(64 * 1024);
    expect(made.text.split(`"metadata":${ANSWERED}`).length - 1).toBe(4);
  });

  it("workspace, peer and session metadata and configuration: stored and read back as Honcho does", async () => {
    const ws = await send("POST", "/v3/workspaces", `{"id": "nums", "metadata": ${SENT}, "configuration": {"summary": {"messages_per_short_summary": 12.0}, "x": 1.0, "deep": {"y": 2.0}}}`);
    expect(ws.status).toBe(201);
    await storedAsPython(sql`SELECT metadata::text AS text FROM workspaces WHERE name = 'nums'`, PYTHON);
    // extra keys as sent (extra="allow"), declared ones as the model dumps them (an int)
    await storedAsPython(sql`SELECT configuration::text AS text FROM workspaces WHERE name = 'nums'`, '{"summary": {"messages_per_short_summary": 12}, "x": 1.0, "deep": {"y": 2.0}}');
    const peer = await send("POST", "/v3/workspaces/nums/peers", `{"id": "p", "metadata": ${SENT}, "configuration": {"weight": 2.0}}`);
    expect(peer.status).toBe(201);
    await storedAsPython(sql`SELECT metadata::text AS text FROM peers WHERE name = 'p'`, PYTHON);
    await storedAsPython(sql`SELECT configuration::text AS text FROM peers WHERE name = 'p'`, '{"weight": 2.0}');
    const peers = await send("POST", "/v3/workspaces/nums/peers/list", "{}");
    expect(fieldText(peers.text, "metadata")).toBe(READ_BACK);
    expect(fieldText(peers.text, "configuration")).toBe('{"weight":2.0}');
    const session = await send("POST", "/v3/workspaces/nums/sessions", `{"id": "s", "metadata": ${SENT}}`);
    expect(session.status).toBe(201);
    await storedAsPython(sql`SELECT metadata::text AS text FROM sessions WHERE name = 's'`, PYTHON);
    const put = await send("PUT", "/v3/workspaces/nums/sessions/s", '{"metadata": {"x": 1e2}}');
    expect(put.status).toBe(200);
    await storedAsPython(sql`SELECT metadata::text AS text FROM sessions WHERE name = 's'`, '{"x": 100.0}');
    const sessions = await send("POST", "/v3/workspaces/nums/sessions/list", "{}");
    expect(fieldText(sessions.text, "metadata")).toBe('{"x":100.0}');
  });

  it("an upload's metadata form field: stored as Honcho stores it", async () => {
    const r = await postUpload(t.app.url, "acme", "up", uploadForm({ data: "hello", type: "text/plain" }, { peer_id: "alice", metadata: SENT }));
    expect(r.status).toBe(201);
    await storedAsPython(sql`SELECT metadata::text AS text FROM messages WHERE session_name = 'up'`, PYTHON);
  });

  it("filters match 64-bit ids and floats as Honcho's do", async () => {
    const made = await send("POST", "/v3/workspaces/acme/sessions/f/messages", '{"messages": [{"content": "a", "peer_id": "alice", "metadata": {"id": 1234567890123456789, "score": 1.0}}, {"content": "b", "peer_id": "alice", "metadata": {"id": 1234567890123456788, "score": 2}}]}');
    expect(made.status).toBe(201);
    const listed = async (filters: string) => {
      const r = await send("POST", "/v3/workspaces/acme/sessions/f/messages/list", `{"filters": ${filters}}`);
      expect(r.status).toBe(200);
      return (r.json as { items: { content: string }[] }).items.map((m) => m.content);
    };
    // both ids are one double in JavaScript (1234567890123456768)
    expect(await listed('{"metadata": {"id": 1234567890123456789}}')).toEqual(["a"]);
    expect(await listed('{"metadata": {"id": {"gte": 1234567890123456789}}}')).toEqual(["a"]);
    expect(await listed('{"metadata": {"id": {"in": [1234567890123456788]}}}')).toEqual(["b"]);
    // `in` and `contains` compare the text of the value: Python's str(1.0) is "1.0"
    expect(await listed('{"metadata": {"score": {"in": [1.0]}}}')).toEqual(["a"]);
    expect(await listed('{"metadata": {"score": {"contains": 1.0}}}')).toEqual(["a"]);
  });

  it("a 422 echoes the numbers it was sent as FastAPI does", async () => {
    const bad = await send("POST", "/v3/workspaces/acme/sessions/s1/messages", '{"messages": [{"content": 5.0, "peer_id": 12345678901234567890}]}');
    expect(bad.status).toBe(422);
    expect(bad.text).toBe(
      '{"detail":[{"type":"string_type","loc":["body","messages",0,"content"],"msg":"Input should be a valid string","input":5.0},{"type":"string_type","loc":["body","messages",0,"peer_id"],"msg":"Input should be a valid string","input":12345678901234567890}]}',
    );
    const whole = await send("POST", "/v3/workspaces", '{"metadata": {"a": 1.0}}');
    expect(whole.text).toBe('{"detail":[{"type":"missing","loc":["body","id"],"msg":"Field required","input":{"metadata":{"a":1.0}}}]}');
    const root = await send("PUT", "/v3/workspaces/acme", "3.0");
    expect(root.text).toContain('"input":3.0,');
    // json.dumps's spelling (FastAPI's 422 is a JSONResponse), not pydantic's as in an answer
    const small = await send("POST", "/v3/workspaces", '{"metadata": {"a": 0.00001, "b": 1e-7}}');
    expect(small.text).toContain('"input":{"metadata":{"a":1e-05,"b":1e-07}}');
  });
});

// A JavaScript object puts integer-like keys first; Python's dict keeps keys
// as they came (exact-numbers.ts keeps that order beside the object).
describe("keys in Python's order", () => {
  it("a 422 echoes an object's keys as they were sent", async () => {
    const bad = await send("POST", "/v3/workspaces/acme/sessions/k/messages", '{"messages": [{"peer_id": "alice", "2": 1, "1": {"b": 0, "0": 1.0}}]}');
    expect(bad.status).toBe(422);
    expect(bad.text).toBe('{"detail":[{"type":"missing","loc":["body","messages",0,"content"],"msg":"Field required","input":{"peer_id":"alice","2":1,"1":{"b":0,"0":1.0}}}]}');
    const ws = await send("POST", "/v3/workspaces", '{"10": true, "metadata": {"9": 1}}');
    expect(ws.text).toBe('{"detail":[{"type":"missing","loc":["body","id"],"msg":"Field required","input":{"10":true,"metadata":{"9":1}}}]}');
  });

  it("message metadata: answered as sent, read back in PostgreSQL's order as Python reads it", async () => {
    const made = await send("POST", "/v3/workspaces/acme/sessions/k/messages", '{"messages": [{"content": "x", "peer_id": "alice", "metadata": {"b": 1, "2": {"z": 0, "1": 1.0}, "b": 3, "10": [1]}}]}');
    expect(made.status).toBe(201);
    expect(fieldText(made.text, "metadata")).toBe('{"b":3,"2":{"z":0,"1":1.0},"10":[1]}');
    // jsonb orders keys by length, then bytes; Python's json.loads keeps that order
    const [stored] = await sql`SELECT metadata::text AS text FROM messages WHERE session_name = 'k'`;
    expect(stored!.text).toBe('{"2": {"1": 1.0, "z": 0}, "b": 3, "10": [1]}');
    const listed = await send("POST", "/v3/workspaces/acme/sessions/k/messages/list", "{}");
    expect(fieldText(listed.text, "metadata")).toBe('{"2":{"1":1.0,"z":0},"b":3,"10":[1]}');
    const peer = await send("POST", "/v3/workspaces/acme/peers", '{"id": "keyed", "metadata": {"10": 1, "b": 2, "9": 3}}');
    expect(peer.status).toBe(201);
    const peers = await send("POST", "/v3/workspaces/acme/peers/list", '{"filters": {"id": "keyed"}}');
    expect(fieldText(peers.text, "metadata")).toBe('{"9":3,"b":2,"10":1}');
  });
});
