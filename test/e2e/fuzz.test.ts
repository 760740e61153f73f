// Property-based: whatever a client sends, over REST or gRPC, the answer is a
// well-formed success or client error (4xx / INVALID_ARGUMENT), never a 5xx.
import http2 from "node:http2";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import { messageClient, rpcProtocols } from "../support/clients.js";

let db: TestDb;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp(db.url, { bodyLimitBytes: 256 * 1024 });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const CLIENT_STATUSES = new Set([201, 400, 404, 405, 413, 415, 422]);

const hostileName = fc.oneof(
  fc.constantFrom("", ".", "..", "a b", "ü", "😀", "a/b", "%", "%2F", "\u0000", "a\nb", "x".repeat(513), "-", "_", "Ω".repeat(600)),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/),
);
const jsonValue = fc.jsonValue({ maxDepth: 7 });
const message = fc.record(
  {
    content: fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), jsonValue),
    peer_id: fc.oneof(hostileName, jsonValue),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), jsonValue, { maxKeys: 8 }), jsonValue),
    configuration: fc.oneof(fc.record({ reasoning: fc.oneof(fc.record({ enabled: jsonValue, custom_instructions: jsonValue }, { requiredKeys: [] }), jsonValue) }, { requiredKeys: [] }), jsonValue),
    created_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 30 }), jsonValue),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.record({ messages: fc.array(message, { maxLength: 5 }) }).map((b) => JSON.stringify(b)),
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.constantFrom("", "{", "[", "null", '{"messages": [', "\ufeff{}", '{"messages": [{"content": "\\ud800", "peer_id": "a"}]}', "NaN", "[".repeat(5000), '{"a":'.repeat(3000)),
);

describe("REST fuzz", () => {
  it("answers every request with a well-formed 2xx or 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostileName, hostileName, body, fc.constantFrom("application/json", undefined, "text/plain"), async (ws, ss, payload, type) => {
        const res = await fetch(`${app.url}/v3/workspaces/${encodeURIComponent(ws)}/sessions/${encodeURIComponent(ss)}/messages`, {
          method: "POST",
          headers: type ? { "content-type": type } : {},
          body: payload,
        });
        const text = await res.text();
        expect(CLIENT_STATUSES.has(res.status), `${res.status} ${text.slice(0, 300)}`).toBe(true);
        const json = JSON.parse(text) as unknown;
        if (res.status !== 201) expect(json).toHaveProperty("detail");
      }),
      { numRuns: RUNS },
    );
  });
});

describe("gRPC fuzz", () => {
  it("answers hostile messages with OK or INVALID_ARGUMENT", async () => {
    const client = messageClient(rpcProtocols["grpc (h2c)"]!(app.url));
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), hostileName);
    await fc.assert(
      fc.asyncProperty(hostileName, hostileName, fc.array(fc.record({ content: text, peerId: text }), { maxLength: 4 }), async (ws, ss, messages) => {
        const outcome = await client.createMessages({ workspaceId: ws, sessionId: ss, messages }).then(
          () => "ok",
          (e: { code: number }) => e.code,
        );
        expect(["ok", 3]).toContain(outcome);
      }),
      { numRuns: RUNS },
    );
  });

  it("answers garbage protobuf bytes with INVALID_ARGUMENT, never INTERNAL", async () => {
    const session = http2.connect(app.url);
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), async (bytes) => {
          const frame = Buffer.alloc(5 + bytes.length);
          frame.writeUInt32BE(bytes.length, 1);
          frame.set(bytes, 5);
          const status = await new Promise<string | undefined>((resolve) => {
            const stream = session.request({ ":method": "POST", ":path": "/honcho.v3.MessageService/CreateMessages", "content-type": "application/grpc", te: "trailers" });
            let s: string | undefined;
            stream.on("response", (h) => (s ??= h["grpc-status"] as string | undefined));
            stream.on("trailers", (t) => (s = t["grpc-status"] as string | undefined));
            stream.on("data", () => {});
            stream.on("close", () => resolve(s));
            stream.end(frame);
          });
          expect(["0", "3"]).toContain(status);
        }),
        { numRuns: RUNS },
      );
    } finally {
      session.close();
    }
  });
});
