// The browser side of test/e2e/cors-browser.test.ts: a web app on another
// origin calling the service with @connectrpc/connect-web (Connect and
// gRPC-Web) and with plain fetch (REST), credentials included. The test
// bundles it with esbuild and serves it from a second local HTTP server, so
// every call here is cross-origin and goes through the browser's CORS checks.
// It runs in Chromium, not Node: no DOM typings in this project, so the few
// DOM calls it makes are typed by hand.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { MessageService } from "../../../gen/honcho/v3/messages_pb.js";

/** What one protocol did, as the page saw it. */
export interface Outcome {
  created?: string[];
  listed?: string[];
  /** the refused call's error, as the client reports it */
  invalid?: { code: string; message: string; details: string[] };
  /** response headers the page can read (safelisted or exposed) */
  visibleHeaders?: string[];
  requestId?: string | null;
  /** a call that failed outright (the browser refused it, or the network) */
  failed?: string;
}

const withCredentials: typeof fetch = (input, init) => fetch(input, { ...init, credentials: "include" });

async function overRpc(transport: Transport, workspaceId: string, sessionId: string, content: string): Promise<Outcome> {
  const client = createClient(MessageService, transport);
  try {
    const created = await client.createMessages({ workspaceId, sessionId, messages: [{ content, peerId: "alice", metadata: { via: content } }] });
    const listed = await client.listMessages({ workspaceId, sessionId });
    const out: Outcome = { created: created.messages.map((m) => m.content), listed: listed.items.map((m) => m.content) };
    try {
      await client.createMessages({ workspaceId, sessionId, messages: [] });
    } catch (e) {
      const err = ConnectError.from(e);
      out.invalid = { code: Code[err.code], message: err.rawMessage, details: err.details.map((d) => ("desc" in d ? d.desc.typeName : d.type)) };
    }
    return out;
  } catch (e) {
    return { failed: String(e) };
  }
}

async function overRest(base: string, workspace: string, session: string, content: string): Promise<Outcome> {
  const root = `${base}/v3/workspaces/${workspace}/sessions/${session}/messages`;
  try {
    const created = await fetch(root, {
      method: "POST",
      credentials: "include",
      // a header the page sends and then reads back: its preflight asks for it
      headers: { "content-type": "application/json", "x-request-id": `rest-${content.replaceAll(" ", "-")}` },
      body: JSON.stringify({ messages: [{ content, peer_id: "alice" }] }),
    });
    if (created.status !== 201) return { failed: `create answered ${created.status}` };
    const listed = await fetch(`${root}/list`, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" });
    const invalid = await fetch(root, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [] }) });
    const detail = ((await invalid.json()) as { detail: { type: string; msg: string }[] }).detail;
    return {
      created: ((await created.json()) as { content: string }[]).map((m) => m.content),
      listed: ((await listed.json()) as { items: { content: string }[] }).items.map((m) => m.content),
      invalid: { code: String(invalid.status), message: detail[0]!.msg, details: detail.map((d) => d.type) },
      visibleHeaders: [...created.headers.keys()].sort(),
      requestId: created.headers.get("x-request-id"),
    };
  } catch (e) {
    return { failed: String(e) };
  }
}

/** A gRPC-Web call made by hand, to see which headers of its answer the page may read. */
async function grpcWebHeaders(base: string): Promise<Outcome> {
  try {
    const res = await fetch(`${base}/honcho.v3.MessageService/CreateMessages`, {
      method: "POST",
      credentials: "include",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: new Uint8Array([0, 0, 0, 0, 0]), // one empty message: no workspace, refused by validation
    });
    await res.arrayBuffer();
    return { visibleHeaders: [...res.headers.keys()].sort(), requestId: res.headers.get("x-request-id") };
  } catch (e) {
    return { failed: String(e) };
  }
}

/** A GET that needs no preflight: the service answers it, the browser decides whether the page may read it. */
async function simpleGet(base: string): Promise<Outcome> {
  try {
    const res = await fetch(`${base}/openapi.json`, { credentials: "include" });
    return { visibleHeaders: [...res.headers.keys()].sort(), created: [String(res.status)] };
  } catch (e) {
    return { failed: String(e) };
  }
}

export async function run(base: string, workspace: string, session: string): Promise<Record<string, Outcome>> {
  const results: Record<string, Outcome> = {
    connect: await overRpc(createConnectTransport({ baseUrl: base, fetch: withCredentials }), workspace, session, "via connect"),
    grpcWeb: await overRpc(createGrpcWebTransport({ baseUrl: base, fetch: withCredentials }), workspace, session, "via grpc-web"),
    rest: await overRest(base, workspace, session, "via rest"),
    grpcWebHeaders: await grpcWebHeaders(base),
    simpleGet: await simpleGet(base),
  };
  // into the page, where the test reads them back
  const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
  doc.getElementById("results")!.textContent = JSON.stringify(results);
  return results;
}

(globalThis as unknown as { corsClient: { run: typeof run } }).corsClient = { run };
