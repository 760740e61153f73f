// Group commit across requests. A write that finds no write in flight goes at
// once, alone (no added wait when requests come one at a time); writes that
// arrive while a group is being written queue, and the next slot to start
// takes them all, across sessions and workspaces, as one call of
// write_batches: one statement, one commit, one WAL flush for the lot.
// PostgreSQL's cost per message falls with the group size (a commit is most
// of a one-message write's cost), so the busier the service, the cheaper
// each write. While a group is in flight, a free slot starts the next only
// once minMessagesWhileBusy messages wait, or the oldest has waited
// maxWaitWhileBusyMs; until then they wait for a write to end. Starting them
// at once made a lone write of most statements (at 16 single messages in
// flight, 60 % of the statements carried one message, beside groups of 14),
// each costing PostgreSQL two to three times a grouped message's CPU.
//
// Each request keeps its own outcome: the group runs with write_batches'
// isolation (each batch in a subtransaction of its own), so an inactive
// session, a conflict or a failing row in one batch leaves the others
// written; a batch that failed is written again alone and gets its own error.
// If the group call itself fails (a deadlock, the connection), every batch
// is written alone. Nothing is acknowledged before its commit.

export interface GroupOptions<B> {
  /** groups in flight at once (each holds one pooled connection) */
  slots: number;
  /** at most this many batches in one group */
  maxBatches: number;
  /** a group stops growing past this many messages, or this much content (UTF-16 units) */
  maxMessages: number;
  maxChars: number;
  sizeOf(batch: B): { messages: number; chars: number };
  /** batches with the same key never share a group (two retries under one idempotency key: the second must see the first committed) */
  keyOf?(batch: B): string | undefined;
  /** a write still queued after this long fails (as a cancelled statement, 57014) rather than wait on */
  queueDeadlineMs: number;
  /** while a group is in flight, another starts on a free slot only once this many messages wait (1: at once), */
  minMessagesWhileBusy: number;
  /** or once the oldest has waited this long: a group in flight may be a long one (a big batch) */
  maxWaitWhileBusyMs: number;
}

/** What a group call answers for one batch: its outcome, or a failure to write it again alone. */
export type GroupResult<O> = { ok: true; outcome: O } | { ok: false };

export interface Grouper<B, O> {
  write(batch: B): Promise<O>;
  /** groups in flight */
  inFlight(): number;
  /** milliseconds batches have waited so far for a free slot, summed over the batches */
  waitedMs(): number;
}

export function createGrouper<B, O>(
  opts: GroupOptions<B>,
  /** one call for several batches, isolated from each other */
  writeGroup: (batches: B[]) => Promise<GroupResult<O>[]>,
  /** one batch alone (its error is the request's) */
  writeAlone: (batch: B) => Promise<O>,
): Grouper<B, O> {
  type Waiting = { batch: B; size: { messages: number; chars: number }; resolve: (o: O) => void; reject: (e: unknown) => void; since: number };
  const queue: Waiting[] = [];
  let queuedMessages = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = 0;
  let waited = 0;

  /** one batch alone; `answered` runs once PostgreSQL has answered, before the request hears back */
  const alone = (w: Waiting, answered?: () => void) =>
    writeAlone(w.batch).then(
      (o) => (answered?.(), w.resolve(o)),
      (e) => (answered?.(), w.reject(e)),
    );

  function take(): Waiting[] {
    const group: Waiting[] = [];
    let messages = 0;
    let chars = 0;
    const now = performance.now();
    const stale = now - opts.queueDeadlineMs;
    const keys = new Set<string>();
    while (queue.length > 0 && queue[0]!.since < stale) {
      waited += now - queue[0]!.since; // a write that gave up waiting counts too: it is what a stuck pool looks like
      queuedMessages -= queue[0]!.size.messages;
      queue.shift()!.reject(Object.assign(new Error("waited too long for a turn to write"), { code: "57014" }));
    }
    while (queue.length > 0 && group.length < opts.maxBatches) {
      const size = queue[0]!.size;
      if (group.length > 0 && (messages + size.messages > opts.maxMessages || chars + size.chars > opts.maxChars)) break;
      const key = opts.keyOf?.(queue[0]!.batch);
      if (key !== undefined && keys.has(key)) break;
      if (key !== undefined) keys.add(key);
      const w = queue.shift()!;
      queuedMessages -= size.messages;
      waited += now - w.since;
      group.push(w);
      messages += size.messages;
      chars += size.chars;
    }
    return group;
  }

  // The slot is freed as soon as PostgreSQL has answered, before the
  // requests are: the next group's statement goes out first, and the answers
  // are written while PostgreSQL works on it (freeing the slot after them left
  // the slot's backend idle while the answers were written).
  async function run(group: Waiting[], free: () => void): Promise<void> {
    if (group.length === 1) return alone(group[0]!, free);
    let results: GroupResult<O>[];
    try {
      results = await writeGroup(group.map((w) => w.batch));
    } catch {
      await Promise.all(group.map((w) => alone(w)));
      return;
    }
    const retry = group.filter((_, i) => !results[i]?.ok);
    // a batch written again alone keeps the slot until it is done
    if (retry.length === 0) free();
    group.forEach((w, i) => results[i]?.ok && w.resolve((results[i] as { outcome: O }).outcome));
    await Promise.all(retry.map((w) => alone(w)));
  }

  function pump(): void {
    while (busy < opts.slots && queue.length > 0) {
      if (busy > 0 && queuedMessages < opts.minMessagesWhileBusy) {
        const left = queue[0]!.since + opts.maxWaitWhileBusyMs - performance.now();
        if (left > 0) {
          // a write's end pumps again, or this timer
          timer ??= setTimeout(() => ((timer = undefined), pump()), Math.ceil(left)).unref();
          return;
        }
      }
      const group = take();
      busy++;
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        busy--;
        pump();
      };
      void run(group, free).finally(free);
    }
  }

  return {
    inFlight: () => busy,
    waitedMs: () => waited,
    write(batch) {
      return new Promise<O>((resolve, reject) => {
        const size = opts.sizeOf(batch);
        queuedMessages += size.messages;
        queue.push({ batch, size, resolve, reject, since: performance.now() });
        pump();
      });
    },
  };
}
