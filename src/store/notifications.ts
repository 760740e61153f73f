// Commits of message batches, as PostgreSQL announces them (LISTEN on the
// channel the batch statement notifies), fanned out to in-process watchers.
import { EventEmitter } from "node:events";
import type { Sql } from "postgres";
import { MESSAGES_CHANNEL } from "./batch-statements.js";

export interface CommitFeed {
  /** Calls `fn` after each batch committed to workspace/session; returns the unsubscribe. */
  subscribe(workspace: string, session: string, fn: () => void): () => void;
  close(): Promise<void>;
}

export function createCommitFeed(sql: Sql): CommitFeed {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  let listening: Promise<{ unlisten(): Promise<void> }> | undefined;
  return {
    subscribe(workspace, session, fn) {
      listening ??= sql.listen(MESSAGES_CHANNEL, (key) => bus.emit(key));
      const key = `${workspace}/${session}`;
      bus.on(key, fn);
      return () => bus.off(key, fn);
    },
    async close() {
      if (listening) await (await listening).unlisten().catch(() => {});
    },
  };
}
