// Every RPC of the honcho.v3 services and every REST route bound to them,
// each with a valid request, for tests that must call all of them (an outage,
// say). Services are found in gen/honcho/v3, so a new RPC or route is covered
// as soon as it has a sample below; missingSamples() names any that has none.
import fs from "node:fs";
import path from "node:path";
import { create, toJson, type DescMethod, type DescService, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { routesOf, type HttpRoute } from "../../src/transport/http-rule.js";

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
  "honcho.v3.WorkspaceService/GetOrCreateWorkspace": (ws) => ({ id: ws }),
  "honcho.v3.PeerService/GetOrCreatePeer": (ws) => ({ workspaceId: ws, id: "alice" }),
  "honcho.v3.SessionService/GetOrCreateSession": (ws) => ({ workspaceId: ws, id: "s" }),
  "honcho.v3.QueueService/ClaimWork": (ws) => ({ workspaceId: ws, consumer: "c" }),
  "honcho.v3.QueueService/AckWork": (ws) => ({ workspaceId: ws, consumer: "c", ids: [1n] }),
  "honcho.v3.WatchService/WatchMessages": (ws) => ({ workspaceId: ws, sessionId: "s" }),
};

export const rpcName = (service: DescService, method: DescMethod) => `${service.typeName}/${method.name}`;

export function missingSamples(services: DescService[]): string[] {
  return services.flatMap((s) => s.methods.map((m) => rpcName(s, m))).filter((name) => !SAMPLES[name]);
}

export interface RestCall {
  route: HttpRoute;
  verb: string;
  path: string;
  body?: string;
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
        return { route, verb: route.verb, path: url, body: body === undefined ? undefined : JSON.stringify(body) };
      }),
    ),
  );
}
