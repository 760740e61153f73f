// The same random sequence of calls over REST and over gRPC or the Connect
// protocol, each in a workspace of its own: every call must be answered
// alike. The RPC's request is written as a gRPC client writes it from the
// REST call (google.api.http: the path's fields, the body at the rule's
// `body`, the query's), so the handler validates it from the protobuf
// message (valueOf) where REST validated the JSON. Compared as parsed JSON, with each side's
// workspace, generated ids and timestamps of now named alike; what protobuf
// cannot carry is kept out of the calls (numbers past 2^53, naive or offset
// created_at, absent bodies, values of another type: test/honcho-diff,
// rpc-proxy.ts, has those).
import { toJson, type DescMethod, type DescService, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import { HTTPValidationErrorSchema, MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { PeerService, SessionService, WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import { SessionPeerService } from "../../gen/honcho/v3/session_peers_pb.js";
import { jsonWriterFor } from "../../src/contract/json-writer.js";
import { withNulls } from "../../src/contract/nullable-json.js";
import { routesOf, type HttpRoute } from "../../src/transport/http-rule.js";
import { useTestApp } from "../support/app.js";
import { rest } from "../support/rest.js";
import { transcodedRequest } from "../support/transcode.js";

const t = useTestApp();
const SERVICES: DescService[] = [WorkspaceService, PeerService, SessionService, SessionPeerService, MessageService];
const ROUTES = SERVICES.flatMap((service) => service.methods.flatMap((method) => routesOf(method).map((route) => ({ service, method, route }))));
const STATUS: Partial<Record<Code, number>> = { [Code.InvalidArgument]: 422, [Code.NotFound]: 404, [Code.AlreadyExists]: 409 };

// A small seeded generator (mulberry32): the same sequence on every run.
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}
type Rng = ReturnType<typeof random>;

const PEERS = ["p0", "p1", "Peer_2", "p-3", "bad name"];
const SESSIONS = ["a", "b", "c d"];
const KEYS = ["k", "n", "deep", "ünï", ""];
const value = (r: Rng, depth = 0): JsonValue => {
  const c = r.int(depth < 2 ? 7 : 5);
  if (c === 0) return r.pick([0, 1, -7, 42, 2 ** 40]);
  if (c === 1) return r.pick([0.5, -1.25, 1e-7, 123456.789]);
  if (c === 2) return r.pick(["", "v", "é", "日本"]);
  if (c === 3) return r.pick([true, false]);
  if (c === 4) return null;
  if (c === 5) return Array.from({ length: r.int(3) }, () => value(r, depth + 1));
  return metadata(r, depth + 1);
};
const metadata = (r: Rng, depth = 0): JsonObject => Object.fromEntries(Array.from({ length: r.int(3) }, () => [r.pick(KEYS), value(r, depth + 1)]));
const filters = (r: Rng): JsonObject =>
  r.pick<() => JsonObject>([
    () => ({ metadata: metadata(r, 1) }),
    () => ({ metadata: { [r.pick(KEYS)]: { [r.pick(["gt", "lte", "ne"])]: r.pick([0, 1, "v"]) } } }),
    () => ({ created_at: { gte: "2020-01-02T03:04:05Z" } }),
    () => ({ OR: [{ metadata: { k: "v" } } as JsonObject, { metadata: { n: 1 } }] }),
  ])();

type Step = { verb: string; path: string; query?: Record<string, string>; body?: JsonValue };

function step(r: Rng): Step {
  const s = r.pick(SESSIONS);
  const p = r.pick(PEERS);
  const enc = encodeURIComponent;
  const maybe = <T>(v: () => T) => (r.next() < 0.5 ? v() : undefined);
  const update = () => JSON.parse(JSON.stringify({ metadata: maybe(() => metadata(r)), configuration: maybe(() => r.pick([{}, { reasoning: { enabled: false } }, { summary: { enabled: true } }])) })) as JsonObject;
  const page = (): Record<string, string> => (r.next() < 0.3 ? { page: String(1 + r.int(2)), size: String(1 + r.int(3)) } : {});
  switch (r.int(14)) {
    case 0: return { verb: "PUT", path: "", body: update() };
    case 1: return { verb: "POST", path: "/peers", body: { id: p, ...(maybe(() => ({ metadata: metadata(r) })) ?? {}) } };
    case 2: return { verb: "PUT", path: `/peers/${enc(p)}`, body: update() };
    case 3: return { verb: "POST", path: "/peers/list", query: page(), body: maybe(() => ({ filters: filters(r) })) ?? {} };
    case 4: return { verb: "POST", path: "/sessions", body: { id: s, ...(maybe(() => ({ peers: { [p]: {}, p0: { observe_others: true } } as JsonObject })) ?? {}), ...(maybe(() => ({ metadata: metadata(r) })) ?? {}) } };
    case 5: return { verb: "PUT", path: `/sessions/${enc(s)}`, body: update() };
    case 6: return { verb: "POST", path: "/sessions/list", query: page(), body: maybe(() => ({ filters: filters(r) })) ?? {} };
    case 7: return { verb: "POST", path: `/sessions/${enc(s)}/peers`, body: { [p]: r.pick<JsonObject>([{}, { observe_me: false }]) } };
    case 8: return { verb: "DELETE", path: `/sessions/${enc(s)}/peers`, body: [p] };
    case 9: return { verb: "GET", path: `/sessions/${enc(s)}/peers`, query: page() };
    case 10: return { verb: "POST", path: `/sessions/${enc(s)}/messages`, body: { messages: Array.from({ length: 1 + r.int(3) }, () => ({ content: r.pick(["hi", "", "déjà vu", "x".repeat(30)]), peer_id: r.pick(PEERS), ...(maybe(() => ({ metadata: metadata(r) })) ?? {}), ...(r.next() < 0.2 ? { created_at: "2021-06-07T08:09:10.123456Z" } : {}) })) } };
    case 11: return { verb: "POST", path: `/sessions/${enc(s)}/messages/list`, query: page(), body: maybe(() => ({ filters: filters(r) })) ?? {} };
    case 12: return { verb: "GET", path: `/sessions/${enc(s)}/summaries` };
    default: return { verb: "GET", path: `/sessions/${enc(s)}/peers/${enc(p)}/config` };
  }
}

// Each side's answers with its workspace, generated ids and timestamps of now named alike.
function normaliser(workspace: string, startedAt: number) {
  const ids = new Map<string, string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (v.includes(workspace)) return v.split(workspace).join("<ws>");
      if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && Date.parse(v) >= startedAt - 1000) return "<now>";
      if (/^[A-Za-z0-9_-]{21}$/.test(v)) return ids.get(v) ?? (ids.set(v, `<id${ids.size}>`), ids.get(v));
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk;
}

// The REST call as a gRPC client writes it; undefined when protobuf JSON cannot hold it.
function transcoded(step: Step, workspace: string): { service: DescService; method: DescMethod; route: HttpRoute; request: Message } | undefined {
  const path = `/v3/workspaces/${workspace}${step.path}`;
  const hit = ROUTES.find((x) => x.route.verb === step.verb && x.route.match(path));
  if (!hit) throw new Error(`no route for ${step.verb} ${path}`);
  const request = transcodedRequest(hit.method, hit.route.body, hit.route.match(path)!, step.body, step.query ?? {});
  return request && { ...hit, request };
}

async function overRest(step: Step, workspace: string) {
  const query = step.query && Object.keys(step.query).length ? `?${new URLSearchParams(step.query)}` : "";
  const r = await rest(t.app.url, step.verb, `/v3/workspaces/${workspace}${step.path}${query}`, step.body);
  return { status: r.status, body: r.json };
}

async function overRpc(call: NonNullable<ReturnType<typeof transcoded>>, transport: Transport) {
  const client = createClient(call.service, transport) as unknown as Record<string, (m: Message) => Promise<Message>>;
  try {
    const answer = await client[call.method.localName]!(call.request);
    const json = withNulls(call.method.output, jsonWriterFor(call.method.output))(answer) as JsonObject;
    const status = call.route.createdField && json[call.route.createdField] === true ? 201 : call.route.successStatus;
    if (status === 204) return { status, body: undefined };
    return { status, body: call.route.responseBody ? (json[call.route.responseBody] ?? []) : json };
  } catch (err) {
    const e = ConnectError.from(err);
    const [detail] = e.findDetails(HTTPValidationErrorSchema);
    return { status: STATUS[e.code] ?? 500, body: { detail: detail ? (toJson(HTTPValidationErrorSchema, detail) as { detail: unknown }).detail : e.rawMessage } };
  }
}

const PROTOCOLS: [string, (baseUrl: string) => Transport][] = [
  ["connect", (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["grpc", (baseUrl) => createGrpcTransport({ baseUrl })],
];

describe.each(PROTOCOLS)("REST and %s, call for call", (protocol, transportOf) => {
  it.each([1, 2, 3])("answer seed %i's 120 calls alike", async (seed) => {
    const r = random(seed);
    const startedAt = Date.now();
    const transport = transportOf(t.app.url);
    const sides = { rest: `parity-rest-${protocol}-${seed}`, rpc: `parity-${protocol}-${seed}` };
    const norm = { rest: normaliser(sides.rest, startedAt), rpc: normaliser(sides.rpc, startedAt) };
    let compared = 0;
    // the peers one at a time first: peers made in one statement share a
    // created_at, and a list ordered by it alone has no order among them
    for (const ws of Object.values(sides)) {
      for (const id of PEERS.slice(0, 4)) expect((await rest(t.app.url, "POST", `/v3/workspaces/${ws}/peers`, { id })).status).toBe(201);
    }
    for (let i = 0; i < 120; i++) {
      const s = step(r);
      const call = transcoded(s, sides.rpc);
      if (!call) continue;
      const a = await overRest(s, sides.rest);
      const b = await overRpc(call, transport);
      expect({ status: b.status, body: norm.rpc(b.body) }, `#${i} ${s.verb} ${s.path} ${JSON.stringify(s.body)}`).toEqual({ status: a.status, body: norm.rest(a.body) });
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
