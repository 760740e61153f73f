// Python's grpcio (gRPC's C core, which Python, Ruby, PHP and C++ clients
// share) against the service, through test/support/grpcio_calls.py: unary
// calls on the short path and through Connect (a deadline, gzip), errors with
// their words and details, a client stream and a server stream. Python agents
// are Honcho's commonest callers. Skipped, loudly, where python3 cannot
// import grpc (Debian's python3-grpcio; .ci/run installs it).
import { execFile, spawnSync } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { create, fromBinary, toBinary, toJson, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { describe, expect, it } from "vitest";
import { HTTPValidationErrorSchema, MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { useTestApp } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";

// GRPCIO_PYTHON, else the first python3 that has grpc (Debian's package is in /usr/bin/python3's path, not a pyenv's)
const PYTHON = [process.env.GRPCIO_PYTHON, "python3", "/usr/bin/python3"].find((p) => p && spawnSync(p, ["-c", "import grpc"], { stdio: "ignore" }).status === 0);
const hasGrpcio = PYTHON !== undefined;
if (!hasGrpcio) {
  console.warn(
    `\n${"!".repeat(78)}\n!! No python3 can import grpc: SKIPPING the grpcio client test.\n` +
      `!! Install it (apt-get install -y python3-grpcio) to run it; .ci/run does.\n${"!".repeat(78)}\n`,
  );
}

const SECRET = "grpcio-secret";
const t = useTestApp({ authUseAuth: true, authJwtSecret: SECRET });
const ADMIN = hs256({ ad: true }, SECRET);
const SCRIPT = path.join(import.meta.dirname, "../support/grpcio_calls.py");

interface Call<I extends DescMessage> {
  kind: "unary" | "client_stream" | "server_stream";
  method: DescMethod & { input: I };
  requests: MessageInitShape<I>[];
  timeout?: number;
  gzip?: boolean;
  token?: string;
  take?: number;
}
interface Outcome {
  answers?: string[];
  code?: string;
  details?: string;
  details_bin?: string | null;
}

/** Runs the calls, in order, on one grpcio channel (in a child process: the service answers in this one). */
async function grpcio(calls: Call<DescMessage>[]): Promise<Outcome[]> {
  const spec = {
    target: new URL(t.app.url).host,
    calls: calls.map((c) => ({
      ...c,
      method: `/${c.method.parent.typeName}/${c.method.name}`,
      requests: c.requests.map((r) => Buffer.from(toBinary(c.method.input, create(c.method.input, r))).toString("hex")),
    })),
  };
  const child = execFile(PYTHON!, [SCRIPT], { encoding: "utf8", timeout: 60_000 });
  child.stdin!.end(JSON.stringify(spec));
  let out = "";
  child.stdout!.on("data", (d: string) => (out += d));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`grpcio_calls.py exited ${code}`);
  return JSON.parse(out) as Outcome[];
}
const answers = <O extends DescMessage>(o: Outcome, schema: O): MessageShape<O>[] => (o.answers ?? []).map((h) => fromBinary(schema, Buffer.from(h, "hex")));
const unary = <I extends DescMessage>(method: DescMethod & { input: I }, request: MessageInitShape<I>, more: Partial<Call<I>> = {}): Call<DescMessage> =>
  ({ kind: "unary", method, requests: [request], token: ADMIN, ...more }) as unknown as Call<DescMessage>;

const WAYS = [
  ["plain", {}],
  ["with a deadline", { timeout: 30 }],
  ["gzip-compressed", { gzip: true }],
] as const;

describe.skipIf(!hasGrpcio)("grpcio (gRPC's C core) calling the service", () => {
  it.each(WAYS)("creates messages (%s)", async (way, more) => {
    const session = `s-${way.replace(/\W/g, "")}`;
    const [out] = await grpcio([unary(MessageService.method.createMessages, { workspaceId: "pyg", sessionId: session, messages: [{ content: "hello from grpcio", peerId: "alice" }] }, more)]);
    const [res] = answers(out!, MessageService.method.createMessages.output);
    expect(res!.messages.map((m) => [m.content, m.peerId, m.tokenCount])).toEqual([["hello from grpcio", "alice", 4]]);
    const rows = await t.db.sql`SELECT public_id FROM messages WHERE workspace_name = 'pyg' AND session_name = ${session}`;
    expect(rows.map((r) => r.public_id)).toEqual([res!.messages[0]!.id]);
  });

  it.each(WAYS)("reads errors whole: a validation error with REST's 422 in its details, text outside ASCII, no token (%s)", async (_, more) => {
    const [invalid, column, anonymous] = await grpcio([
      unary(MessageService.method.createMessages, { workspaceId: "pyg", sessionId: "bad id!", messages: [{ content: "x", peerId: "" }] }, more),
      unary(MessageService.method.listMessages, { workspaceId: "pyg", sessionId: "s1", options: { filters: { "ünï 100% %3A": 1 } } }, more),
      unary(MessageService.method.createMessages, { workspaceId: "pyg", sessionId: "s1", messages: [{ content: "x", peerId: "alice" }] }, { ...more, token: "" }),
    ]);
    expect(invalid).toMatchObject({
      code: "INVALID_ARGUMENT",
      details: "2 validation errors: path.session_id: String should match pattern '^[a-zA-Z0-9_-]+$'; body.messages.0.peer_id: String should have at least 1 character",
    });
    const error = findTrailerError(new Headers({ "grpc-status": "3", "grpc-status-details-bin": Buffer.from(invalid!.details_bin!, "hex").toString("base64") }));
    const rest = await postMessages(t.app.url, "pyg", "bad id!", { messages: [{ content: "x", peer_id: "" }] }, { headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` } });
    expect(toJson(HTTPValidationErrorSchema, error!.findDetails(HTTPValidationErrorSchema)[0]!)).toEqual(rest.json);
    expect(column).toMatchObject({ code: "INVALID_ARGUMENT", details: "Column 'ünï 100% %3A' is not allowed to be filtered on or does not exist on Message" });
    expect(anonymous).toMatchObject({ code: "UNAUTHENTICATED", details: "No access token provided" });
  });

  it("streams an import (a client stream) and follows the session (a server stream) until it cancels", async () => {
    const batch = (from: number) => Array.from({ length: 40 }, (_, i) => ({ content: `imported ${from + i}`, peerId: "bob" }));
    const [imported, watched] = await grpcio([
      {
        kind: "client_stream",
        method: MessageService.method.importMessages,
        requests: [{ workspaceId: "pyg", sessionId: "imported", importKey: "k1" }, { messages: batch(0) }, { messages: batch(40), end: true }],
        token: ADMIN,
      } as unknown as Call<DescMessage>,
      { kind: "server_stream", method: WatchService.method.watchMessages, requests: [{ workspaceId: "pyg", sessionId: "imported" }], token: ADMIN, take: 5 } as unknown as Call<DescMessage>,
    ]);
    expect(answers(imported!, MessageService.method.importMessages.output)[0]!.messages).toBe(80n);
    expect(watched!.code).toBe("CANCELLED");
    expect(answers(watched!, WatchService.method.watchMessages.output).map((r) => r.message!.content)).toEqual(["imported 0", "imported 1", "imported 2", "imported 3", "imported 4"]);
    const [{ n }] = await t.db.sql<[{ n: number }]>`SELECT count(*)::int AS n FROM messages WHERE workspace_name = 'pyg' AND session_name = 'imported'`;
    expect(n).toBe(80);
  });
});
