// DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS bounds a message's
// reasoning.custom_instructions on every way a message comes in (Create
// Messages on REST, gRPC and Connect, uploads, imports), as it bounds a
// workspace's or session's: Honcho's MessageConfiguration uses the same
// ReasoningConfiguration validator. (Create Messages once had 2000 fixed.)
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { loadHonchoSettings } from "../../src/config-honcho.js";
import { useTestApp } from "../support/app.js";
import { messageClient, postMessages, rpcProtocols } from "../support/clients.js";
import { postUpload, uploadForm } from "../support/multipart.js";

const t = useTestApp({ honcho: { ...loadHonchoSettings({}), maxCustomInstructionsTokens: 3 } });
const LOC = ["body", "messages", 0, "configuration", "reasoning", "custom_instructions"];
const OVER = "Value error, custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS (3 tokens)";
const message = (instructions: string) => ({ content: "x", peer_id: "alice", configuration: { reasoning: { custom_instructions: instructions } } });

describe("a budget of 3 tokens", () => {
  it("REST: two tokens pass, four are refused with Honcho's detail", async () => {
    expect((await postMessages(t.app.url, "budget", "s", { messages: [message("be brief")] })).status).toBe(201);
    const r = await postMessages(t.app.url, "budget", "s", { messages: [message("be brief and kind")] });
    expect(r.status).toBe(422);
    expect((r.json as { detail: unknown[] }).detail).toEqual([{ type: "value_error", loc: LOC, msg: OVER, input: "be brief and kind", ctx: { error: {} } }]);
  });

  it.each(Object.keys(rpcProtocols))("%s: refused as INVALID_ARGUMENT", async (protocol) => {
    const client = messageClient(rpcProtocols[protocol]!(t.app.url));
    const err = await client
      .createMessages({ workspaceId: "budget", sessionId: "s", messages: [{ content: "x", peerId: "alice", configuration: { reasoning: { customInstructions: "be brief and kind" } } }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toContain("(3 tokens)");
  });

  it("an upload's configuration too", async () => {
    const r = await postUpload(t.app.url, "budget", "s", uploadForm({ data: "hello", type: "text/plain" }, { peer_id: "alice", configuration: JSON.stringify({ reasoning: { custom_instructions: "be brief and kind" } }) }));
    expect(r.status).toBe(422);
    expect(r.json.detail).toEqual([expect.objectContaining({ loc: ["body", "configuration", "reasoning", "custom_instructions"], msg: OVER })]);
  });
});
