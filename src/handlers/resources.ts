// Get-or-create of workspaces, peers and sessions (Honcho's W1, P2, S2), as
// the Honcho SDKs call them: REST 201 when the call created the resource, 200
// when it existed (the responses' `created`). These routes authorize
// themselves: any valid token reaches them, and the handler compares the
// claims with what the validated body names, as Honcho's handlers do.
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
import type { Access } from "../domain/auth/index.js";
import { authorizePeerCreate, authorizeSessionCreate, authorizeWorkspaceCreate } from "../domain/auth/self.js";
import { newId } from "../domain/ids.js";
import { impossiblePeerNames } from "../domain/membership.js";
import { validatePeerCreate, validateSessionCreate, validateWorkspaceCreate } from "../domain/validation/get-or-create.js";
import type { ResourceRow } from "../store/resource-store.js";
import { answeredRow, createdOrLeft } from "./answered-values.js";
import { claimsOf } from "./claims.js";
import type { CallContext } from "./context.js";
import { membershipRules, namedMembers, refusedAs, sessionOf } from "./membership.js";
import { timestampFromMicros } from "./shapes.js";
import type { Dependencies, Policy, ServiceBinding } from "./types.js";
import { validatedRpc } from "./validated-rpc.js";
import { pathWorkspace, vetSessionWorkspace } from "./workspace-names.js";

const str = (v: unknown) => v as string;

// Honcho's require_auth(): a valid token, whatever it names; the handler decides.
const selfAuthorizing: Policy = { access: { kind: "token" } satisfies Access, target: (f) => ({ workspace: f.workspace_id ?? f.id ?? "" }) };

function rpcs(deps: Dependencies) {
  const maxTokens = deps.honcho.maxCustomInstructionsTokens;
  return {
    workspace: validatedRpc(
      WorkspaceService.method.getOrCreateWorkspace,
      ({ body }) => validateWorkspaceCreate(body, maxTokens),
      (v) => create(GetOrCreateWorkspaceRequestSchema, { id: v.id, metadata: v.metadata as JsonObject, configuration: v.configuration as JsonObject }),
    ),
    peer: validatedRpc(
      PeerService.method.getOrCreatePeer,
      ({ path, body }) => validatePeerCreate({ workspace_id: str(path.workspace_id) }, body),
      (v) =>
        create(GetOrCreatePeerRequestSchema, {
          workspaceId: v.workspaceId,
          id: v.id,
          metadata: (v.metadata ?? undefined) as JsonObject | undefined,
          configuration: (v.configuration ?? undefined) as JsonObject | undefined,
        }),
    ),
    session: validatedRpc(
      SessionService.method.getOrCreateSession,
      ({ path, body }) => validateSessionCreate({ workspace_id: str(path.workspace_id) }, body, maxTokens),
      (v) =>
        create(GetOrCreateSessionRequestSchema, {
          workspaceId: v.workspaceId,
          id: v.id,
          metadata: (v.metadata ?? undefined) as JsonObject | undefined,
          configuration: (v.configuration ?? undefined) as JsonObject | undefined,
          peers: Object.fromEntries((v.peers ?? []).map(([peer, c]) => [peer, { ...c } as JsonObject])),
          scopes: v.scopes ?? [],
        }),
      pathWorkspace,
    ),
  };
}

const common = (r: ResourceRow) => ({
  id: r.name,
  metadata: r.metadata as JsonObject,
  configuration: r.configuration as JsonObject,
  createdAt: timestampFromMicros(BigInt(r.micros)),
});

export function resourceBindings(deps: Dependencies): ServiceBinding[] {
  const { resources, sessionPeers, honcho, auth } = deps;
  const rpc = rpcs(deps);
  const rules = membershipRules(honcho);

  async function getOrCreateWorkspace(req: GetOrCreateWorkspaceRequest, ctx: CallContext) {
    const v = rpc.workspace.valueOf(req);
    authorizeWorkspaceCreate(await claimsOf(auth, ctx), v.id);
    const { row, created } = await resources.workspace(v.id, newId(), v.metadata, v.configuration);
    return create(GetOrCreateWorkspaceResponseSchema, { workspace: common(answeredRow(row, v, createdOrLeft(created))), created });
  }

  async function getOrCreatePeer(req: GetOrCreatePeerRequest, ctx: CallContext) {
    const v = rpc.peer.valueOf(req);
    authorizePeerCreate(await claimsOf(auth, ctx), v.workspaceId, v.id);
    const { row, created, prior } = await resources.peer(v.workspaceId, v.id, { workspace: newId(), peer: newId() }, v.metadata, v.configuration);
    return create(GetOrCreatePeerResponseSchema, { peer: { ...common(answeredRow(row, v, prior)), workspaceId: v.workspaceId }, created });
  }

  async function getOrCreateSession(req: GetOrCreateSessionRequest, ctx: CallContext) {
    const v = rpc.session.valueOf(req);
    const withScopes = (v.scopes?.length ?? 0) > 0;
    authorizeSessionCreate(await claimsOf(auth, ctx), v.workspaceId, v.id, withScopes);
    await vetSessionWorkspace(resources, v, v.id);
    const peers = v.peers ?? [];
    const impossible = impossiblePeerNames(peers.map(([name]) => name));
    if (impossible) throw impossible;
    const { row, created, prior } = await refusedAs({ workspace: v.workspaceId, session: v.id, limit: honcho.sessionObserversLimit }, () =>
      sessionPeers.getOrCreateSession(
        {
          workspace: v.workspaceId,
          name: v.id,
          newWorkspaceId: newId(),
          newSessionId: newId(),
          metadata: v.metadata,
          configuration: v.configuration,
          peers: namedMembers(peers),
          scopes: (v.scopes ?? []).map((name) => ({ name, newId: newId() })),
        },
        rules,
      ),
    );
    return create(GetOrCreateSessionResponseSchema, { session: sessionOf(answeredRow(row, v, prior)), created });
  }

  return [
    {
      service: WorkspaceService,
      handlers: { getOrCreateWorkspace },
      jsonDecoders: { getOrCreateWorkspace: rpc.workspace.decode },
      policies: { getOrCreateWorkspace: selfAuthorizing },
    },
    {
      service: PeerService,
      handlers: { getOrCreatePeer },
      jsonDecoders: { getOrCreatePeer: rpc.peer.decode },
      policies: { getOrCreatePeer: selfAuthorizing },
    },
    {
      service: SessionService,
      handlers: { getOrCreateSession },
      jsonDecoders: { getOrCreateSession: rpc.session.decode },
      policies: { getOrCreateSession: selfAuthorizing },
    },
  ];
}
