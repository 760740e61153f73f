// What the session and session-peers handlers share: the store's membership
// rules from Honcho's settings, its refusals in Honcho's words, and the
// Session / Peer answers built from stored rows.
import type { JsonObject } from "@bufbuild/protobuf";
import { PeerSchema, SessionSchema, type Peer, type Session } from "../../gen/honcho/v3/resources_pb.js";
import type { HonchoSettings } from "../config-honcho.js";
import { DomainError, notFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import {
  isResourceName,
  memberNotFound,
  newPeerNamesProblem,
  peerNotFound,
  SCOPES_CRUD_GUIDANCE,
  SCOPES_ROUTE_GUIDANCE,
  scopeNameTaken,
  scopePeersRefused,
  sessionNotFound,
  tooManyObservers,
} from "../domain/membership.js";
import type { SessionPeerConfigDump } from "../domain/validation/configuration.js";
import type { PeerRow, SessionRow } from "../store/session-peers-store.js";
import { MembershipRefused, type MembershipRules, type NamedMember } from "../store/session-peers-store.js";
import { timestampFromMicros } from "./shapes.js";

export function membershipRules(honcho: HonchoSettings): MembershipRules {
  return {
    observersLimit: honcho.sessionObserversLimit,
    acceptsNewPeers: (names) => newPeerNamesProblem(names) === undefined,
    acceptsSessionName: isResourceName,
  };
}

/** The peers of a request, each with the id it gets if it is created. */
export const namedMembers = (peers: [string, SessionPeerConfigDump][]): NamedMember[] => peers.map(([name, config]) => ({ name, newId: newId(), config }));

export interface RefusalContext {
  workspace: string;
  session: string;
  peer?: string;
  limit: number;
  /** Honcho's answer when the session's name is one SessionCreate refuses (the route's `except ValueError`) */
  invalidSessionName?: string;
}

/** Runs a store call, turning its refusal into Honcho's answer. */
export async function refusedAs<T>(ctx: RefusalContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MembershipRefused) throw refusalError(err, ctx);
    throw err;
  }
}

function refusalError({ refusal: r }: MembershipRefused, ctx: RefusalContext): DomainError {
  switch (r.kind) {
    case "scope_peers":
      return scopePeersRefused(r.names, SCOPES_ROUTE_GUIDANCE);
    case "peer_is_scope":
      return scopePeersRefused([r.name], SCOPES_CRUD_GUIDANCE);
    case "no_session":
    case "inactive_session":
      return sessionNotFound(ctx.session, ctx.workspace);
    case "new_peer_names":
      return newPeerNamesProblem(r.names) ?? new DomainError("invalid_argument", "Invalid peer names");
    case "observers":
      return tooManyObservers(ctx.session, r.count, ctx.limit);
    case "no_peer":
      return peerNotFound(ctx.peer ?? "", ctx.workspace);
    case "no_member":
      return memberNotFound(ctx.peer ?? "", ctx.session, ctx.workspace);
    case "invalid_session_name":
      return notFound(ctx.invalidSessionName ?? "Session not found");
    case "scope_name_taken":
      return scopeNameTaken(r.name, ctx.workspace);
  }
}

export function sessionOf(r: SessionRow): Session {
  return {
    $typeName: SessionSchema.typeName,
    id: r.name,
    isActive: r.is_active,
    workspaceId: r.workspace_name,
    metadata: r.metadata as JsonObject,
    configuration: r.configuration as JsonObject,
    createdAt: timestampFromMicros(BigInt(r.micros)),
  };
}

export function peerOf(r: PeerRow): Peer {
  return {
    $typeName: PeerSchema.typeName,
    id: r.name,
    workspaceId: r.workspace_name,
    createdAt: timestampFromMicros(BigInt(r.micros)),
    metadata: r.metadata as JsonObject,
    configuration: r.configuration as JsonObject,
  };
}
