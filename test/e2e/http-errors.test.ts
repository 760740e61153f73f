// REST failures outside validation, in FastAPI's {"detail": ...} shape.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import net from "node:net";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { postMessages } from "../support/clients.js";

let db: TestDb;
let app: App;
const LIMIT = 64 * 1024;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, { bodyLimitBytes: LIMIT });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe("REST errors", () => {
  it("refuses a body over the limit with 413, naming the limit", async () => {
    const big = { messages: [{ content: "x".repeat(LIMIT), peer_id: "a" }] };
    const res = await postMessages(app.url, "acme", "big", big);
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ detail: `Request body exceeds the limit of ${LIMIT} bytes` });
  });

  it("refuses a streamed body (no content-length) as soon as it passes the limit", async () => {
    const { port } = new URL(app.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/v3/workspaces/acme/sessions/s/messages", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on("error", reject);
      // Keep sending well past the limit; the answer must come before we stop.
      let sent = 0;
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (sent < LIMIT * 64 && req.write(chunk)) sent += chunk.length;
        if (sent < LIMIT * 64) req.once("drain", pump);
      };
      req.write('{"messages": [');
      pump();
    });
    expect(status).toBe(413);
  });

  // FastAPI 0.136.1 has no 415: a body whose content type is not JSON reaches
  // pydantic as bytes, and the body model refuses them (all cases:
  // test/e2e/request-handling.test.ts).
  it("answers a non-JSON content type as FastAPI does: 422, the body echoed as model_attributes_type", async () => {
    const res = await postMessages(app.url, "acme", "s", "content=hi", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(422);
    expect(res.json).toEqual({
      detail: [{ type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", input: "content=hi" }],
    });
  });

  it("does not read a body without content type as JSON (FastAPI's strict_content_type, on since 0.132)", async () => {
    const text = JSON.stringify({ messages: [{ content: "hi", peer_id: "a" }] });
    const res = await fetch(`${app.url}/v3/workspaces/acme/sessions/no-ct/messages`, { method: "POST", body: new Blob([text]) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [{ type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", input: text }],
    });
  });
});

describe("a client gone mid-body", () => {
  it("is logged as a client-closed request (499), not as a 422 of a bad body, and not as an error", async () => {
    const mem = memoryLogger();
    const logged = await startTestApp(db.url, {}, mem.log);
    try {
      const { port } = new URL(logged.url);
      const socket = net.connect(Number(port), "127.0.0.1");
      await new Promise((r) => socket.once("connect", r));
      socket.write("POST /v3/workspaces/acme/sessions/gone/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-request-id: gone-1\r\ncontent-length: 1000\r\n\r\n{\"messages\": [");
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
      let access: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && !access; i++) {
        await new Promise((r) => setTimeout(r, 50));
        access = mem.lines().find((l) => l.msg === "access" && l.requestId === "gone-1");
      }
      expect(access).toMatchObject({ code: "499", status: 499 });
      expect(mem.lines().filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      await logged.stop();
    }
  });
});
