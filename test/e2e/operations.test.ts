// Operating the service: gRPC reflection through the real buf binary, gRPC
// health (Check, Watch) and HTTP /health and /ready following the database,
// and 503 / UNAVAILABLE while PostgreSQL cannot be reached.
import { execFile } from "node:child_process";
import path from "node:path";
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { startPgProxy, type PgProxy } from "../support/pg-proxy.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let db: TestDb;
let proxy: PgProxy;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await startPgProxy(db.url);
  app = await startTestApp(proxy.url);
});
afterAll(async () => {
  await app?.stop();
  await proxy?.close();
  await db?.drop();
});

function buf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(path.join(ROOT, "node_modules/.bin/buf"), args, { cwd: "/" }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe("gRPC reflection", () => {
  it("lets buf list the methods with no schema", async () => {
    const out = await buf(["curl", "--list-methods", "--http2-prior-knowledge", app.url]);
    expect(out.trim().split("\n").sort()).toEqual([
      "grpc.health.v1.Health/Check",
      "grpc.health.v1.Health/Watch",
      "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      "honcho.v3.MessageService/CreateMessages",
      "honcho.v3.MessageService/GetMessage",
      "honcho.v3.MessageService/ImportMessages",
      "honcho.v3.MessageService/ListMessages",
      "honcho.v3.MessageService/UpdateMessage",
      "honcho.v3.MessageService/UploadMessages",
      "honcho.v3.PeerService/GetOrCreatePeer",
      "honcho.v3.PeerService/GetPeerCard",
      "honcho.v3.PeerService/ListPeerSessions",
      "honcho.v3.PeerService/ListPeers",
      "honcho.v3.PeerService/SetPeerCard",
      "honcho.v3.PeerService/UpdatePeer",
      "honcho.v3.QueueService/AckWork",
      "honcho.v3.QueueService/ClaimWork",
      "honcho.v3.SessionPeerService/AddSessionPeers",
      "honcho.v3.SessionPeerService/GetSessionPeerConfig",
      "honcho.v3.SessionPeerService/ListSessionPeers",
      "honcho.v3.SessionPeerService/RemoveSessionPeers",
      "honcho.v3.SessionPeerService/SetSessionPeerConfig",
      "honcho.v3.SessionPeerService/SetSessionPeers",
      "honcho.v3.SessionService/CloneSession",
      "honcho.v3.SessionService/DeleteSession",
      "honcho.v3.SessionService/GetOrCreateSession",
      "honcho.v3.SessionService/GetSessionSummaries",
      "honcho.v3.SessionService/ListSessions",
      "honcho.v3.SessionService/UpdateSession",
      "honcho.v3.WatchService/WatchMessages",
      "honcho.v3.WorkspaceService/DeleteWorkspace",
      "honcho.v3.WorkspaceService/GetOrCreateWorkspace",
      "honcho.v3.WorkspaceService/GetQueueStatus",
      "honcho.v3.WorkspaceService/ListWorkspaces",
      "honcho.v3.WorkspaceService/UpdateWorkspace",
    ]);
  });

  it.each([["v1"], ["v1alpha"]])("lets buf call CreateMessages with no schema (reflection %s)", async (version) => {
    const out = await buf([
      "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-protocol", `grpc-${version}`,
      `${app.url}/honcho.v3.MessageService/CreateMessages`,
      "-d", JSON.stringify({ workspace_id: "ops", session_id: `reflect-${version}`, messages: [{ content: "via reflection", peer_id: "op" }] }),
    ]);
    expect(JSON.parse(out).messages[0]).toMatchObject({ content: "via reflection", peerId: "op", sessionId: `reflect-${version}` });
  });
});

describe("health and outages", () => {
  it("follows the database: SERVING, then NOT_SERVING and 503s while it is cut off, then back", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: app.url }));
    expect((await health.check({})).status).toBe(Status.SERVING);
    expect((await health.check({ service: "honcho.v3.MessageService" })).status).toBe(Status.SERVING);
    await expect(health.check({ service: "nope.Service" })).rejects.toMatchObject({ code: Code.NotFound });
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/ready`)).json()).toEqual({ status: "ready" });

    const watch = health.watch({})[Symbol.asyncIterator]();
    expect((await watch.next()).value.status).toBe(Status.SERVING);

    await proxy.cut();
    try {
      const started = Date.now();
      const rest = await postMessages(app.url, "ops", "outage", { messages: [{ content: "x", peer_id: "a" }] });
      expect(rest.status).toBe(503);
      expect((rest.json as { detail: string }).detail).toMatch(/database/i);
      const rpc = await messageClient(rpcProtocols["grpc (h2c)"]!(app.url))
        .createMessages({ workspaceId: "ops", sessionId: "outage", messages: [{ content: "x", peerId: "a" }] })
        .catch((e: unknown) => e);
      expect(rpc).toBeInstanceOf(ConnectError);
      expect((rpc as ConnectError).code).toBe(Code.Unavailable);
      expect(Date.now() - started).toBeLessThan(10_000); // fails fast, no hang
      expect((await watch.next()).value.status).toBe(Status.NOT_SERVING);
      expect((await health.check({})).status).toBe(Status.NOT_SERVING);
      expect((await fetch(`${app.url}/ready`)).status).toBe(503);
      expect((await fetch(`${app.url}/health`)).status).toBe(200); // alive, just not ready
    } finally {
      await proxy.restore();
    }
    expect((await watch.next()).value.status).toBe(Status.SERVING);
    await watch.return?.();
    const again = await postMessages(app.url, "ops", "outage", { messages: [{ content: "back", peer_id: "a" }] });
    expect(again.status).toBe(201);
  });
});

describe("logs and metrics", () => {
  it("writes one access line per request with its request id, and counts requests, messages and tokens", async () => {
    const mem = memoryLogger();
    const observed = await startTestApp(db.url, {}, mem.log);
    try {
      const rest = await postMessages(observed.url, "obs", "s", { messages: [{ content: "Hello, world!", peer_id: "a" }] }, { headers: { "content-type": "application/json", "x-request-id": "req-rest-1" } });
      expect(rest.status).toBe(201);
      expect(rest.headers.get("x-request-id")).toBe("req-rest-1");
      await messageClient(rpcProtocols["grpc (h2c)"]!(observed.url)).createMessages(
        { workspaceId: "obs", sessionId: "s", messages: [{ content: "hi", peerId: "a" }] },
        { headers: { "x-request-id": "req-grpc-1" } },
      );
      const bad = await postMessages(observed.url, "obs", "s", { messages: [] });
      expect(bad.status).toBe(422);
      expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

      const access = mem.lines().filter((l) => l.msg === "access");
      expect(access.find((l) => l.requestId === "req-rest-1")).toMatchObject({
        protocol: "rest", procedure: "POST /v3/workspaces/{workspace_id}/sessions/{session_id}/messages", code: "201", status: 201,
      });
      expect(access.find((l) => l.requestId === "req-grpc-1")).toMatchObject({ protocol: "grpc", procedure: "honcho.v3.MessageService/CreateMessages", code: "ok" });
      expect(access.find((l) => l.requestId === bad.headers.get("x-request-id"))).toMatchObject({ code: "422" });
      for (const line of access) expect(typeof line.ms).toBe("number");

      const metrics = await (await fetch(`${observed.url}/metrics`)).text();
      expect(metrics).toContain('honcho_requests_total{protocol="rest",procedure="POST /v3/workspaces/{workspace_id}/sessions/{session_id}/messages",code="201"} 1');
      expect(metrics).toContain('honcho_requests_total{protocol="grpc",procedure="honcho.v3.MessageService/CreateMessages",code="ok"} 1');
      expect(metrics).toMatch(/honcho_request_duration_seconds_bucket\{le="\+Inf",protocol="grpc",procedure="honcho\.v3\.MessageService\/CreateMessages",code="ok"\} 1/);
      expect(metrics).toContain("honcho_messages_ingested_total 2");
      expect(metrics).toContain("honcho_tokens_ingested_total 5"); // 4 + 1
      expect(metrics).toMatch(/honcho_db_pool_in_use \d+/);
      // group commit: two requests, each its own statement here (one after the other)
      expect(metrics).toContain("honcho_write_statements_total 2");
      expect(metrics).toContain("honcho_write_batches_total 2");
      // where the writes' time went: the two statements took some; a request
      // written alone waited for no slot
      expect(Number(/^honcho_write_statement_seconds_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      const waited = Number(/^honcho_write_wait_seconds_total (\S+)$/m.exec(metrics)?.[1]);
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(waited).toBeLessThan(0.05);
      expect(metrics).toMatch(/process_resident_memory_bytes \d+/);
    } finally {
      await observed.stop();
    }
  });
});
