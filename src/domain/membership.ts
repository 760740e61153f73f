// Honcho's rules for the peers of a session, in Honcho's words
// (src/crud/peer.py, src/crud/session.py, src/utils/scopes.py,
// src/exceptions.py): which peer names may be looked up or created, the
// reserved scope namespace, and the observer limit. Every message here is a
// `detail` Honcho answers; lists of names in them are Python's repr() of a
// sorted list, as Honcho formats them.
import { DomainError } from "./errors.js";
import { pyListRepr, pySorted } from "./filters/python.js";
import { longerThan } from "./validation/strings.js";

const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const MAX_NAME = 512;
/** The peer-name prefix of Honcho's scopes (scope peers are `scope.<name>` with internal_metadata kind "scope"). */
export const SCOPE_PREFIX = "scope.";

/** _SCOPES_ROUTE_GUIDANCE (src/routers/sessions.py): literal text, nothing substituted. */
export const SCOPES_ROUTE_GUIDANCE =
  "Scope membership is managed via the scopes routes (/v3/workspaces/{workspace_id}/scopes/{scope_id}/sessions) or the `scopes` field at session creation.";
/** The action crud appends when a resolved peer turns out to be a scope. */
export const SCOPES_CRUD_GUIDANCE = "Scope membership is managed via the scopes routes.";

const invalid = (detail: string) => new DomainError("invalid_argument", detail);
const distinctSorted = (names: Iterable<string>) => pySorted([...new Set(names)]);

/**
 * _reject_impossible_peer_names: names no stored row can have, refused before
 * any lookup (Honcho: before the query, which would fail on a NUL).
 */
export function impossiblePeerNames(names: string[]): DomainError | undefined {
  if (names.some((n) => n.includes("\0"))) return invalid("Peer name(s) must not contain NUL (0x00) bytes");
  const tooLong = distinctSorted(names.filter((n) => longerThan(n, MAX_NAME)));
  if (tooLong.length > 0) return invalid(`Peer name(s) ${pyListRepr(tooLong)} must be at most ${MAX_NAME} characters`);
  return undefined;
}

/** The names in the reserved namespace (the only ones that can be scopes). */
export const reservedPeerNames = (names: string[]): string[] => distinctSorted(names.filter((n) => n.startsWith(SCOPE_PREFIX)));

/** reject_scope_peers: `names` (sorted) are real scope peers. */
export const scopePeersRefused = (names: string[], action: string) => invalid(`Peer name(s) ${pyListRepr(pySorted(names))} are scopes. ${action}`);

/**
 * _validate_new_peer_names: a peer about to be created must not use the
 * scope prefix (reported first: it is outside the pattern too) and must
 * match the resource name pattern (length and NUL were refused before).
 */
export function newPeerNamesProblem(names: string[]): DomainError | undefined {
  const reserved = reservedPeerNames(names);
  if (reserved.length > 0) return invalid(`Peer name(s) ${pyListRepr(reserved)} use the reserved scope prefix '${SCOPE_PREFIX}'. Use the scopes routes to create scopes.`);
  const offenders = distinctSorted(names.filter((n) => !NAME_RE.test(n)));
  if (offenders.length > 0) return invalid(`Peer name(s) ${pyListRepr(offenders)} must match pattern ^[a-zA-Z0-9_-]+$`);
  return undefined;
}

/** ObserverException (400). */
export const tooManyObservers = (session: string, count: number, limit: number) =>
  new DomainError(
    "bad_request",
    `Cannot create session ${session} with ${count} observers. Maximum allowed is ${limit} observers per session. Observers are peers with 'observe_others' set to true.`,
  );

/** count_observers_in_config: members whose observe_others is set and true. */
export const observersIn = (configs: { observe_others: boolean | null }[]): number => configs.filter((c) => c.observe_others === true).length;

/** get_or_create_scopes' ConflictException (409): a peer that is no scope holds the scope's name. */
export const scopeNameTaken = (peer: string, workspace: string) =>
  new DomainError(
    "conflict",
    `A peer named '${peer}' already exists in workspace ${workspace} but is not a scope. Rename or delete that peer before creating this scope.`,
  );

export const sessionNotFound = (session: string, workspace: string) => new DomainError("not_found", `Session ${session} not found in workspace ${workspace}`);
export const peerNotFound = (peer: string, workspace: string) => new DomainError("not_found", `Peer ${peer} not found in workspace ${workspace}`);
export const memberNotFound = (peer: string, session: string, workspace: string) =>
  new DomainError("not_found", `Session peer ${peer} not found in session ${session} in workspace ${workspace}`);

/** A name Honcho's create models accept (RESOURCE_NAME_PATTERN, at most 512 characters). */
export const isResourceName = (s: string): boolean => NAME_RE.test(s) && !longerThan(s, MAX_NAME);
