// Every RPC of the honcho.v3 services and every REST route bound to them,
// each with a valid request, for tests that must call all of them (an outage,
// say). Services are found in gen/honcho/v3, so a new RPC or route is covered
// as soon as it has a sample below; missingSamples() names any that has none.
import fs from "node:fs";
import path from "node:path";
import { create, toJson, type DescMethod, type DescService, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { routesOf, type HttpRoute } from "../../src/transport/http-rule.js";
import { formFieldsOf } from "../../src/transport/form-reader.js";

const GEN = path.resolve(import.meta.dirname, "../../gen/honcho/v3");

export async function honchoServices(): Promise<DescService[]> {
  const services: DescService[] = [];
  for (const file of fs.readdirSync(GEN).filter((f) => f.endsWith("_pb.ts"))) {
    const mod = (await import(path.join(GEN, file))) as Record<string, unknown>;
    for (const v of Object.values(mod)) if ((v as DescService)?.kind === "service") services.push(v as DescService);
  }
  return services;
}

/** A valid request per RPC ("Service/Method"), in workspace `ws`, session `s`, peer `alice`. */
export const SAMPLES: Record<string, (ws: string) => MessageInitShape<DescMethod["input"]>> = {
  "honcho.v3.MessageService/CreateMessages": (ws) => ({ workspaceId: ws, sessionId: "s", messages: [{ content: "hi", peerId: "alice" }] }),
  "honcho.v3.MessageService/GetMessage": (ws) => ({ workspaceId: ws, sessionId: "s", messageId: "AAAAAAAAAAAAAAAAAAAAA" }),
  "honcho.v3.MessageService/UpdateMessage": (ws) => ({ workspaceId: ws, sessionId: "s", messageId: "AAAAAAAAAAAAAAAAAAAAA", metadata: { a: 1 } }),
  "honcho.v3.MessageService/ListMessages": (ws) => ({ workspaceId: ws, sessionId: "s" }),
  "honcho.v3.MessageService/UploadMessages": (ws) => ({ workspaceId: ws, sessionId: "s", peerId: "alice", file: new TextEncoder().encode("hi"), filename: "hi.txt", contentType: "text/plain" }),
  // client-streaming: the sample is the stream's one request
  "honcho.v3.MessageService/ImportMessages": (ws) => ({ workspaceId: ws, sessionId: "s", importKey: "sample", messages: [{ content: "hi", peerId: "alice" }], end: true }),
  "honcho.v3.WorkspaceService/GetOrCreateWorkspace": (ws) => ({ id: ws }),
  "honcho.v3.PeerService/GetOrCreatePeer": (ws) => ({ workspaceId: ws, id: "alice" }),
  "honcho.v3.SessionService/GetOrCreateSession": (ws) => ({ workspaceId: ws, id: "s" }),
  "honcho.v3.WorkspaceService/ListWorkspaces": () => ({ size: 5 }),
  "honcho.v3.WorkspaceService/UpdateWorkspace": (ws) => ({ workspaceId: ws, metadata: { a: 1 } }),
  // deletes name what does not exist: the other samples keep their workspace and session
  "honcho.v3.WorkspaceService/DeleteWorkspace": (ws) => ({ workspaceId: `${ws}-gone` }),
  "honcho.v3.WorkspaceService/GetQueueStatus": (ws) => ({ workspaceId: ws }),
  "honcho.v3.PeerService/ListPeers": (ws) => ({ workspaceId: ws }),
  "honcho.v3.PeerService/UpdatePeer": (ws) => ({ workspaceId: ws, peerId: "alice", metadata: { a: 1 } }),
  "honcho.v3.PeerService/ListPeerSessions": (ws) => ({ workspaceId: ws, peerId: "alice" }),
  "honcho.v3.PeerService/GetPeerCard": (ws) => ({ workspaceId: ws, peerId: "alice" }),
  "honcho.v3.PeerService/SetPeerCard": (ws) => ({ workspaceId: ws, peerId: "alice", card: { peerCard: ["likes tea"] } }),
  "honcho.v3.SessionService/ListSessions": (ws) => ({ workspaceId: ws }),
  "honcho.v3.SessionService/UpdateSession": (ws) => ({ workspaceId: ws, sessionId: "s", metadata: { a: 1 } }),
  "honcho.v3.SessionService/DeleteSession": (ws) => ({ workspaceId: ws, sessionId: "gone" }),
  "honcho.v3.SessionService/CloneSession": (ws) => ({ workspaceId: ws, sessionId: "s" }),
  "honcho.v3.SessionService/GetSessionSummaries": (ws) => ({ workspaceId: ws, sessionId: "s" }),
  "honcho.v3.QueueService/ClaimWork": (ws) => ({ workspaceId: ws, consumer: "c" }),
  "honcho.v3.QueueService/AckWork": (ws) => ({ workspaceId: ws, consumer: "c", ids: [1n] }),
  "honcho.v3.WatchService/WatchMessages": (ws) => ({ workspaceId: ws, sessionId: "s" }),
  "honcho.v3.SessionPeerService/AddSessionPeers": (ws) => ({ workspaceId: ws, sessionId: "s", peers: { alice: { observeMe: true } } }),
  "honcho.v3.SessionPeerService/SetSessionPeers": (ws) => ({ workspaceId: ws, sessionId: "s", peers: { alice: {} } }),
  "honcho.v3.SessionPeerService/RemoveSessionPeers": (ws) => ({ workspaceId: ws, sessionId: "s", peerIds: ["bob"] }),
  "honcho.v3.SessionPeerService/GetSessionPeerConfig": (ws) => ({ workspaceId: ws, sessionId: "s", peerId: "alice" }),
  "honcho.v3.SessionPeerService/SetSessionPeerConfig": (ws) => ({ workspaceId: ws, sessionId: "s", peerId: "alice", config: { observeMe: true } }),
  "honcho.v3.SessionPeerService/ListSessionPeers": (ws) => ({ workspaceId: ws, sessionId: "s" }),
};

export const rpcName = (service: DescService, method: DescMethod) => `${service.typeName}/${method.name}`;

export function missingSamples(services: DescService[]): string[] {
  return services.flatMap((s) => s.methods.map((m) => rpcName(s, m))).filter((name) => !SAMPLES[name]);
}

export interface RestCall {
  route: HttpRoute;
  verb: string;
  path: string;
  body?: string | Buffer;
  /** the body's content type (JSON unless the route takes a form) */
  contentType?: string;
}

/** Every REST route of the services, called with its RPC's sample: path fields in the path, the rest as the JSON body. */
export function restCalls(services: DescService[], ws: string): RestCall[] {
  return services.flatMap((service) =>
    service.methods.flatMap((method) =>
      routesOf(method).map((route) => {
        const json = toJson(method.input, create(method.input, SAMPLES[rpcName(service, method)]!(ws)), { useProtoFieldName: true }) as JsonObject;
        const used = new Set<string>();
        const url = route.template.replace(/\{([^}=]+)[^}]*\}/g, (_, f: string) => (used.add(f), encodeURIComponent(String(json[f]))));
        const rest = Object.fromEntries(Object.entries(json).filter(([k]) => !used.has(k)));
        const body = route.body === "*" ? rest : route.body ? (rest[route.body] ?? {}) : undefined;
        if (formFieldsOf(method)) return { route, verb: route.verb, path: url, ...formOf(rest), contentType: `multipart/form-data; boundary=${FORM_BOUNDARY}` };
        return { route, verb: route.verb, path: url, body: body === undefined ? undefined : JSON.stringify(body) };
      }),
    ),
  );
}

// A form route's sample as multipart/form-data: the bytes field `file` as a
// file part named by the sample's filename and content_type, the other
// scalar fields as text parts (metadata and configuration as JSON).
const FORM_BOUNDARY = "every-route-form";
function formOf(fields: JsonObject): { body: Buffer } {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (name === "filename" || name === "content_type") continue;
    const file = name === "file";
    const head = `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${fields.filename ?? "file"}"` : ""}\r\n${file && fields.content_type ? `Content-Type: ${fields.content_type}\r\n` : ""}\r\n`;
    const data = file ? Buffer.from(String(value), "base64") : Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
    parts.push(Buffer.from(head), data, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${FORM_BOUNDARY}--\r\n`));
  return { body: Buffer.concat(parts) };
}
