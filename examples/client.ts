import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MessageService } from "../gen/honcho/v3/messages_pb.js";

const client = createClient(MessageService, createGrpcTransport({ baseUrl: process.env.HONCHO_URL ?? "http://127.0.0.1:8000" }));
const { messages } = await client.createMessages({
  workspaceId: "acme",
  sessionId: "s1",
  messages: [{ content: "hi from gRPC", peerId: "alice", metadata: { channel: "example" } }],
});
for (const m of messages) console.log(m.id, m.peerId, m.tokenCount, m.content);
