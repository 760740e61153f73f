// ListPeers, UpdatePeer, ListPeerSessions, GetPeerCard and SetPeerCard
// (Honcho's src/routers/peers.py P1, P3-P6).
import { create } from "@bufbuild/protobuf";
import {
  GetPeerCardRequestSchema,
  GetPeerCardResponseSchema,
  ListPeerSessionsRequestSchema,
  ListPeerSessionsResponseSchema,
  ListPeersRequestSchema,
  ListPeersResponseSchema,
  PeerService,
  SetPeerCardRequestSchema,
  SetPeerCardResponseSchema,
  UpdatePeerRequestSchema,
  UpdatePeerResponseSchema,
  type GetPeerCardRequest,
  type ListPeerSessionsRequest,
  type ListPeersRequest,
  type SetPeerCardRequest,
  type UpdatePeerRequest,
} from "../../gen/honcho/v3/resources_pb.js";
import { DomainError, notFound } from "../domain/errors.js";
import { pyListRepr } from "../domain/filters/python.js";
import { newId } from "../domain/ids.js";
import { impossiblePeerNames, SCOPE_PREFIX } from "../domain/membership.js";
import { pathPeer, scopeIsNoPeerToUpdate, vetPeerNames } from "./peer-names.js";
import { validatePeerList, validatePeerSessionList } from "../domain/validation/lists.js";
import { validatePeerCardGet, validatePeerCardSet } from "../domain/validation/peer-cards.js";
import { validatePeerUpdate } from "../domain/validation/updates.js";
import type { ResourceStore } from "../store/resource-store.js";
import { answeredRow } from "./answered-values.js";
import { peerOf, sessionOf, stringList } from "./data-plane-shapes.js";
import { offsetOf, pageOf } from "./pages.js";
import type { Dependencies, Policy, ServiceBinding } from "./types.js";
import { validatedRpc } from "./validated-rpc.js";

const m = PeerService.method;

export const listPeersRpc = validatedRpc(
  m.listPeers,
  ({ path, query, body }) => validatePeerList({ workspace_id: path.workspace_id }, query, body),
  (v) => create(ListPeersRequestSchema, { workspaceId: v.workspaceId, page: v.page, size: v.size, reverse: v.reverse }),
);
export const updatePeerRpc = validatedRpc(
  m.updatePeer,
  ({ path, body }) => validatePeerUpdate({ workspace_id: path.workspace_id, peer_id: path.peer_id }, body),
  (v) => create(UpdatePeerRequestSchema, { workspaceId: v.workspaceId, peerId: v.peerId }),
  pathPeer,
);
export const listPeerSessionsRpc = validatedRpc(
  m.listPeerSessions,
  ({ path, query, body }) => validatePeerSessionList({ workspace_id: path.workspace_id, peer_id: path.peer_id }, query, body),
  (v) => create(ListPeerSessionsRequestSchema, { workspaceId: v.workspaceId, peerId: v.peerId, page: v.page, size: v.size, reverse: v.reverse }),
);
export const getPeerCardRpc = validatedRpc(
  m.getPeerCard,
  ({ path, query }) => validatePeerCardGet({ workspace_id: path.workspace_id, peer_id: path.peer_id }, query),
  (v) => create(GetPeerCardRequestSchema, { workspaceId: v.workspaceId, peerId: v.peerId }),
  pathPeer,
);
export const setPeerCardRpc = validatedRpc(
  m.setPeerCard,
  ({ path, query, body }) => validatePeerCardSet({ workspace_id: path.workspace_id, peer_id: path.peer_id }, query, body),
  (v) => create(SetPeerCardRequestSchema, { workspaceId: v.workspaceId, peerId: v.peerId }),
  pathPeer,
);

const NO_CARD_ABOUT_SCOPES = "No peer card is ever formed about a scope.";

// Honcho's reject_scope_observed for the card's subject: an impossible name,
// a scope, or a name in the scope namespace that is no peer yet (it could
// become a scope) is refused; an ordinary peer there is not.
async function checkObserved(resources: ResourceStore, workspace: string, observed: string): Promise<void> {
  const impossible = impossiblePeerNames([observed]);
  if (impossible) throw impossible;
  if (!observed.startsWith(SCOPE_PREFIX)) return;
  const kind = (await resources.peerKinds(workspace, [observed])).get(observed);
  const names = pyListRepr([observed]);
  if (kind === "scope") throw new DomainError("invalid_argument", `Peer name(s) ${names} are scopes. ${NO_CARD_ABOUT_SCOPES}`);
  if (kind === undefined) {
    throw new DomainError(
      "invalid_argument",
      `Peer name(s) ${names} are in the reserved scope namespace and do not exist, so they may become scopes later. ${NO_CARD_ABOUT_SCOPES}`,
    );
  }
}

// "workspace or peer": a workspace token, or the token of the peer in the path
const peerWrite: Policy = { access: { kind: "workspace_write" }, target: (f) => ({ workspace: f.workspace_id ?? "", peer: f.peer_id ?? "" }) };
const peerRead: Policy = { access: { kind: "workspace_read" }, target: (f) => ({ workspace: f.workspace_id ?? "", peer: f.peer_id ?? "" }) };

export function peerBindings(deps: Dependencies): ServiceBinding[] {
  const store = deps.dataPlane;
  return [
    {
      service: PeerService,
      handlers: {
        async listPeers(req: ListPeersRequest) {
          const v = listPeersRpc.valueOf(req);
          const { rows, total } = await store.lists.peers(v.workspaceId, v.kind, v.filter, { offset: offsetOf(v), limit: v.size, newestFirst: v.reverse });
          return create(ListPeersResponseSchema, pageOf(rows, total, v, peerOf));
        },
        async updatePeer(req: UpdatePeerRequest) {
          const v = updatePeerRpc.valueOf(req);
          await vetPeerNames(deps.resources, v.workspaceId, v, scopeIsNoPeerToUpdate);
          const { row, prior } = await store.updates.peer(v.workspaceId, v.peerId, { workspace: newId(), peer: newId() }, v);
          return create(UpdatePeerResponseSchema, { peer: peerOf(answeredRow(row, v, prior)) });
        },
        async listPeerSessions(req: ListPeerSessionsRequest) {
          const v = listPeerSessionsRpc.valueOf(req);
          const { rows, total } = await store.lists.peerSessions(v.workspaceId, v.peerId, v.filter, { offset: offsetOf(v), limit: v.size, newestFirst: v.reverse });
          return create(ListPeerSessionsResponseSchema, pageOf(rows, total, v, sessionOf));
        },
        async getPeerCard(req: GetPeerCardRequest) {
          const v = getPeerCardRpc.valueOf(req);
          await vetPeerNames(deps.resources, v.workspaceId, v);
          const card = await store.cards.get(v.workspaceId, v.peerId, v.observed);
          if (card === undefined) throw notFound(`Peer ${v.peerId} not found in workspace ${v.workspaceId}`);
          return create(GetPeerCardResponseSchema, card === null ? {} : { peerCard: stringList(card) });
        },
        async setPeerCard(req: SetPeerCardRequest) {
          const v = setPeerCardRpc.valueOf(req);
          await vetPeerNames(deps.resources, v.workspaceId, v);
          await checkObserved(deps.resources, v.workspaceId, v.observed);
          await store.cards.set(v.workspaceId, v.peerId, v.observed, v.card, { workspace: newId(), peer: newId() });
          return create(SetPeerCardResponseSchema, { peerCard: stringList(v.card) });
        },
      },
      jsonDecoders: {
        listPeers: listPeersRpc.decode,
        updatePeer: updatePeerRpc.decode,
        listPeerSessions: listPeerSessionsRpc.decode,
        getPeerCard: getPeerCardRpc.decode,
        setPeerCard: setPeerCardRpc.decode,
      },
      policies: {
        listPeers: { access: { kind: "workspace_read" }, target: (f) => ({ workspace: f.workspace_id ?? "" }) },
        updatePeer: peerWrite,
        listPeerSessions: peerRead,
        getPeerCard: peerRead,
        setPeerCard: peerWrite,
      },
    },
  ];
}
