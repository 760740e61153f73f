// A row another writer stored with a created_at outside the years 1 to 9999
// (PostgreSQL holds such instants; Honcho itself answers 500 reading them):
// the service answers it on every protocol, in ISO 8601's extended years
// where JSON must spell it, instead of failing the call (REST answered 500,
// and a Connect call never got an answer).
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { useTestApp } from "../support/app.js";

const t = useTestApp();

describe("a stored created_at outside the years 1 to 9999", () => {
  it("is answered over REST, Connect JSON and gRPC", async () => {
    const res = await fetch(`${t.app.url}/v3/workspaces/edge/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "s", peers: { a: {} } }) });
    expect(res.status).toBe(201);
    await t.db.sql`
      INSERT INTO messages (public_id, session_name, peer_name, workspace_name, content, token_count, seq_in_session, created_at)
      VALUES ('earlyearlyearlyearly1', 's', 'a', 'edge', 'early', 1, 1, '0001-01-01 00:00:00+05'),
             ('latelatelatelatelate1', 's', 'a', 'edge', 'late', 1, 2, '10000-01-01 04:59:59.5+00')`;

    const rest = await fetch(`${t.app.url}/v3/workspaces/edge/sessions/s/messages/list`, { method: "POST" });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { items: { created_at: string }[] }).items.map((m) => m.created_at)).toEqual(["0000-12-31T19:00:00Z", "+010000-01-01T04:59:59.500000Z"]);

    const connect = await fetch(`${t.app.url}/honcho.v3.MessageService/ListMessages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workspaceId: "edge", sessionId: "s" }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(connect.status).toBe(200);
    expect(((await connect.json()) as { items: { createdAt: string }[] }).items.map((m) => m.createdAt)).toEqual(["0000-12-31T19:00:00Z", "+010000-01-01T04:59:59.500Z"]);

    const grpc = await createClient(MessageService, createGrpcTransport({ baseUrl: t.app.url })).listMessages({ workspaceId: "edge", sessionId: "s" });
    expect(grpc.items.map((m) => [m.createdAt?.seconds, m.createdAt?.nanos])).toEqual([
      [-62135614800n, 0],
      [253402318799n, 500_000_000],
    ]);
  });
});
