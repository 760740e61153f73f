// Real clients for every protocol the service speaks.
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";

export const rpcProtocols: Record<string, (baseUrl: string) => Transport> = {
  "grpc (h2c)": (baseUrl) => createGrpcTransport({ baseUrl }),
  "grpc-web binary (HTTP/1.1)": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  "grpc-web JSON (h2c)": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false }),
  "connect JSON (HTTP/1.1)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  "connect binary (h2c)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
};

export function messageClient(transport: Transport): Client<typeof MessageService> {
  return createClient(MessageService, transport);
}

export async function postMessages(baseUrl: string, workspace: string, session: string, body: unknown, init: RequestInit = {}) {
  const res = await fetch(`${baseUrl}/v3/workspaces/${encodeURIComponent(workspace)}/sessions/${encodeURIComponent(session)}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}
