// Commits of message batches, announced to every service process with
// NOTIFY and fanned out to in-process watchers from LISTEN.
//
// The batch statement itself does not notify: PostgreSQL serialises every
// committing transaction that has notified (one lock on the notification
// queue, held through the commit's WAL flush), which halved the single-message
// insert rate here. Announcements are sent after the commit instead, by one
// sender at a time that takes every session waiting in one statement: none
// wait when traffic is light, and a burst costs one NOTIFY transaction, not
// one per batch. A notification lost to a crash between the commit and the
// send is caught by the watchers' periodic re-read.
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

export interface CommitFeed {
  /** Calls `fn` after each batch committed to workspace/session, and whenever it may have missed one; returns the unsubscribe. */
  subscribe(workspace: string, session: string, fn: () => void): () => void;
  /** Tells every process's watchers that a batch of workspace/session has committed. */
  announce(workspace: string, session: string): void;
  close(): Promise<void>;
}

export function createCommitFeed(sql: Sql, openDedicated: Database["dedicated"], log: Logger): CommitFeed {
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

  async function sendAll(): Promise<void> {
    while (waiting.size > 0) {
      const keys = [...waiting];
      waiting = new Set();
      try {
        await sql`SELECT set_config('synchronous_commit', 'off', true), pg_notify(${MESSAGES_CHANNEL}, k) FROM unnest(${keys}::text[]) AS k`;
      } catch (err) {
        log.warn({ err, sessions: keys.length }, "could not announce committed batches; watchers will catch up on their next poll");
      }
    }
    sending = undefined;
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
      sending ??= sendAll();
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await sending;
      await listener?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
