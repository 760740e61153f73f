// One validator for every protocol: the same bad batches give REST a 422
// with FastAPI's detail list and gRPC/Connect an INVALID_ARGUMENT carrying
// the same list as an honcho.v3.HTTPValidationError detail.
import { toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { HTTPValidationErrorSchema, type MessageCreate } from "../../gen/honcho/v3/messages_pb.js";
import { DETAIL_BUDGET_BYTES } from "../../src/transport/error-codes.js";
import { useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";

const t = useTestApp();

type Msg = Partial<Pick<MessageCreate, "content" | "peerId" | "metadata" | "createdAt">> & { configuration?: { reasoning?: { enabled?: boolean; customInstructions?: string } } };
interface Bad { name: string; workspace: string; session: string; messages: Msg[] }

const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
const bad: Bad[] = [
  { name: "empty batch", workspace: "acme", session: "s", messages: [] },
  { name: "101 messages", workspace: "acme", session: "s", messages: Array.from({ length: 101 }, () => ({ content: "x", peerId: "a" })) },
  { name: "content too long (emoji)", workspace: "acme", session: "s", messages: [{ content: "😀".repeat(25_001), peerId: "a" }] },
  { name: "empty peer", workspace: "acme", session: "s", messages: [{ content: "x", peerId: "" }] },
  { name: "bad peer and path", workspace: "ac me", session: "s 1", messages: [{ content: "x", peerId: "bad name" }] },
  { name: "metadata too deep", workspace: "acme", session: "s", messages: [{ content: "x", peerId: "a", metadata: deep }] },
  { name: "metadata too wide", workspace: "acme", session: "s", messages: [{ content: "x", peerId: "a", metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }] },
  { name: "instructions over budget", workspace: "acme", session: "s", messages: [{ content: "x", peerId: "a", configuration: { reasoning: { customInstructions: " a".repeat(2001) } } }] },
  { name: "several items", workspace: "acme", session: "s", messages: [{ content: "ok", peerId: "a" }, { content: "x", peerId: "no!" }, { content: "y".repeat(25_001), peerId: "" }] },
];

// What gRPC callers get: the REST list itself, unless it is larger than the
// trailer budget; then big `input` values are left out (see error-codes.ts).
function withinBudget(rest: { detail: Record<string, unknown>[] }) {
  if (JSON.stringify(rest.detail).length <= DETAIL_BUDGET_BYTES) return rest;
  return { detail: rest.detail.map(({ input, ...other }) => (JSON.stringify(input).length > 512 ? other : { input, ...other })) };
}

// The REST body for the same batch, with Honcho's JSON names.
function restBody(b: Bad) {
  return {
    messages: b.messages.map((m) => ({
      content: m.content ?? "",
      peer_id: m.peerId ?? "",
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.configuration ? { configuration: { reasoning: { ...(m.configuration.reasoning?.customInstructions !== undefined ? { custom_instructions: m.configuration.reasoning.customInstructions } : {}) } } } : {}),
    })),
  };
}

describe.each(Object.entries(rpcProtocols))("%s", (_protocol, transport) => {
  it.each(bad.map((b) => [b.name, b] as const))("gives the REST detail list for: %s", async (_n, b) => {
    const rest = await postMessages(t.app.url, b.workspace, b.session, restBody(b));
    expect(rest.status).toBe(422);
    const err = await messageClient(transport(t.app.url))
      .createMessages({ workspaceId: b.workspace, sessionId: b.session, messages: b.messages })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    const ce = err as ConnectError;
    expect(ce.code).toBe(Code.InvalidArgument);
    const [detail] = ce.findDetails(HTTPValidationErrorSchema);
    expect(detail).toBeDefined();
    expect(toJson(HTTPValidationErrorSchema, detail!)).toEqual(withinBudget(rest.json as { detail: Record<string, unknown>[] }));
    const first = (rest.json as { detail: { loc: unknown[]; msg: string }[] }).detail[0]!;
    expect(ce.rawMessage).toContain(first.msg);
    expect(ce.rawMessage).toContain(first.loc.join("."));
  });
});

describe("Connect protocol errors", () => {
  it("follow the Connect spec: HTTP status, JSON {code, message, details[{type, value}]}", async () => {
    const res = await fetch(`${t.app.url}/honcho.v3.MessageService/CreateMessages`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify({ workspaceId: "acme", sessionId: "s", messages: [] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string; details: { type: string; value: string }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toMatch(/^1 validation error: body\.messages: List should have at least 1 item/);
    expect(body.details).toHaveLength(1);
    expect(body.details[0]!.type).toBe("honcho.v3.HTTPValidationError");
    expect(body.details[0]!.value).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it("map NOT_FOUND to 404", async () => {
    await postMessages(t.app.url, "acme", "gone", { messages: [{ content: "x", peer_id: "a" }] });
    await t.db.sql`UPDATE sessions SET is_active = false WHERE name = 'gone'`;
    const res = await fetch(`${t.app.url}/honcho.v3.MessageService/CreateMessages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workspaceId: "acme", sessionId: "gone", messages: [{ content: "x", peerId: "a" }] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "not_found", message: "Session gone not found in workspace acme" });
  });
});
