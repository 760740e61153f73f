// The short paths for plain unary calls (grpc-unary.ts, connect-unary.ts)
// answer after the method ran; when writing the answer fails, the client
// hears Code.Internal in its protocol at once. (It heard nothing before: the
// failure was only logged and the call hung until the client gave up.)
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createContextValues } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetOrCreateWorkspaceResponseSchema, WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import { connectAdapter } from "../../src/transport/connect-adapter.js";
import { createDualServer, type DualServer } from "../../src/transport/server.js";
import type { UnaryRoute } from "../../src/transport/unary-call.js";

const method = WorkspaceService.method.getOrCreateWorkspace;
const answer = async () => create(GetOrCreateWorkspaceResponseSchema, { created: true });
const unwritable = () => {
  throw new Error("this answer cannot be written");
};
let server: DualServer;
let url: string;
const logged: string[] = [];

beforeAll(async () => {
  const route: UnaryRoute = { method, impl: answer, write: unwritable, writeJson: unwritable };
  const handle = connectAdapter(
    {
      routes: (router) => router.service(WorkspaceService, { getOrCreateWorkspace: answer }),
      unary: new Map([[`/${WorkspaceService.typeName}/${method.name}`, route]]),
      fallback: (_req, res) => void res.writeHead(404).end(),
      contextValues: () => createContextValues(),
    },
    pino({ level: "error" }, { write: (s: string) => void logged.push(s) }),
  );
  // the service's own server: HTTP/1.1 and h2c on one port
  server = createDualServer(handle, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 30_000 });
  url = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
});
afterAll(async () => {
  await server?.close(1_000);
});

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);

describe("an answer the short path cannot write", () => {
  it.each([
    ["gRPC (h2c)", () => createGrpcTransport({ baseUrl: url })],
    ["Connect JSON (HTTP/1.1)", () => createConnectTransport({ baseUrl: url, httpVersion: "1.1" })],
    ["Connect binary (h2c)", () => createConnectTransport({ baseUrl: url, httpVersion: "2", useBinaryFormat: true })],
  ])("is an internal error over %s, at once", async (_name, transport) => {
    const err = await within(
      createClient(WorkspaceService, transport()).getOrCreateWorkspace({ id: "w" }).then(() => undefined, (e: unknown) => ConnectError.from(e)),
      5_000,
    );
    expect([err?.code, err?.rawMessage]).toEqual([Code.Internal, "internal error"]);
    expect(logged.some((l) => l.includes("this answer cannot be written"))).toBe(true);
  });
});
