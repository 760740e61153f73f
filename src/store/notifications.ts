// Commits of message batches, announced to every service process with
// NOTIFY and fanned out to in-process watchers from LISTEN.
//
// The batch statement itself does not notify: PostgreSQL serialises every
// committing transaction that has notified (one lock on the notification
// queue, held through the commit's WAL flush), which halved the single-message
// insert rate here. Announcements are sent after the commit instead, by one
// sender at a time that takes every session waiting in one statement, and at
// most one such statement every ANNOUNCE_GAP_MS: after a quiet spell a commit
// is announced at once; under steady traffic the commits of each few
// milliseconds share one NOTIFY transaction. (One per request, one request at
// a time, cost 0.15 ms of the service's CPU, a sixth, and 0.16 ms of
// PostgreSQL's, an eighth, per request.) A notification lost
// to a crash between the commit and the send is caught by the watchers'
// periodic re-read.
//
// LISTEN runs on a connection of its own, not postgres.js's sql.listen: that
// one keeps a failed LISTEN's rejected promise for the channel, so after an
// outage nobody is told again, and the first failure reached no handler and
// ended the process. Here a lost or refused LISTEN is retried while anyone
// watches, and every watcher re-reads once it is back (what was announced
// meanwhile went to nobody).
//
// Behind a transaction pooler without a direct connection (database.ts) there
// is no LISTEN: this process's own commits wake its watchers here, in
// process, and other processes' are found by the watchers' poll. The NOTIFY
// is sent all the same, for replicas that do listen.
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Sql } from "postgres";
import type { Database } from "./database.js";

export const MESSAGES_CHANNEL = "honcho_messages";
const RETRY_MS = 500;
/** at most one NOTIFY statement per this many milliseconds: a watcher hears of a commit at most this much later */
export const ANNOUNCE_GAP_MS = 10;

export interface CommitFeed {
  /** Calls `fn` after each batch committed to workspace/session, and whenever it may have missed one; returns the unsubscribe. */
  subscribe(workspace: string, session: string, fn: () => void): () => void;
  /** Tells every process's watchers that a batch of workspace/session has committed. */
  announce(workspace: string, session: string): void;
  close(): Promise<void>;
}

export function createCommitFeed(sql: Sql, openDedicated: Database["dedicated"], log: Logger, gapMs = ANNOUNCE_GAP_MS): CommitFeed {
  const listens = openDedicated !== undefined;
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  let subscribers = 0;
  let closed = false;
  let listener: Sql | undefined;
  let listening: "no" | "starting" | "yes" = "no";
  let retry: NodeJS.Timeout | undefined;
  let waiting = new Set<string>();
  let sending: Promise<void> | undefined;
  let pacing: NodeJS.Timeout | undefined;
  let lastSent = -Infinity;

  function listen(): void {
    if (!openDedicated || closed || listening !== "no") return;
    listening = "starting";
    listener ??= openDedicated({
      onnotify: (channel, key) => channel === MESSAGES_CHANNEL && bus.emit(key),
      onclose: lost,
    });
    listener.unsafe(`LISTEN ${MESSAGES_CHANNEL}`).then(
      () => {
        listening = "yes";
        for (const key of bus.eventNames()) bus.emit(key);
      },
      (err: unknown) => {
        listening = "no";
        if (!closed) log.warn({ err }, "could not LISTEN for committed batches; watchers poll until it is back");
        later();
      },
    );
  }

  function lost(): void {
    if (listening === "yes") {
      listening = "no";
      later();
    }
  }

  function later(): void {
    if (closed || retry || subscribers === 0) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (subscribers > 0) listen();
    }, RETRY_MS);
    retry.unref();
  }

  /** sends what is waiting now, or once gapMs have passed since the last send */
  function send(): void {
    if (sending || pacing || waiting.size === 0) return;
    const wait = lastSent + gapMs - performance.now();
    if (wait > 0 && !closed) {
      pacing = setTimeout(() => {
        pacing = undefined;
        send();
      }, wait);
      return;
    }
    lastSent = performance.now();
    const keys = [...waiting];
    waiting = new Set();
    sending = Promise.resolve()
      .then(() => sql`SELECT set_config('synchronous_commit', 'off', true), pg_notify(${MESSAGES_CHANNEL}, k) FROM unnest(${keys}::text[]) AS k`)
      .then(
        () => {},
        (err: unknown) => log.warn({ err, sessions: keys.length }, "could not announce committed batches; watchers will catch up on their next poll"),
      )
      .then(() => {
        sending = undefined;
        send(); // what came meanwhile, in its turn
      });
  }

  return {
    subscribe(workspace, session, fn) {
      const key = `${workspace}/${session}`;
      bus.on(key, fn);
      subscribers++;
      listen();
      let on = true;
      return () => {
        if (!on) return;
        on = false;
        subscribers--;
        bus.off(key, fn);
      };
    },
    announce(workspace, session) {
      const key = `${workspace}/${session}`;
      if (!listens) bus.emit(key);
      waiting.add(key);
      send();
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      // what waits for its turn is sent now (closed: no more pacing)
      clearTimeout(pacing);
      pacing = undefined;
      send();
      while (sending) await sending;
      await listener?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
