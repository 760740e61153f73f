// HTTP/1.1 keep-alive: an idle connection lives IDLE_TIMEOUT_MS, as the
// README says, not Node's own 5 s keepAliveTimeout. A pooling client or a load
// balancer that reuses a connection after a few seconds must not meet a
// connection the server is closing (ECONNRESET).
import http from "node:http";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";

// A headers timeout shorter than the idle time: an idle keep-alive
// connection is waiting for no request, so it must not be cut by it either.
const t = useTestApp({ idleTimeoutMs: 120_000, headersTimeoutMs: 2_000 });

function get(agent: http.Agent, url: string): Promise<{ status: number; reused: boolean; keepAlive: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/health`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode!, reused: req.reusedSocket, keepAlive: res.headers["keep-alive"] as string | undefined }));
    });
    req.on("error", reject);
  });
}

describe("HTTP/1.1 keep-alive", () => {
  it("keeps an idle connection past 6 s and serves the next request on it", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, t.app.url);
      expect(first).toMatchObject({ status: 200, reused: false });
      expect(first.keepAlive).toBe("timeout=120"); // what the server tells clients it keeps
      await new Promise((r) => setTimeout(r, 7_000));
      expect(await get(agent, t.app.url)).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);
});
