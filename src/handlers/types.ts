// What handlers are and what they are given: the types every handler file
// and every transport shares (a leaf module, so no handler imports the file
// that wires them all).
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { Access, AuthSettings, Target } from "../domain/auth/index.js";
import type { HonchoSettings } from "../config-honcho.js";
import type { TokenCounter } from "../domain/tokens.js";
import type { MessageReads } from "../store/message-reads.js";
import type { MessageStore } from "../store/message-store.js";
import type { CommitFeed } from "../store/notifications.js";
import type { QueueStore } from "../store/queue-store.js";
import type { ResourceStore } from "../store/resource-store.js";
import type { SessionPeerStore } from "../store/session-peers-store.js";
import type { DataPlaneStore } from "../store/data-plane.js";
import type { CallContext } from "./context.js";

export type { CallContext };

// Handlers are typed at their definition (each takes its own request type);
// a binding holds any of them, hence `any` for the request.
export type UnaryHandler = (req: any, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
export type StreamHandler = (req: any, ctx: CallContext) => AsyncIterable<MessageShape<DescMessage>>;
/**
 * Turns REST path parameters and the body (parsed JSON, MISSING when empty, a
 * RawBody when not JSON, a FormBody for a form route) into the request
 * message (throws ValidationFailed); the request's Content-Type comes along.
 */
export type JsonDecoder = (path: Record<string, string>, body: unknown, query?: Record<string, string>, contentType?: string | null) => MessageShape<DescMessage>;

/** Who may call a method: the access it needs on the resource its request names. */
export interface Policy {
  access: Access;
  /** the resource, from the request's path fields by proto name (raw, not yet validated) */
  target(fields: Record<string, string>): Target;
}

/**
 * Methods of one service bound to their handlers. A service's methods may
 * come in several bindings (one per feature file); bindServices merges them.
 */
export interface ServiceBinding {
  service: DescService;
  /** by method localName; a client-streaming method's handler takes an AsyncIterable of its requests */
  handlers: Record<string, UnaryHandler>;
  /** server-streaming methods, by localName */
  streams?: Record<string, StreamHandler>;
  /** by method localName: REST decoders with FastAPI semantics; others use protobuf JSON */
  jsonDecoders?: Record<string, JsonDecoder>;
  /** by method localName; a method without one needs no token */
  policies: Record<string, Policy>;
}

export interface Dependencies {
  messages: MessageStore;
  queue: QueueStore;
  commits: CommitFeed;
  reads: MessageReads;
  resources: ResourceStore;
  sessionPeers: SessionPeerStore;
  dataPlane: DataPlaneStore;
  tokens: TokenCounter;
  /** how long an Idempotency-Key is remembered */
  idempotencyTtlSeconds: number;
  /** cl100k tokens per pending embedding chunk; 0: no embedding rows are written */
  embeddingChunkTokens: number;
  /** Honcho's settings (configuration validation, observer limit) */
  honcho: HonchoSettings;
  /** the token rules, for handlers that authorize against what the body names (Honcho's self-authorizing routes) */
  auth: AuthSettings;
  /** the service's logger (progress of long calls such as ImportMessages) */
  log?: Logger;
  /** told of every stored batch: messages and tokens */
  onIngested?: (messages: number, tokens: number) => void;
}

// Targets and accesses the bindings share.
export const sessionTarget = (f: Record<string, string>): Target => ({ workspace: f.workspace_id ?? "", session: f.session_id ?? "" });
export const workspaceTarget = (f: Record<string, string>): Target => ({ workspace: f.workspace_id ?? "" });
export const sessionWrite: Access = { kind: "session_write" };
export const sessionRead: Access = { kind: "session_read" };
export const workspaceWrite: Access = { kind: "workspace_write" };
