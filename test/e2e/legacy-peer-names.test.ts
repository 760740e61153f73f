// Peers that exist under a name Honcho's pattern no longer admits (its
// legacy names, "alice.smith"; peers in the scope namespace, "scope.x"):
// written to and read like any other peer where Honcho's crud takes an
// existing one (a message's author, an upload's peer, the peer in a path),
// a real scope refused where it may not stand; a name that is no peer still
// gets pydantic's refusal, as the conformance file has it.
import { ConnectError, createClient } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { useTestApp } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";
import { postUpload, uploadForm } from "../support/multipart.js";
import { rest } from "../support/rest.js";

const t = useTestApp();
const WS = "legacy";
const LEGACY = "alice.smith";
const SQUATTER = "scope.sq"; // in the scope namespace, without the scope flag
const SCOPE = "scope.real";
const pattern = (loc: (string | number)[], input: string) => ({
  type: "string_pattern_mismatch", loc, msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input, ctx: { pattern: "^[a-zA-Z0-9_-]+$" },
});

beforeAll(async () => {
  expect((await rest(t.app.url, "POST", "/v3/workspaces", { id: WS })).status).toBe(201);
  // as Honcho's older versions and its scopes facade left them
  await t.db.sql`
    INSERT INTO peers (id, name, workspace_name, internal_metadata) VALUES
      ('legacy-peer-000000001', ${LEGACY}, ${WS}, '{}'),
      ('legacy-peer-000000002', ${SQUATTER}, ${WS}, '{}'),
      ('legacy-peer-000000003', ${SCOPE}, ${WS}, '{"kind": "scope"}')`;
});

describe("peers under names the pattern no longer admits", () => {
  it("author messages, alone or beside ordinary peers, and join the session", async () => {
    const r = await postMessages(t.app.url, WS, "s1", { messages: [{ content: "hi", peer_id: LEGACY }, { content: "yo", peer_id: SQUATTER }, { content: "hey", peer_id: "bob" }] });
    expect(r.status, r.text).toBe(201);
    expect((r.json as { peer_id: string }[]).map((m) => m.peer_id)).toEqual([LEGACY, SQUATTER, "bob"]);
    const rows = await t.db.sql`SELECT peer_name FROM session_peers WHERE workspace_name = ${WS} AND session_name = 's1' ORDER BY peer_name`;
    expect(rows.map((x) => x.peer_name)).toEqual([LEGACY, "bob", SQUATTER]);
  });

  it("a name that is no peer keeps pydantic's refusal, alone or beside one that is", async () => {
    let r = await postMessages(t.app.url, WS, "s1", { messages: [{ content: "hi", peer_id: "bad name" }] });
    expect(r.status).toBe(422);
    expect(r.json).toEqual({ detail: [pattern(["body", "messages", 0, "peer_id"], "bad name")] });
    r = await postMessages(t.app.url, WS, "s1", { messages: [{ content: "a", peer_id: LEGACY }, { content: "b", peer_id: "new.name" }] });
    expect(r.json).toEqual({ detail: [pattern(["body", "messages", 1, "peer_id"], "new.name")] });
    // in another workspace the legacy peer does not exist
    r = await postMessages(t.app.url, "elsewhere", "s1", { messages: [{ content: "hi", peer_id: LEGACY }] });
    expect(r.json).toEqual({ detail: [pattern(["body", "messages", 0, "peer_id"], LEGACY)] });
    const stored = await t.db.sql`SELECT count(*)::int AS n FROM messages WHERE content IN ('a', 'b')`;
    expect(stored[0]!.n).toBe(0);
  });

  it("a scope authors nothing", async () => {
    const r = await postMessages(t.app.url, WS, "s2", { messages: [{ content: "hi", peer_id: LEGACY }, { content: "x", peer_id: SCOPE }] });
    expect(r.status).toBe(422);
    expect(r.json).toEqual({ detail: "Peer name(s) ['scope.real'] are scopes. Scope peers cannot author messages." });
    expect(await t.db.sql`SELECT 1 FROM sessions WHERE workspace_name = ${WS} AND name = 's2'`).toHaveLength(0);
  });

  it("upload files, a scope refused", async () => {
    let r = await postUpload(t.app.url, WS, "s3", uploadForm({ data: "a file", type: "text/plain" }, { peer_id: LEGACY }));
    expect(r.status).toBe(201);
    expect(r.json[0].peer_id).toBe(LEGACY);
    r = await postUpload(t.app.url, WS, "s3", uploadForm({ data: "a file", type: "text/plain" }, { peer_id: SCOPE }));
    expect(r).toEqual({ status: 422, json: { detail: "Peer name(s) ['scope.real'] are scopes. Scope peers cannot author messages." } });
    r = await postUpload(t.app.url, WS, "s3", uploadForm({ data: "a file", type: "text/plain" }, { peer_id: "no.such" }));
    expect(r).toEqual({ status: 422, json: { detail: [pattern(["body", "peer_id"], "no.such")] } });
  });

  it("are updated by PUT, a scope refused", async () => {
    let r = await rest(t.app.url, "PUT", `/v3/workspaces/${WS}/peers/${LEGACY}`, { metadata: { k: "v" } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: LEGACY, metadata: { k: "v" } });
    r = await rest(t.app.url, "PUT", `/v3/workspaces/${WS}/peers/${SQUATTER}`, { metadata: { k: "v" } });
    expect(r.status).toBe(200);
    r = await rest(t.app.url, "PUT", `/v3/workspaces/${WS}/peers/${SCOPE}`, { metadata: { k: "v" } });
    expect(r.json).toEqual({ detail: "Peer 'scope.real' is a scope. Use the scopes routes to manage scopes." });
    expect(r.status).toBe(422);
    r = await rest(t.app.url, "PUT", `/v3/workspaces/${WS}/peers/not.yet`, { metadata: {} });
    expect(r).toMatchObject({ status: 422, json: { detail: [pattern(["path", "peer_id"], "not.yet")] } });
  });

  it("hold peer cards, a scope's own included", async () => {
    for (const peer of [LEGACY, SCOPE]) {
      const set = await rest(t.app.url, "PUT", `/v3/workspaces/${WS}/peers/${peer}/card?target=bob`, { peer_card: ["likes tea"] });
      expect(set.status, set.text).toBe(200);
      const got = await rest(t.app.url, "GET", `/v3/workspaces/${WS}/peers/${peer}/card?target=bob`);
      expect(got.json).toEqual({ peer_card: ["likes tea"] });
    }
  });

  it.each(Object.entries(rpcProtocols))("are the same over %s", async (_name, transport) => {
    const client = createClient(MessageService, transport(t.app.url));
    const res = await client.createMessages({ workspaceId: WS, sessionId: "s4", messages: [{ content: "hi", peerId: LEGACY }] });
    expect(res.messages.map((m) => m.peerId)).toEqual([LEGACY]);
    const refused = await client.createMessages({ workspaceId: WS, sessionId: "s4", messages: [{ content: "hi", peerId: SCOPE }] }).catch((e: unknown) => e);
    expect(ConnectError.from(refused).rawMessage).toBe("Peer name(s) ['scope.real'] are scopes. Scope peers cannot author messages.");
  });
});
