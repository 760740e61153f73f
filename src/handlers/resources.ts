// Get-or-create of workspaces, peers and sessions, as the Honcho SDKs call them.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  GetOrCreatePeerRequestSchema,
  GetOrCreatePeerResponseSchema,
  GetOrCreateSessionRequestSchema,
  GetOrCreateSessionResponseSchema,
  GetOrCreateWorkspaceRequestSchema,
  GetOrCreateWorkspaceResponseSchema,
  PeerService,
  SessionService,
  WorkspaceService,
  type GetOrCreatePeerRequest,
  type GetOrCreateSessionRequest,
  type GetOrCreateWorkspaceRequest,
} from "../../gen/honcho/v3/resources_pb.js";
import { notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { validatePeerCreate, validateSessionCreate, validateWorkspaceCreate } from "../domain/validation/index.js";
import type { ResourceRow } from "../store/resource-store.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./types.js";
import { timestampFromMicros } from "./shapes.js";
import { validatedRpc } from "./validated-rpc.js";

const str = (v: unknown) => v as string;

export const workspaceRpc = validatedRpc(
  WorkspaceService.methods[0]!,
  ({ body }) => validateWorkspaceCreate(body),
  (v) => create(GetOrCreateWorkspaceRequestSchema, { id: v.id, metadata: v.metadata as JsonObject, configuration: v.configuration as JsonObject }),
);

export const peerRpc = validatedRpc(
  PeerService.methods[0]!,
  ({ path, body }) => validatePeerCreate({ workspace_id: str(path.workspace_id) }, body),
  (v) => create(GetOrCreatePeerRequestSchema, { workspaceId: v.workspaceId, id: v.id, metadata: v.metadata as JsonObject, configuration: v.configuration as JsonObject }),
);

export const sessionRpc = validatedRpc(
  SessionService.methods[0]!,
  ({ path, body }) => validateSessionCreate({ workspace_id: str(path.workspace_id) }, body),
  (v) =>
    create(GetOrCreateSessionRequestSchema, {
      workspaceId: v.workspaceId,
      id: v.id,
      metadata: v.metadata as JsonObject,
      configuration: v.configuration as JsonObject,
      peers: v.peers as Record<string, JsonObject>,
    }),
);

const common = (r: ResourceRow) => ({
  id: r.name,
  metadata: r.metadata as JsonObject,
  configuration: r.configuration as JsonObject,
  createdAt: timestampFromMicros(BigInt(r.micros)),
});

export function resourceHandlers({ resources }: Dependencies) {
  return {
    async getOrCreateWorkspace(req: GetOrCreateWorkspaceRequest, _ctx: CallContext) {
      const v = workspaceRpc.valueOf(req);
      const row = await resources.workspace(v.id, newId(), v.metadata, v.configuration);
      return create(GetOrCreateWorkspaceResponseSchema, { workspace: common(row) });
    },
    async getOrCreatePeer(req: GetOrCreatePeerRequest, _ctx: CallContext) {
      const v = peerRpc.valueOf(req);
      const row = await resources.peer(v.workspaceId, v.id, { workspace: newId(), peer: newId() }, v.metadata, v.configuration);
      return create(GetOrCreatePeerResponseSchema, { peer: { ...common(row), workspaceId: v.workspaceId } });
    },
    async getOrCreateSession(req: GetOrCreateSessionRequest, _ctx: CallContext) {
      const v = sessionRpc.valueOf(req);
      const peers = Object.entries(v.peers).map(([name, configuration]) => ({ name, newId: newId(), configuration }));
      const row = await resources.session(v.workspaceId, v.id, { workspace: newId(), session: newId() }, v.metadata, v.configuration, peers);
      if (!row) throw notFound(`Session ${v.id} not found in workspace ${v.workspaceId}`);
      return create(GetOrCreateSessionResponseSchema, { session: { ...common(row), isActive: true, workspaceId: v.workspaceId } });
    },
  };
}
