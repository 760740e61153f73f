// Which peers are scopes (Honcho's src/utils/scopes.py): a scope named x is
// the peer `scope.x` carrying {"kind": "scope"} in its internal_metadata.
// Both halves count: a peer that only holds the name (a legacy row), or only
// looks like a scope in its user-writable configuration, is no scope.
import { SCOPE_PREFIX } from "../domain/membership.js";

/** Honcho's scope_peer_clause() on the peers row `alias`: the reserved prefix AND the kind flag. */
export const isScopePeer = (alias: string) => `(starts_with(${alias}.name, '${SCOPE_PREFIX}') AND ${alias}.internal_metadata @> '{"kind": "scope"}'::jsonb)`;
