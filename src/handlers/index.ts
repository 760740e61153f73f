// The services this process implements, each method bound to its handler.
// Transports (Connect, REST) take these bindings and nothing else.
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import type { Access, Target } from "../domain/auth/index.js";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import type { TokenCounter } from "../domain/tokens.js";
import type { MessageStore } from "../store/message-store.js";
import type { CallContext } from "./context.js";
import { createMessagesHandler, decodeCreateMessagesJson } from "./create-messages.js";

// biome-ignore lint: handlers are typed at their definition; bindings are generic.
export type UnaryHandler = (req: any, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
/** Turns REST path parameters and the parsed JSON body (MISSING when empty) into the request message (throws ValidationFailed). */
export type JsonDecoder = (path: Record<string, string>, body: unknown) => MessageShape<DescMessage>;

/** Who may call a method: the access it needs on the resource its request names. */
export interface Policy {
  access: Access;
  /** the resource, from the request's path fields by proto name (raw, not yet validated) */
  target(fields: Record<string, string>): Target;
}

export interface ServiceBinding {
  service: DescService;
  /** by method localName */
  handlers: Record<string, UnaryHandler>;
  /** by method localName: REST decoders with FastAPI semantics; others use protobuf JSON */
  jsonDecoders?: Record<string, JsonDecoder>;
  /** by method localName; a method without one needs no token */
  policies: Record<string, Policy>;
}

const sessionTarget = (f: Record<string, string>): Target => ({ workspace: f.workspace_id ?? "", session: f.session_id ?? "" });

export interface Dependencies {
  messages: MessageStore;
  tokens: TokenCounter;
  /** told of every stored batch: messages and tokens */
  onIngested?: (messages: number, tokens: number) => void;
}

export function bindServices(deps: Dependencies): ServiceBinding[] {
  return [
    {
      service: MessageService,
      handlers: { createMessages: createMessagesHandler(deps) },
      jsonDecoders: { createMessages: decodeCreateMessagesJson },
      policies: { createMessages: { access: { kind: "session_write" }, target: sessionTarget } },
    },
  ];
}
