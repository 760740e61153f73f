// How much of the queue a look for deletion units may skip. No index serves
// that search (Honcho's queue has none on task_type), so a look reads rows,
// and standalone the queue only grows (no deriver processes it). So a look
// reads only the ids above a floor, below which every row that will ever
// commit has been seen by an earlier look.
//
// Each look records the highest id it could see (maxId) and its snapshot's
// xmin and xmax. A row with a lower id that it could not see was a
// transaction's still running then. A writer draws its id and gets its
// transaction id within one INSERT, so by the next look (an interval later)
// such a transaction has an id below that look's xmax. Once a later look that
// was seen through has an xmin at or above that xmax, every such transaction
// had ended before it, so it saw their rows (its own floor was below them, by
// the same argument one look earlier). So the floor may rise to look j's
// maxId once a completed look's xmin reaches look j+1's xmax.
//
// Not covered, and found by the look through the whole queue that the
// runner makes now and then: a unit that another consumer held while the
// looks went past and then released undone, and a writer stalled for a whole
// interval between drawing an id and writing its row.

export interface QueueLook {
  /** the highest queue id the look could see */
  maxId: bigint;
  /** its snapshot's xmin and xmax (xid8) */
  xmin: bigint;
  xmax: bigint;
}

/**
 * The floor for the next look (0: the whole queue), given the completed looks
 * since the last one kept (oldest first), and which of them to keep for the
 * looks after it.
 */
export function settledFloor(looks: readonly QueueLook[]): { floor: bigint; keep: QueueLook[] } {
  const last = looks.at(-1);
  let settled = -1;
  // snapshots' xmin only rises, so the last look's is the highest
  if (last) for (let j = 0; j + 1 < looks.length; j++) if (last.xmin >= looks[j + 1]!.xmax) settled = j;
  return settled < 0 ? { floor: 0n, keep: [...looks] } : { floor: looks[settled]!.maxId, keep: looks.slice(settled) };
}
