// Message persistence. One statement does the whole batch: get-or-create the
// workspace, session and peers, join the peers to the session, take the next
// sequence numbers from the session row and insert the messages. One
// statement is one implicit transaction (stored whole or not at all) and one
// round trip to PostgreSQL in the steady state.
import type { Sql } from "postgres";
import { fullStatement, shortStatement, type Row } from "./batch-statements.js";
import { withDeadline } from "./deadline.js";

export interface NewMessageRow {
  publicId: string;
  peerName: string;
  content: string;
  metadata: Record<string, unknown>;
  tokenCount: number;
  /** RFC 3339 (microseconds kept); null: the database's now() */
  createdAt: string | null;
  /** the message's own configuration (null: none); its reasoning.enabled wins over the session's and workspace's */
  configuration: Record<string, unknown> | null;
}

export interface BatchInsert {
  workspaceName: string;
  sessionName: string;
  /** ids used only if the workspace / session / a peer is created by this batch */
  newWorkspaceId: string;
  newSessionId: string;
  peers: { name: string; newId: string }[];
  rows: NewMessageRow[];
}

export interface InsertedMessage {
  publicId: string;
  /** microseconds since the Unix epoch, exact */
  createdAtMicros: bigint;
}

export interface MessageStore {
  /** Stores the batch; null when the session exists but is inactive (nothing is written). */
  insertBatch(batch: BatchInsert): Promise<InsertedMessage[] | null>;
  /**
   * Stores the batch at most once per idempotency key: a retry with the same
   * request gets the ids first stored, one with another request a conflict.
   */
  insertBatchOnce(batch: BatchInsert, once: IdempotencyKey): Promise<OnceResult>;
  /** batches being written right now (each holds one pooled connection) */
  inFlight(): number;
}

export interface IdempotencyKey {
  scope: string;
  key: string;
  requestHash: string;
  ttlSeconds: number;
}

export type OnceResult =
  | { kind: "stored"; rows: InsertedMessage[] }
  | { kind: "replay"; publicIds: string[] }
  | { kind: "conflict" }
  | { kind: "inactive" };

class InactiveSession extends Error {}

const RETRYABLE = new Set(["40P01", "40001"]); // deadlock, serialization failure

// Memberships (workspace, session, peer) this process has stored: a batch
// whose every peer is known takes the short statement, which only bumps the
// session counter and inserts. Entries expire, so a peer removed from a
// session by someone else is joined again within KNOWN_TTL_MS.
const KNOWN_TTL_MS = 60_000;
const KNOWN_MAX = 100_000;

export interface MessageStoreOptions {
  deadlineMs: number;
  /** called once a batch has committed (WatchMessages is told from here) */
  onCommit?: (workspace: string, session: string) => void;
}

export function createMessageStore(sql: Sql, { deadlineMs, onCommit }: MessageStoreOptions): MessageStore {
  const known = new Map<string, number>();
  const keyOf = (b: BatchInsert, peer: string) => `${b.workspaceName}\u0000${b.sessionName}\u0000${peer}`;
  const allKnown = (b: BatchInsert, now: number) => b.peers.every((p) => (known.get(keyOf(b, p.name)) ?? 0) > now);
  const remember = (b: BatchInsert, now: number) => {
    if (known.size > KNOWN_MAX) known.clear();
    for (const p of b.peers) known.set(keyOf(b, p.name), now + KNOWN_TTL_MS);
  };
  const forget = (b: BatchInsert) => b.peers.forEach((p) => known.delete(keyOf(b, p.name)));

  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    async insertBatchOnce(b, once) {
      inFlight++;
      try {
        const result = await sql.begin(async (tx) => {
          const q = tx as unknown as Sql;
          // Ours if new or expired; a first attempt still in flight holds the
          // row, and this waits for it to commit or roll back.
          const mine = await q`
            INSERT INTO idempotency_keys (scope, key, request_hash, expires_at)
            VALUES (${once.scope}, ${once.key}, ${once.requestHash}, now() + make_interval(secs => ${once.ttlSeconds}))
            ON CONFLICT (scope, key) DO UPDATE
              SET request_hash = EXCLUDED.request_hash, public_ids = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
              WHERE idempotency_keys.expires_at < now()
            RETURNING 1`;
          if (mine.length === 0) {
            const [seen] = await q<{ request_hash: string; public_ids: string[] }[]>`
              SELECT request_hash, public_ids FROM idempotency_keys WHERE scope = ${once.scope} AND key = ${once.key}`;
            return seen!.request_hash === once.requestHash ? { kind: "replay" as const, publicIds: seen!.public_ids } : { kind: "conflict" as const };
          }
          const rows = await insertWithRetry(q, b);
          if (!rows) throw new InactiveSession(); // rolls the key back too
          await q`UPDATE idempotency_keys SET public_ids = ${rows.map((r) => r.publicId)}::text[] WHERE scope = ${once.scope} AND key = ${once.key}`;
          return { kind: "stored" as const, rows };
        });
        if (result.kind === "stored") onCommit?.(b.workspaceName, b.sessionName);
        return result;
      } catch (err) {
        if (err instanceof InactiveSession) return { kind: "inactive" as const };
        throw err;
      } finally {
        inFlight--;
      }
    },
    async insertBatch(b) {
      inFlight++;
      try {
        const rows = await insertWithRetry(sql, b);
        if (rows) onCommit?.(b.workspaceName, b.sessionName);
        return rows;
      } finally {
        inFlight--;
      }
    },
  };

  async function insertWithRetry(q: Sql, b: BatchInsert): Promise<InsertedMessage[] | null> {
    const now = Date.now();
    if (allKnown(b, now)) {
      try {
        const rows = await withDeadline(shortStatement(q, b), deadlineMs);
        if (rows.length > 0) return inOrder(b, rows);
      } catch (err) {
        if ((err as { code?: string }).code !== "23503") throw err; // a peer was deleted meanwhile
      }
      forget(b); // inactive, deleted, or no longer a member: the full statement decides
    }
    for (let tries = 1; ; tries++) {
      try {
        const rows = await withDeadline(fullStatement(q, b), deadlineMs);
        if (rows.length === 0) return null;
        remember(b, now);
        return inOrder(b, rows);
      } catch (err) {
        if (tries >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? "")) throw err;
      }
    }
  }
}

function inOrder(b: BatchInsert, rows: Row[]): InsertedMessage[] {
  const byId = new Map(rows.map((r) => [r.public_id, r]));
  return b.rows.map((r) => {
    const got = byId.get(r.publicId)!;
    return { publicId: r.publicId, createdAtMicros: BigInt(got.micros) };
  });
}
