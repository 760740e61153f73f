// The services this process implements, each method bound to its handler.
// Transports (Connect, REST) take these bindings and nothing else.
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import type { MessageStore } from "../store/message-store.js";
import type { CallContext } from "./context.js";
import { createMessagesHandler, decodeCreateMessagesJson } from "./create-messages.js";

// biome-ignore lint: handlers are typed at their definition; bindings are generic.
export type UnaryHandler = (req: any, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
/** Turns REST path parameters and the raw JSON body into the request message (throws ValidationFailed). */
export type JsonDecoder = (path: Record<string, string>, body: string) => MessageShape<DescMessage>;

export interface ServiceBinding {
  service: DescService;
  /** by method localName */
  handlers: Record<string, UnaryHandler>;
  /** by method localName: REST decoders with FastAPI semantics; others use protobuf JSON */
  jsonDecoders?: Record<string, JsonDecoder>;
}

export interface Dependencies {
  messages: MessageStore;
  /** told of every stored batch: messages and tokens */
  onIngested?: (messages: number, tokens: number) => void;
}

export function bindServices(deps: Dependencies): ServiceBinding[] {
  return [
    {
      service: MessageService,
      handlers: { createMessages: createMessagesHandler(deps) },
      jsonDecoders: { createMessages: decodeCreateMessagesJson },
    },
  ];
}
