// The stores behind the rest of Honcho's data plane (lists, updates, deletes
// and their purge, clone, peer cards, summaries, queue status), made together
// for the handlers.
import type { Sql } from "postgres";
import { createClones, type Clones } from "./clones.js";
import { createDeletes, type Deletes } from "./deletes.js";
import { createDeletionPurge, type DeletionPurge } from "./deletion-purge.js";
import { createListReads, type ListReads } from "./list-reads.js";
import { createPeerCards, type PeerCards } from "./peer-cards.js";
import { createQueueStatusReads, type QueueStatusReads } from "./queue-status.js";
import { createResourceUpdates, type ResourceUpdates } from "./resource-updates.js";
import type { SchemaNames, Tables } from "./schema.js";
import { createSummaries, type Summaries } from "./summaries.js";

export interface DataPlaneStore {
  lists: ListReads;
  updates: ResourceUpdates;
  deletes: Deletes;
  purge: DeletionPurge;
  clones: Clones;
  cards: PeerCards;
  summaries: Summaries;
  queueStatus: QueueStatusReads;
  /** hears the work_unit_key of each deletion `deletes` queues, after its commit; returns the unsubscribe */
  onDeletionQueued(listener: (workUnitKey: string) => void): () => void;
}

export function createDataPlaneStore(sql: Sql, t: Tables, schemas: SchemaNames): DataPlaneStore {
  const listeners = new Set<(workUnitKey: string) => void>();
  return {
    lists: createListReads(sql, t),
    updates: createResourceUpdates(sql, t),
    deletes: createDeletes(sql, t, (key) => {
      for (const listener of listeners) listener(key);
    }),
    purge: createDeletionPurge(sql, t, schemas),
    clones: createClones(sql, t),
    cards: createPeerCards(sql, t),
    summaries: createSummaries(sql, t),
    queueStatus: createQueueStatusReads(sql, t),
    onDeletionQueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
