// The services this process implements, each method bound to its handler.
// Transports (Connect, REST) take these bindings and nothing else.
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import type { Access, Target } from "../domain/auth/index.js";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { QueueService, WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { PeerService, SessionService, WorkspaceService } from "../../gen/honcho/v3/resources_pb.js";
import type { TokenCounter } from "../domain/tokens.js";
import type { MessageReads } from "../store/message-reads.js";
import type { MessageStore } from "../store/message-store.js";
import type { CommitFeed } from "../store/notifications.js";
import type { QueueStore } from "../store/queue-store.js";
import type { ResourceStore } from "../store/resource-store.js";
import type { CallContext } from "./context.js";
import { createMessagesHandler, createMessagesRpc } from "./create-messages.js";
import { getMessageRpc, listMessagesRpc, readMessageHandlers, updateMessageRpc } from "./read-messages.js";
import { queueHandlers } from "./queue.js";
import { peerRpc, resourceHandlers, sessionRpc, workspaceRpc } from "./resources.js";
import { watchMessagesHandler } from "./watch-messages.js";

// Handlers are typed at their definition (each takes its own request type);
// a binding holds any of them, hence `any` for the request.
export type UnaryHandler = (req: any, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
/** Turns REST path parameters and the parsed JSON body (MISSING when empty) into the request message (throws ValidationFailed). */
export type JsonDecoder = (path: Record<string, string>, body: unknown, query?: Record<string, string>) => MessageShape<DescMessage>;

/** Who may call a method: the access it needs on the resource its request names. */
export interface Policy {
  access: Access;
  /** the resource, from the request's path fields by proto name (raw, not yet validated) */
  target(fields: Record<string, string>): Target;
}

export type StreamHandler = (req: any, ctx: CallContext) => AsyncIterable<MessageShape<DescMessage>>;

export interface ServiceBinding {
  service: DescService;
  /** by method localName */
  handlers: Record<string, UnaryHandler>;
  /** server-streaming methods, by localName */
  streams?: Record<string, StreamHandler>;
  /** by method localName: REST decoders with FastAPI semantics; others use protobuf JSON */
  jsonDecoders?: Record<string, JsonDecoder>;
  /** by method localName; a method without one needs no token */
  policies: Record<string, Policy>;
}

const sessionTarget = (f: Record<string, string>): Target => ({ workspace: f.workspace_id ?? "", session: f.session_id ?? "" });
const write: Access = { kind: "session_write" };
const read: Access = { kind: "session_read" };

export interface Dependencies {
  messages: MessageStore;
  queue: QueueStore;
  commits: CommitFeed;
  reads: MessageReads;
  resources: ResourceStore;
  tokens: TokenCounter;
  /** how long an Idempotency-Key is remembered */
  idempotencyTtlSeconds: number;
  /** cl100k tokens per pending embedding chunk; 0: no embedding rows are written */
  embeddingChunkTokens: number;
  /** told of every stored batch: messages and tokens */
  onIngested?: (messages: number, tokens: number) => void;
}

export function bindServices(deps: Dependencies): ServiceBinding[] {
  const resources = resourceHandlers(deps);
  const queue = queueHandlers(deps);
  const workspaceOnly = (f: Record<string, string>): Target => ({ workspace: f.workspace_id ?? "" });
  return [
    {
      service: QueueService,
      handlers: { claimWork: queue.claimWork, ackWork: queue.ackWork },
      // admin or workspace tokens
      policies: { claimWork: { access: { kind: "workspace_write" }, target: workspaceOnly }, ackWork: { access: { kind: "workspace_write" }, target: workspaceOnly } },
    },
    {
      service: WatchService,
      handlers: {},
      streams: { watchMessages: watchMessagesHandler(deps) },
      policies: { watchMessages: { access: read, target: sessionTarget } },
    },
    {
      service: MessageService,
      handlers: { createMessages: createMessagesHandler(deps), ...readMessageHandlers(deps) },
      jsonDecoders: {
        createMessages: createMessagesRpc.decode,
        getMessage: getMessageRpc.decode,
        updateMessage: updateMessageRpc.decode,
        listMessages: listMessagesRpc.decode,
      },
      policies: {
        createMessages: { access: write, target: sessionTarget },
        updateMessage: { access: write, target: sessionTarget },
        getMessage: { access: read, target: sessionTarget },
        listMessages: { access: read, target: sessionTarget },
      },
    },
    {
      service: WorkspaceService,
      handlers: { getOrCreateWorkspace: resources.getOrCreateWorkspace },
      jsonDecoders: { getOrCreateWorkspace: workspaceRpc.decode },
      // the workspace is named in the body
      policies: { getOrCreateWorkspace: { access: { kind: "workspace_write" }, target: (f) => ({ workspace: f.id ?? "" }) } },
    },
    {
      service: PeerService,
      handlers: { getOrCreatePeer: resources.getOrCreatePeer },
      jsonDecoders: { getOrCreatePeer: peerRpc.decode },
      policies: { getOrCreatePeer: { access: { kind: "workspace_write" }, target: workspaceOnly } },
    },
    {
      service: SessionService,
      handlers: { getOrCreateSession: resources.getOrCreateSession },
      jsonDecoders: { getOrCreateSession: sessionRpc.decode },
      // a session token may get or create its own session
      policies: { getOrCreateSession: { access: { kind: "workspace_write" }, target: (f) => ({ workspace: f.workspace_id ?? "", session: f.id ?? "" }) } },
    },
  ];
}
