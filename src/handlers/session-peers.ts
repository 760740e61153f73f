// The peers of a session (Honcho's S6-S11): add, replace and remove members,
// read and merge a member's session configuration, and list the members.
// Each call is one transaction under Honcho's session lock when it changes
// membership (src/store/session-peers-store.ts).
//
// Path parameters are plain strings in Honcho: a name no row can have is not
// found. A name holding NUL cannot be sent to PostgreSQL at all (Honcho: a
// driver error, 500); it is answered as the lookup it would fail is.
import { create } from "@bufbuild/protobuf";
import {
  AddSessionPeersRequestSchema,
  AddSessionPeersResponseSchema,
  GetSessionPeerConfigRequestSchema,
  GetSessionPeerConfigResponseSchema,
  ListSessionPeersRequestSchema,
  ListSessionPeersResponseSchema,
  RemoveSessionPeersRequestSchema,
  RemoveSessionPeersResponseSchema,
  SessionPeerConfigSchema,
  SessionPeerService,
  SetSessionPeerConfigRequestSchema,
  SetSessionPeerConfigResponseSchema,
  SetSessionPeersRequestSchema,
  SetSessionPeersResponseSchema,
  type AddSessionPeersRequest,
  type GetSessionPeerConfigRequest,
  type ListSessionPeersRequest,
  type RemoveSessionPeersRequest,
  type SetSessionPeerConfigRequest,
  type SetSessionPeersRequest,
} from "../../gen/honcho/v3/session_peers_pb.js";
import { notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { impossiblePeerNames, isResourceName, peerNotFound, sessionNotFound } from "../domain/membership.js";
import { withoutNulls, type SessionPeerConfigDump } from "../domain/validation/configuration.js";
import { laxBool } from "../domain/validation/python-lax.js";
import { isObject } from "../domain/validation/fields.js";
import { validateMemberConfig, validateMemberList, validateMemberRef, validatePeerList, validatePeerMap } from "../domain/validation/session-peers.js";
import type { CallContext } from "./context.js";
import { membershipRules, namedMembers, peerOf, refusedAs, sessionOf } from "./membership.js";
import { offsetOf, pageOf } from "./pages.js";
import { sessionRead, sessionTarget, sessionWrite, type Dependencies, type ServiceBinding } from "./types.js";
import { validatedRpc } from "./validated-rpc.js";

const m = SessionPeerService.method;
const hasNul = (...names: string[]) => names.some((n) => n.includes("\0"));
type Parts = { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown };
const sessionPath = ({ path }: Parts) => ({ workspace_id: path.workspace_id, session_id: path.session_id });
const memberPath = ({ path }: Parts) => ({ workspace_id: path.workspace_id, session_id: path.session_id, peer_id: path.peer_id });

const configMessage = (c: SessionPeerConfigDump) =>
  create(SessionPeerConfigSchema, { observeMe: c.observe_me ?? undefined, observeOthers: c.observe_others ?? undefined });

export const addPeersRpc = validatedRpc(
  m.addSessionPeers,
  (p) => validatePeerMap(sessionPath(p), p.body),
  (v) => create(AddSessionPeersRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, peers: Object.fromEntries(v.peers.map(([k, c]) => [k, configMessage(c)])) }),
);
export const setPeersRpc = validatedRpc(
  m.setSessionPeers,
  (p) => validatePeerMap(sessionPath(p), p.body),
  (v) => create(SetSessionPeersRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, peers: Object.fromEntries(v.peers.map(([k, c]) => [k, configMessage(c)])) }),
);
export const removePeersRpc = validatedRpc(
  m.removeSessionPeers,
  (p) => validatePeerList(sessionPath(p), p.body),
  (v) => create(RemoveSessionPeersRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, peerIds: v.peers }),
);
export const getConfigRpc = validatedRpc(
  m.getSessionPeerConfig,
  (p) => validateMemberRef(memberPath(p)),
  (v) => create(GetSessionPeerConfigRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, peerId: v.peerId }),
);
export const setConfigRpc = validatedRpc(
  m.setSessionPeerConfig,
  (p) => validateMemberConfig(memberPath(p), p.body),
  (v) => create(SetSessionPeerConfigRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, peerId: v.peerId, config: configMessage(v.config) }),
);
export const listPeersRpc = validatedRpc(
  m.listSessionPeers,
  (p) => validateMemberList(sessionPath(p), p.query),
  (v) => create(ListSessionPeersRequestSchema, { workspaceId: v.workspaceId, sessionId: v.sessionId, page: v.page, size: v.size }),
);

/** SessionPeerConfig(**stored): the two fields, lax; a stored value pydantic would refuse (Honcho: 500) reads as null. */
function storedConfig(stored: unknown): SessionPeerConfigDump {
  const o = isObject(stored) ? stored : {};
  const read = (k: string) => (o[k] === undefined || o[k] === null ? null : (laxBool(o[k], [], []) ?? null));
  return { observe_me: read("observe_me"), observe_others: read("observe_others") };
}

export function sessionPeerBindings(deps: Dependencies): ServiceBinding[] {
  const { sessionPeers, honcho } = deps;
  const rules = membershipRules(honcho);
  const limit = honcho.sessionObserversLimit;

  return [
    {
      service: SessionPeerService,
      handlers: {
        // S6: exactly S2 with only `peers` (the session is created when
        // missing), answered 200; a session_id SessionCreate refuses is
        // Honcho's `except ValueError` → 404 "Session not found", and so is
        // a session that would be created in a workspace under a legacy
        // name (WorkspaceCreate); one that exists there takes its members
        // (Honcho's get_or_create_peers fails on the name: workspace-names.ts)
        async addSessionPeers(req: AddSessionPeersRequest, _ctx: CallContext) {
          const v = addPeersRpc.valueOf(req);
          const impossible = impossiblePeerNames(v.peers.map(([name]) => name));
          if (impossible) throw impossible;
          if (!isResourceName(v.sessionId)) throw notFound("Session not found");
          if (!isResourceName(v.workspaceId) && !(await deps.resources.sessionExists(v.workspaceId, v.sessionId))) throw notFound("Session not found");
          const { row } = await refusedAs({ workspace: v.workspaceId, session: v.sessionId, limit }, () =>
            sessionPeers.getOrCreateSession(
              { workspace: v.workspaceId, name: v.sessionId, newWorkspaceId: newId(), newSessionId: newId(), metadata: null, configuration: null, peers: namedMembers(v.peers) },
              rules,
            ),
          );
          return create(AddSessionPeersResponseSchema, { session: sessionOf(row) });
        },

        // S7
        async setSessionPeers(req: SetSessionPeersRequest, _ctx: CallContext) {
          const v = setPeersRpc.valueOf(req);
          const impossible = impossiblePeerNames(v.peers.map(([name]) => name));
          if (impossible) throw impossible;
          if (hasNul(v.workspaceId, v.sessionId)) throw sessionNotFound(v.sessionId, v.workspaceId);
          const row = await refusedAs({ workspace: v.workspaceId, session: v.sessionId, limit, invalidSessionName: "Failed to set peers for session" }, () =>
            sessionPeers.setPeers(v.workspaceId, v.sessionId, namedMembers(v.peers), rules),
          );
          return create(SetSessionPeersResponseSchema, { session: sessionOf(row) });
        },

        // S8
        async removeSessionPeers(req: RemoveSessionPeersRequest, _ctx: CallContext) {
          const v = removePeersRpc.valueOf(req);
          const impossible = impossiblePeerNames(v.peers);
          if (impossible) throw impossible;
          if (hasNul(v.workspaceId, v.sessionId)) throw sessionNotFound(v.sessionId, v.workspaceId);
          const row = await refusedAs({ workspace: v.workspaceId, session: v.sessionId, limit, invalidSessionName: "Session not found" }, () =>
            sessionPeers.removePeers(v.workspaceId, v.sessionId, [...new Set(v.peers)], rules),
          );
          return create(RemoveSessionPeersResponseSchema, { session: sessionOf(row) });
        },

        // S9: the peer first, then its membership (left members included)
        async getSessionPeerConfig(req: GetSessionPeerConfigRequest, _ctx: CallContext) {
          const v = getConfigRpc.valueOf(req);
          if (hasNul(v.workspaceId, v.peerId)) throw peerNotFound(v.peerId, v.workspaceId);
          const stored = await refusedAs({ workspace: v.workspaceId, session: v.sessionId, peer: v.peerId, limit }, () =>
            sessionPeers.memberConfig(v.workspaceId, hasNul(v.sessionId) ? null : v.sessionId, v.peerId),
          );
          return create(GetSessionPeerConfigResponseSchema, { config: configMessage(storedConfig(stored)) });
        },

        // S10: 204
        async setSessionPeerConfig(req: SetSessionPeerConfigRequest, _ctx: CallContext) {
          const v = setConfigRpc.valueOf(req);
          if (hasNul(v.workspaceId, v.sessionId)) throw sessionNotFound(v.sessionId, v.workspaceId);
          await refusedAs({ workspace: v.workspaceId, session: v.sessionId, peer: v.peerId, limit }, () =>
            sessionPeers.setMemberConfig(v.workspaceId, v.sessionId, hasNul(v.peerId) ? null : v.peerId, withoutNulls(v.config), rules),
          );
          return create(SetSessionPeerConfigResponseSchema, {});
        },

        // S11: no session check (an unknown session has no members)
        async listSessionPeers(req: ListSessionPeersRequest, _ctx: CallContext) {
          const v = listPeersRpc.valueOf(req);
          const q = { page: v.page, size: v.size, reverse: false };
          const { rows, total } = hasNul(v.workspaceId, v.sessionId) ? { rows: [], total: 0 } : await sessionPeers.listPeers(v.workspaceId, v.sessionId, offsetOf(q), v.size);
          return create(ListSessionPeersResponseSchema, pageOf(rows, total, q, peerOf));
        },
      },
      jsonDecoders: {
        addSessionPeers: addPeersRpc.decode,
        setSessionPeers: setPeersRpc.decode,
        removeSessionPeers: removePeersRpc.decode,
        getSessionPeerConfig: getConfigRpc.decode,
        setSessionPeerConfig: setConfigRpc.decode,
        listSessionPeers: listPeersRpc.decode,
      },
      policies: {
        addSessionPeers: { access: sessionWrite, target: sessionTarget },
        setSessionPeers: { access: sessionWrite, target: sessionTarget },
        removeSessionPeers: { access: sessionWrite, target: sessionTarget },
        setSessionPeerConfig: { access: sessionWrite, target: sessionTarget },
        // a member peer may read its own configuration only
        getSessionPeerConfig: { access: { kind: "session_read_own" }, target: (f) => ({ ...sessionTarget(f), peer: f.peer_id ?? "" }) },
        listSessionPeers: { access: sessionRead, target: sessionTarget },
      },
    },
  ];
}
