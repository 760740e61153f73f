// IDLE_TIMEOUT_MS closes connections that are idle: not one whose request the
// service is still working on. An HTTP/1.1 request whose write waits (here
// behind a session lock another writer holds) longer than the idle time, with
// no bytes moving either way, is answered when its write is done.
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";

const t = useTestApp({ idleTimeoutMs: 1_000 });

describe("IDLE_TIMEOUT_MS", () => {
  it("answers an HTTP/1.1 request that takes longer than the idle time", async () => {
    const holder = await t.db.sql.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT pg_advisory_xact_lock(hashtext('idle-ws'), hashtext('idle-s'))`;
      const answer = fetch(`${t.app.url}/v3/workspaces/idle-ws/sessions/idle-s/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ content: "waited", peer_id: "p" }] }),
      });
      await new Promise((r) => setTimeout(r, 2_500)); // past the idle time, the write still waiting
      await holder`COMMIT`;
      const res = await answer;
      expect(res.status).toBe(201);
      expect(((await res.json()) as { content: string }[])[0]!.content).toBe("waited");
    } finally {
      holder.release();
    }
  });
});
