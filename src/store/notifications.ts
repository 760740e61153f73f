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
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { Sql } from "postgres";

export const MESSAGES_CHANNEL = "honcho_messages";

export interface CommitFeed {
  /** Calls `fn` after each batch committed to workspace/session; returns the unsubscribe. */
  subscribe(workspace: string, session: string, fn: () => void): () => void;
  /** Tells every process's watchers that a batch of workspace/session has committed. */
  announce(workspace: string, session: string): void;
  close(): Promise<void>;
}

export function createCommitFeed(sql: Sql, log: Logger): CommitFeed {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  let listening: Promise<{ unlisten(): Promise<void> }> | undefined;
  let waiting = new Set<string>();
  let sending: Promise<void> | undefined;

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
      listening ??= sql.listen(MESSAGES_CHANNEL, (key) => bus.emit(key));
      const key = `${workspace}/${session}`;
      bus.on(key, fn);
      return () => bus.off(key, fn);
    },
    announce(workspace, session) {
      waiting.add(`${workspace}/${session}`);
      sending ??= sendAll();
    },
    async close() {
      await sending;
      if (listening) await (await listening).unlisten().catch(() => {});
    },
  };
}
