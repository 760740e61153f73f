// PostgreSQL unreachable: every RPC on every protocol and every REST route,
// called once, answers UNAVAILABLE / 503 and the process stays up; once
// PostgreSQL is back every one of them works again, and a new WatchMessages
// stream is told of a commit by LISTEN (sooner than its 5 s poll).
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { postMessages, rpcProtocols } from "../support/clients.js";
import { honchoServices, missingSamples, restCalls, rpcName, SAMPLES } from "../support/every-route.js";
import { startPgProxy, type PgProxy } from "../support/pg-proxy.js";
import { startService, type ServiceProcess } from "../support/service-process.js";

const WS = "down";
let db: TestDb;
let proxy: PgProxy;
let svc: ServiceProcess;
let services: DescService[];

beforeAll(async () => {
  services = await honchoServices();
  db = await createTestDatabase();
  proxy = await startPgProxy(db.url);
  svc = await startService({ DATABASE_URL: proxy.url, LOG_LEVEL: "warn", DB_STATEMENT_TIMEOUT_MS: "3000" });
});
afterAll(async () => {
  svc?.child.kill("SIGTERM");
  await svc?.exited;
  await proxy?.close();
  await db?.drop();
});

type Outcome = { ok: true } | { ok: false; code: Code | number; message: string };

// One call of one RPC: a unary answer, or a stream's first message (or its end).
async function callRpc(transport: string, service: DescService, method: DescMethod): Promise<Outcome> {
  const client = createClient(service, rpcProtocols[transport]!(svc.url)) as unknown as Record<string, (req: unknown, o: object) => unknown>;
  const req = SAMPLES[rpcName(service, method)]!(WS);
  const abort = new AbortController();
  try {
    if (method.methodKind === "unary") await client[method.localName]!(req, { signal: abort.signal, timeoutMs: 10_000 });
    else if (method.methodKind === "server_streaming") {
      const stream = client[method.localName]!(req, { signal: abort.signal, timeoutMs: 10_000 }) as AsyncIterable<unknown>;
      // a healthy stream that has nothing to say yet stays open: that is an answer too
      const quiet = new Promise<"quiet">((r) => setTimeout(() => r("quiet"), 1_000));
      const first = (async () => {
        for await (const _ of stream) return "message";
        return "ended";
      })();
      await Promise.race([first, quiet]);
      abort.abort();
      await first.catch(() => {});
    } else if (method.methodKind === "client_streaming") {
      await client[method.localName]!((async function* () { yield req; })(), { signal: abort.signal, timeoutMs: 10_000 });
    } else throw new Error(`${method.methodKind} methods need a way to be called here`);
    return { ok: true };
  } catch (err) {
    if (abort.signal.aborted) return { ok: true };
    const e = ConnectError.from(err);
    return { ok: false, code: e.code, message: e.rawMessage };
  }
}

function everyRpc(): [string, DescService, DescMethod][] {
  return services.flatMap((s) => s.methods.flatMap((m) => Object.keys(rpcProtocols).map((p) => [p, s, m] as [string, DescService, DescMethod])));
}

async function restStatuses(): Promise<{ call: string; status: number }[]> {
  const out: { call: string; status: number }[] = [];
  for (const c of restCalls(services, WS)) {
    const res = await fetch(`${svc.url}${c.path}`, { method: c.verb, headers: c.body === undefined ? {} : { "content-type": c.contentType ?? "application/json" }, body: c.body });
    await res.arrayBuffer();
    out.push({ call: `${c.verb} ${c.route.template}`, status: res.status });
  }
  return out;
}

describe("PostgreSQL unreachable, then back", () => {
  it("has a valid request for every RPC", () => {
    expect(missingSamples(services)).toEqual([]);
    expect(everyRpc().length).toBeGreaterThanOrEqual(10 * 5);
  });

  it("answers every RPC on every protocol and every REST route with UNAVAILABLE / 503, and stays up", async () => {
    await proxy.cut();
    const rpcs: string[] = [];
    for (const [transport, service, method] of everyRpc()) {
      const out = await callRpc(transport, service, method);
      rpcs.push(`${rpcName(service, method)} over ${transport}: ${out.ok ? "ok" : Code[out.code]}`);
    }
    expect(rpcs.filter((r) => !r.endsWith(": Unavailable"))).toEqual([]);
    const rest = await restStatuses();
    expect(rest.length).toBeGreaterThanOrEqual(7);
    expect(rest.filter((r) => r.status !== 503)).toEqual([]);
    await new Promise((r) => setTimeout(r, 500)); // time for a crash to show
    expect(svc.child.exitCode).toBeNull();
  });

  it("serves every one of them again once PostgreSQL is back", async () => {
    await proxy.restore();
    for (let i = 0; i < 100 && (await fetch(`${svc.url}/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    // the sample session exists, so reads and writes have something to work on
    expect((await postMessages(svc.url, WS, "s", { messages: [{ content: "back", peer_id: "alice" }] })).status).toBe(201);
    const failed: string[] = [];
    for (const [transport, service, method] of everyRpc()) {
      const out = await callRpc(transport, service, method);
      // a domain answer (the sample message id is unknown: NOT_FOUND) is working too
      if (!out.ok && (out.code === Code.Unavailable || out.code === Code.Internal || out.code === Code.Unknown)) failed.push(`${rpcName(service, method)} over ${transport}: ${Code[out.code]} ${out.message}`);
    }
    expect(failed).toEqual([]);
    expect((await restStatuses()).filter((r) => r.status >= 500)).toEqual([]);
    expect(svc.child.exitCode).toBeNull();
  });

  it("tells a new stream of a commit by LISTEN again, well before its 5 s poll", async () => {
    const watch: Client<typeof WatchService> = createClient(WatchService, rpcProtocols["grpc (h2c)"]!(svc.url));
    const [row] = await db.sql<{ n: string }[]>`SELECT count(*)::text AS n FROM messages WHERE workspace_name = ${WS} AND session_name = 's'`;
    const abort = new AbortController();
    const next = (async () => {
      for await (const m of watch.watchMessages({ workspaceId: WS, sessionId: "s", afterSeq: BigInt(row!.n) }, { signal: abort.signal })) return { content: m.message!.content, at: Date.now() };
      return undefined;
    })();
    await new Promise((r) => setTimeout(r, 1_000)); // the stream has read and waits
    const sent = Date.now();
    expect((await postMessages(svc.url, WS, "s", { messages: [{ content: "told", peer_id: "alice" }] })).status).toBe(201);
    const got = await next;
    abort.abort();
    expect(got?.content).toBe("told");
    expect(got!.at - sent).toBeLessThan(2_000);
  });
});
