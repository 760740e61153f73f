// The services this process implements, each method bound to its handler.
// Transports (Connect, REST) take these bindings and nothing else. Each
// feature file exports the bindings of its methods; a service whose methods
// come from several files is merged here.
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { QueueService, WatchService } from "../../gen/honcho/v3/queue_pb.js";
import { createMessagesHandler, createMessagesRpc } from "./create-messages.js";
import { getMessageRpc, listMessagesRpc, readMessageHandlers, updateMessageRpc } from "./read-messages.js";
import { queueHandlers } from "./queue.js";
import { resourceBindings } from "./resources.js";
import { sessionPeerBindings } from "./session-peers.js";
import { dataPlaneBindings } from "./data-plane.js";
import { bulkMessageBindings } from "./bulk-messages.js";
import { sessionRead, sessionTarget, sessionWrite, workspaceTarget, workspaceWrite, type Dependencies, type ServiceBinding } from "./types.js";
import { watchMessagesHandler } from "./watch-messages.js";

export type { Dependencies, JsonDecoder, Policy, ServiceBinding, StreamHandler, UnaryHandler } from "./types.js";

export function bindServices(deps: Dependencies): ServiceBinding[] {
  return mergeBindings([...coreBindings(deps), ...resourceBindings(deps), ...sessionPeerBindings(deps), ...dataPlaneBindings(deps), ...bulkMessageBindings(deps)]);
}

function coreBindings(deps: Dependencies): ServiceBinding[] {
  const queue = queueHandlers(deps);
  const createMessages = createMessagesRpc(deps.honcho.maxCustomInstructionsTokens);
  return [
    {
      service: QueueService,
      handlers: { claimWork: queue.claimWork, ackWork: queue.ackWork },
      // admin or workspace tokens
      policies: { claimWork: { access: workspaceWrite, target: workspaceTarget }, ackWork: { access: workspaceWrite, target: workspaceTarget } },
    },
    {
      service: WatchService,
      handlers: {},
      streams: { watchMessages: watchMessagesHandler(deps) },
      policies: { watchMessages: { access: sessionRead, target: sessionTarget } },
    },
    {
      service: MessageService,
      handlers: { createMessages: createMessagesHandler(deps, createMessages), ...readMessageHandlers(deps) },
      jsonDecoders: {
        createMessages: createMessages.decode,
        getMessage: getMessageRpc.decode,
        updateMessage: updateMessageRpc.decode,
        listMessages: listMessagesRpc.decode,
      },
      policies: {
        createMessages: { access: sessionWrite, target: sessionTarget },
        updateMessage: { access: sessionWrite, target: sessionTarget },
        getMessage: { access: sessionRead, target: sessionTarget },
        listMessages: { access: sessionRead, target: sessionTarget },
      },
    },
  ];
}

/** One binding per service, its methods gathered from every feature's binding; a method bound twice is an error. */
export function mergeBindings(pieces: ServiceBinding[]): ServiceBinding[] {
  const byService = new Map<string, ServiceBinding>();
  for (const p of pieces) {
    const seen = byService.get(p.service.typeName);
    if (!seen) {
      byService.set(p.service.typeName, { ...p, handlers: { ...p.handlers }, streams: { ...p.streams }, jsonDecoders: { ...p.jsonDecoders }, policies: { ...p.policies } });
      continue;
    }
    for (const name of [...Object.keys(p.handlers), ...Object.keys(p.streams ?? {})]) {
      if (name in seen.handlers || name in (seen.streams ?? {})) throw new Error(`${p.service.typeName}.${name} is bound twice`);
    }
    Object.assign(seen.handlers, p.handlers);
    Object.assign(seen.streams!, p.streams);
    Object.assign(seen.jsonDecoders!, p.jsonDecoders);
    Object.assign(seen.policies, p.policies);
  }
  return [...byService.values()];
}
