// MessageService's bulk ways in: UploadMessages (a file, Honcho's
// messages/upload) and ImportMessages (a client stream), both writing through
// the CreateMessages path, with the same access: writing to the session.
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import { importMessagesHandler } from "./import-messages.js";
import { sessionTarget, sessionWrite, type Dependencies, type ServiceBinding } from "./types.js";
import { uploadMessagesHandler, uploadMessagesRpc } from "./upload-messages.js";

export function bulkMessageBindings(deps: Dependencies): ServiceBinding[] {
  const upload = uploadMessagesRpc(deps.honcho.maxCustomInstructionsTokens);
  return [
    {
      service: MessageService,
      // importMessages is client-streaming: its handler takes the stream of requests
      handlers: { uploadMessages: uploadMessagesHandler(deps, upload), importMessages: importMessagesHandler(deps) },
      jsonDecoders: { uploadMessages: upload.decode },
      // ImportMessages: the workspace and session its first request names
      policies: { uploadMessages: { access: sessionWrite, target: sessionTarget }, importMessages: { access: sessionWrite, target: sessionTarget } },
    },
  ];
}
