// The service's port with no service behind it, for `npm run bench:transport`:
// the same listener (src/transport/server.ts: one port, HTTP/1.1 and
// cleartext HTTP/2, the same windows and timeouts), each request's body read
// whole, then answered with fixed bytes the size of the service's answer to
// one message: REST's 201 with its JSON, or gRPC's headers, its one
// length-prefixed message and its trailers, written through node:http2's
// compatibility API as src/transport/grpc-unary.ts writes them. What it
// costs is what the transport costs each protocol before any work is done.
// Input: one JSON argument ({ restBytes, grpcBytes }); prints {"port": N}.
import type { Http2ServerResponse } from "node:http2";
import type { ServerResponse } from "node:http";
import { loadConfig } from "../src/config.js";
import type { NodeRequest, NodeResponse } from "../src/transport/http-io.js";
import { envelope } from "../src/transport/grpc-unary.js";
import { createDualServer } from "../src/transport/server.js";

const { restBytes, grpcBytes } = JSON.parse(process.argv[2]!) as { restBytes: number; grpcBytes: number };
const restAnswer = Buffer.from(`{"items":"${"x".repeat(Math.max(0, restBytes - '{"items":""}'.length))}"}`);
const grpcAnswer = envelope(0, Buffer.alloc(grpcBytes, 0x61));

function answer(req: NodeRequest, res: NodeResponse) {
  req.on("data", () => {});
  req.on("end", () => {
    if ("stream" in req) {
      const h2 = res as Http2ServerResponse;
      h2.writeHead(200, { "content-type": "application/grpc+proto" });
      h2.addTrailers({ "grpc-status": "0" });
      h2.end(grpcAnswer);
    } else {
      const h1 = res as ServerResponse;
      h1.writeHead(201, { "content-type": "application/json", "content-length": restAnswer.length });
      h1.end(restAnswer);
    }
  });
}

// the service's default timeouts, as bench/processes.ts starts it
const server = createDualServer(answer, loadConfig({}));
const { port } = await server.listen(0, "127.0.0.1");
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => void server.close(0).then(() => process.exit(0)));
