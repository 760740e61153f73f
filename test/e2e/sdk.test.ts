// The official Honcho TypeScript clients, unmodified, against this service:
// @honcho-ai/sdk (v3 paths) and the lower-level @honcho-ai/core (v2 paths).
import HonchoCore from "@honcho-ai/core";
import { Honcho } from "@honcho-ai/sdk";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";

const t = useTestApp();

describe("@honcho-ai/sdk", () => {
  it("creates a workspace, peers and a session, writes, lists across pages, gets and updates a message", async () => {
    const honcho = new Honcho({ baseURL: t.app.url, apiKey: "unused-without-auth", workspaceId: "sdk-ws" });
    const alice = await honcho.peer("alice", { metadata: { role: "user" } });
    const bob = await honcho.peer("bob");
    const session = await honcho.session("sdk-session");

    const first = await session.addMessages([alice.message("Hi Bob!"), bob.message("Hello Alice.", { metadata: { mood: "calm" } })]);
    const second = await session.addMessages([alice.message("How are you?"), bob.message("Fine, thanks."), alice.message("Great <|endoftext|> news")]);
    const written = [...first, ...second];
    expect(written.map((m) => [m.peerId, m.content])).toEqual([
      ["alice", "Hi Bob!"],
      ["bob", "Hello Alice."],
      ["alice", "How are you?"],
      ["bob", "Fine, thanks."],
      ["alice", "Great <|endoftext|> news"],
    ]);
    expect(written.every((m) => m.tokenCount > 0 && m.id.length === 21 && m.sessionId === "sdk-session")).toBe(true);

    // in order, two at a time
    const page1 = await session.messages({ size: 2 });
    expect(page1.total).toBe(5);
    expect(page1.pages).toBe(3);
    const seen: string[] = [];
    for await (const m of page1) seen.push(m.id);
    expect(seen).toEqual(written.map((m) => m.id));
    const newest = await session.messages({ size: 2, reverse: true });
    expect(newest.items.map((m) => m.content)).toEqual(["Great <|endoftext|> news", "Fine, thanks."]);
    const bobs = await session.messages({ filters: { peer_id: "bob" } });
    expect(bobs.items.map((m) => m.content)).toEqual(["Hello Alice.", "Fine, thanks."]);

    const got = await session.getMessage(written[1]!.id);
    expect(got.content).toBe("Hello Alice.");
    expect(got.metadata).toEqual({ mood: "calm" });

    const updated = await session.updateMessage(written[1]!, { mood: "happy", edited: true });
    expect(updated.metadata).toEqual({ mood: "happy", edited: true });
    expect((await session.getMessage(written[1]!.id)).metadata).toEqual({ mood: "happy", edited: true });

    const members = await t.db.sql`SELECT peer_name FROM session_peers WHERE session_name = 'sdk-session' AND left_at IS NULL ORDER BY peer_name`;
    expect(members.map((r) => r.peer_name)).toEqual(["alice", "bob"]);
    const [peer] = await t.db.sql`SELECT metadata FROM peers WHERE name = 'alice' AND workspace_name = 'sdk-ws'`;
    expect(peer!.metadata).toEqual({ role: "user" });
  });
});

describe("@honcho-ai/core", () => {
  it("runs the same flow through the generated v2 client", async () => {
    const core = new HonchoCore({ baseURL: t.app.url, apiKey: "unused-without-auth", maxRetries: 0 });
    const ws = await core.workspaces.getOrCreate({ id: "core-ws" });
    expect(ws.id).toBe("core-ws");
    await core.workspaces.peers.getOrCreate("core-ws", { id: "alice" });
    const session = await core.workspaces.sessions.getOrCreate("core-ws", { id: "core-s", peers: { alice: {}, bob: {} } });
    expect(session).toMatchObject({ id: "core-s", is_active: true });
    const created = await core.workspaces.sessions.messages.create("core-ws", "core-s", {
      messages: [
        { content: "one", peer_id: "alice" },
        { content: "two", peer_id: "bob" },
        { content: "three", peer_id: "alice" },
      ],
    });
    expect(created.map((m) => m.content)).toEqual(["one", "two", "three"]);
    const seen: string[] = [];
    for await (const m of core.workspaces.sessions.messages.list("core-ws", "core-s", { size: 2 })) seen.push(m.content);
    expect(seen).toEqual(["one", "two", "three"]);
    const got = await core.workspaces.sessions.messages.get("core-ws", "core-s", created[1]!.id);
    expect(got.peer_id).toBe("bob");
    const updated = await core.workspaces.sessions.messages.update("core-ws", "core-s", created[1]!.id, { metadata: { pinned: true } });
    expect(updated.metadata).toEqual({ pinned: true });
  });
});
