// The benchmark's own HTTP/1.1 and HTTP/2 clients (bench/http1-client.ts,
// bench/h2-client.ts) against Node's servers: what they report is what the
// server said, header fields (Huffman-coded, indexed in the dynamic table)
// decoded, bodies larger than every flow-control window sent and received.
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeHeaderBlock, H2Connection } from "../../bench/h2-client.js";
import { Http1Connection } from "../../bench/http1-client.js";

/** listens on a free port of 127.0.0.1, and says which */
async function listening(server: http.Server | http2.Http2Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** calls `then` with the body's length once all of it is in */
function counted(req: Readable, then: (received: number) => void) {
  let received = 0;
  req.on("data", (c: Buffer) => (received += c.length));
  req.on("end", () => then(received));
}

const BIG = 3 * 1024 * 1024; // past the server's 64 KiB windows and 16 KiB frames
const STATUSES = [200, 201, 400, 422, 500];

describe("bench HTTP/2 client", () => {
  let server: http2.Http2Server;
  let port: number;
  beforeAll(async () => {
    server = http2.createServer((req, res) =>
      counted(req, (received) => {
        const answer = Number(req.headers["x-answer-bytes"] ?? 0);
        res.writeHead(200, { "content-type": "application/grpc", "x-echo-path": req.url, "x-received": String(received), "x-word": "huffman coded lowercase words" });
        res.addTrailers({ "grpc-status": String(received % 17), "grpc-message": `got ${received} bytes` });
        res.end(Buffer.alloc(answer, 7));
      }),
    );
    port = await listening(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const block = (answerBytes: number) =>
    encodeHeaderBlock([
      [3, "POST"],
      [6, "http"],
      [4, "/some/where?x=1"],
      [1, `127.0.0.1:${port}`],
      [31, "application/grpc"],
      ["x-answer-bytes", String(answerBytes)],
    ]);
  const field = (fields: [string, string][], name: string) => fields.findLast(([n]) => n === name)?.[1];

  it("reads every header field and trailer of many answers on one connection", async () => {
    const c = new H2Connection("127.0.0.1", port);
    try {
      const sizes = Array.from({ length: 40 }, (_, i) => i * 37 + 1);
      const answers = await Promise.all(sizes.map((n) => c.request(block(0), Buffer.alloc(n, 1))));
      answers.forEach((fields, i) => {
        expect(field(fields, ":status")).toBe("200");
        expect(field(fields, "x-echo-path")).toBe("/some/where?x=1");
        expect(field(fields, "x-word")).toBe("huffman coded lowercase words");
        expect(field(fields, "x-received")).toBe(String(sizes[i]));
        expect(field(fields, "grpc-status")).toBe(String(sizes[i]! % 17));
        expect(field(fields, "grpc-message")).toBe(`got ${sizes[i]} bytes`);
      });
    } finally {
      c.close();
    }
  });

  it("sends and receives bodies larger than the flow-control windows", async () => {
    const c = new H2Connection("127.0.0.1", port);
    try {
      const answers = await Promise.all([0, 1, 2].map(() => c.request(block(BIG), Buffer.alloc(BIG + 5, 2))));
      for (const fields of answers) {
        expect(field(fields, "x-received")).toBe(String(BIG + 5));
        expect(field(fields, "grpc-status")).toBe(String((BIG + 5) % 17));
      }
    } finally {
      c.close();
    }
  });

  it("fails its calls when the connection goes", async () => {
    const c = new H2Connection("127.0.0.1", port);
    await c.request(block(0), Buffer.alloc(1));
    c.close();
    await expect(c.request(block(0), Buffer.alloc(1))).rejects.toThrow();
  });
});

describe("bench HTTP/1.1 client", () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) =>
      counted(req, (received) => {
        const status = STATUSES[received % STATUSES.length]!;
        if (req.url === "/chunked") {
          res.writeHead(status, { "x-received": String(received) });
          res.write("a".repeat(10));
          res.write("b".repeat(100_000));
          res.end("c");
        } else {
          res.writeHead(status, { "content-length": String(received) });
          res.end(Buffer.alloc(received, 3));
        }
      }),
    );
    port = await listening(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reads answers by content-length and by chunks, one after another on one connection", async () => {
    const c = new Http1Connection("127.0.0.1", port);
    try {
      for (const [path, size] of [["/sized", 1], ["/chunked", 2], ["/sized", BIG], ["/chunked", BIG + 3], ["/sized", 0]] as const) {
        expect(await c.request(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}`, Buffer.alloc(size, 1))).toBe(STATUSES[size % STATUSES.length]);
      }
    } finally {
      c.close();
    }
  });

  it("connects again after the server closes the connection", async () => {
    const c = new Http1Connection("127.0.0.1", port);
    try {
      expect(await c.request(`POST /sized HTTP/1.1\r\nhost: x\r\nconnection: close`, Buffer.alloc(3))).toBe(STATUSES[3]);
      await new Promise((r) => setTimeout(r, 50));
      expect(await c.request(`POST /sized HTTP/1.1\r\nhost: x`, Buffer.alloc(4))).toBe(STATUSES[4]);
    } finally {
      c.close();
    }
  });
});
