// The stores whose writes change rows Honcho caches (honcho-cache.ts), each
// such write followed by dropping Honcho's entries for the rows it changed,
// after its commit and before its caller answers, as Honcho's own writes do:
// a client that writes here and then reads through Honcho sees its write.
// What only inserts (messages, new peers and sessions, clones) drops nothing:
// Honcho caches no absent row (cashews' condition=NOT_NONE).
import type { DataPlaneStore } from "./data-plane.js";
import { unreachableCache, type HonchoCache } from "./honcho-cache.js";
import { changedConfiguration, changedMetadata, type Change, type Prior } from "./resource-updates.js";
import type { ResourceStore } from "./resource-store.js";
import type { SessionPeerStore } from "./session-peers-store.js";

export interface CachedRowStores {
  resources: ResourceStore;
  sessionPeers: SessionPeerStore;
  dataPlane: DataPlaneStore;
}

/** The call changed a row that was there before it: what it gave differed from what was stored. */
export function changedRow(prior: Prior, given: Change): boolean {
  return !prior.created && (changedMetadata(prior, given) || changedConfiguration(prior, given));
}

export function dropCachedOnWrite(stores: CachedRowStores, cache: HonchoCache): CachedRowStores {
  if (cache === unreachableCache) return stores;
  const { resources, sessionPeers, dataPlane } = stores;
  const { updates, deletes, cards } = dataPlane;
  return {
    resources: {
      ...resources,
      async peer(workspace, name, newIds, metadata, configuration) {
        const r = await resources.peer(workspace, name, newIds, metadata, configuration);
        if (changedRow(r.prior, { metadata, configuration })) await cache.forget([{ workspace, peer: name }]);
        return r;
      },
    },
    sessionPeers: {
      ...sessionPeers,
      async getOrCreateSession(spec, rules) {
        const r = await sessionPeers.getOrCreateSession(spec, rules);
        const changed = [
          ...(changedRow(r.prior, spec) ? [{ workspace: spec.workspace, session: spec.name }] : []),
          // a queued scope backfill writes its status into the scope peer's row
          ...r.backfilled.map((peer) => ({ workspace: spec.workspace, peer })),
        ];
        if (changed.length > 0) await cache.forget(changed);
        return r;
      },
    },
    dataPlane: {
      ...dataPlane,
      updates: {
        async workspace(name, newId, change) {
          const r = await updates.workspace(name, newId, change);
          if (changedRow(r.prior, change)) await cache.forget([{ workspace: name }]);
          return r;
        },
        async peer(workspace, name, newIds, change) {
          const r = await updates.peer(workspace, name, newIds, change);
          if (changedRow(r.prior, change)) await cache.forget([{ workspace, peer: name }]);
          return r;
        },
        async session(workspace, name, newIds, change) {
          const r = await updates.session(workspace, name, newIds, change);
          if (r !== null && changedRow(r.prior, change)) await cache.forget([{ workspace, session: name }]);
          return r;
        },
      },
      deletes: {
        async session(workspace, session) {
          const deleted = await deletes.session(workspace, session);
          if (deleted) await cache.forget([{ workspace, session }]);
          return deleted;
        },
        // a workspace's deletion changes no row until it is purged, and
        // beside Honcho its deriver purges it, dropping the entries itself
        workspace: deletes.workspace,
      },
      cards: {
        ...cards,
        async set(workspace, observer, observed, card, newIds) {
          await cards.set(workspace, observer, observed, card, newIds);
          // the card is in the observer's row (internal_metadata)
          await cache.forget([{ workspace, peer: observer }]);
        },
      },
    },
  };
}
