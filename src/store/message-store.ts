// Message persistence: one call of write_batches (functions/write-batches.sql)
// stores batches as Honcho's create_messages and enqueue would, under
// Honcho's lock protocol, in one transaction and one round trip; concurrent
// requests share calls (group commit, write-groups.ts).
import { pythonJson } from "../json/exact-numbers.js";
import type { Sql } from "postgres";
import { withDeadline } from "./deadline.js";
import type { Tables } from "./schema.js";
import { createGrouper, type GroupResult } from "./write-groups.js";

export interface NewMessageRow {
  publicId: string;
  peerName: string;
  content: string;
  metadata: Record<string, unknown>;
  tokenCount: number;
  /** RFC 3339 (microseconds kept); null: the database's now() */
  createdAt: string | null;
  /** pydantic's text of the created_at given, where it is not UTC's (an offset, or naive): the queue payload's created_at, as Honcho writes it */
  createdAtText?: string | null;
  /** the message's own configuration as sent (null: none); resolved over the session's and workspace's */
  configuration: Record<string, unknown> | null;
  /** pending embedding chunks: null = the content whole, [] = none */
  chunks: string[] | null;
  /** the message's internal_metadata (absent: {}), written in the same transaction */
  internalMetadata?: Record<string, unknown>;
}

export interface IdempotencyKey {
  scope: string;
  key: string;
  requestHash: string;
  ttlSeconds: number;
}

export interface BatchWrite {
  workspaceName: string;
  sessionName: string;
  /** ids used only if the workspace / session / a peer is created by this batch */
  newWorkspaceId: string;
  newSessionId: string;
  peers: { name: string; newId: string }[];
  rows: NewMessageRow[];
  /** store at most once per key: a retry with the same request gets the ids first stored */
  once?: IdempotencyKey;
}

export interface InsertedMessage {
  publicId: string;
  /** microseconds since the Unix epoch, exact */
  createdAtMicros: bigint;
}

export type BatchOutcome =
  | { kind: "stored"; rows: InsertedMessage[] }
  | { kind: "inactive" }
  | { kind: "replay"; publicIds: string[] }
  | { kind: "conflict" };

export interface MessageStore {
  write(batch: BatchWrite): Promise<BatchOutcome>;
  /** batches being written right now (each holds one pooled connection) */
  inFlight(): number;
  /** write statements so far (write_batches, or write_one for a batch alone; each one commit) and the batches they carried: how well group commit groups */
  counts(): { statements: number; batches: number };
  /**
   * Seconds so far, summed: batches waiting for a write slot, and write
   * statements from sent to answered (the commit included). With the counts, an
   * operator sees whether requests wait on the slots (WRITE_GROUP_SLOTS) or on
   * PostgreSQL.
   */
  seconds(): { waiting: number; writing: number };
}

export interface MessageStoreOptions {
  deadlineMs: number;
  /** group commit: groups in flight at once (write-groups.ts); 0 writes every batch alone */
  groupSlots?: number;
  /** group commit: while a group is in flight, another starts only once this many messages wait (write-groups.ts) */
  groupMinMessages?: number;
  /** Honcho's global defaults, the base of every resolved configuration */
  defaults: object;
  /** write pending message_embeddings rows (Honcho's EMBED_MESSAGES, and the table exists) */
  embed: boolean;
  /** called once a batch has committed (WatchMessages is told from here) */
  onCommit?: (workspace: string, session: string) => void;
}

// deadlock, serialization failure, and a unique violation from a writer racing
// outside Honcho's lock protocol: the next attempt reads what it committed
const RETRYABLE = new Set(["40P01", "40001", "23505"]);

type Row = { batch: number; status: string; public_id: string | null; micros: string | null };

export function createMessageStore(sql: Sql, t: Tables, { deadlineMs, groupSlots = 4, groupMinMessages = 8, defaults, embed, onCommit }: MessageStoreOptions): MessageStore {
  // Every parameter goes as text (or int) and is cast in SQL: postgres.js
  // serialises jsonb and boolean parameters in place, and when it re-sends a
  // prepared statement (after "cached plan must not change result type",
  // porsager/postgres#1197) it serialises them again — a JSON object becomes a
  // JSON string and true becomes false, and the batch would be stored without
  // its work. Text survives being serialised twice.
  const defaultsJson = JSON.stringify(defaults);
  const counts = { statements: 0, batches: 0 };
  const countsSoFar = () => ({ ...counts });
  let writingMs = 0;

  const statement = (batches: BatchWrite[], isolate: boolean) => {
    counts.statements++;
    counts.batches += batches.length;
    const a = arraysOf(batches);
    // the arguments both functions take alike, in their order: the peers,
    // the messages, their embedding chunks, the defaults
    const rows = sql`
        ${a.peerNames}::text[], ${a.peerIds}::text[],
        ${a.publicIds}::text[], ${a.peerOf}::text[], ${textArray(sql, a.contents)}, ${a.metadata}::text[], ${a.tokens}::int[],
        ${a.createdAt}::text[]::timestamptz[], ${a.configurations}::text[],
        ${a.chunkOf}::int[], ${textArray(sql, a.chunks)},
        ${defaultsJson}::text::jsonb, ${String(embed)}::text::boolean`;
    // A batch written alone with no idempotency key needs none of
    // write_batches' own work (keys, locks in order, groups): write_one
    // directly, its session's lock included, costs PostgreSQL ~0.1 ms less a
    // request. No row back: the session is inactive (writeAlone).
    if (batches.length === 1 && !isolate && !batches[0]!.once) {
      return sql<Row[]>`
        SELECT 1 AS batch, 'stored' AS status, o_public_id AS public_id, o_micros AS micros FROM ${t.fn("write_one")}(
          ${a.ws[0]!}::text, ${a.sess[0]!}::text, ${a.wsId[0]!}::text, ${a.sessId[0]!}::text,
          ${rows}, ${a.internalMetadata}::text[], ${a.createdAtText}::text[])
        ORDER BY o_seq`;
    }
    return sql<Row[]>`
      SELECT batch, status, public_id, micros FROM ${t.fn("write_batches")}(
        ${a.ws}::text[], ${a.sess}::text[], ${a.wsId}::text[], ${a.sessId}::text[],
        ${a.msgFirst}::int[], ${a.msgCount}::int[], ${a.peerFirst}::int[], ${a.peerCount}::int[],
        ${a.chunkFirst}::int[], ${a.chunkCount}::int[],
        ${a.keyScope}::text[], ${a.key}::text[], ${a.keyHash}::text[], ${a.keyTtl}::int[],
        ${rows}, ${String(isolate)}::text::boolean, ${a.internalMetadata}::text[], ${a.createdAtText}::text[])`;
  };

  /** one write statement (write_batches, or write_one for a batch alone); its time from sent to answered is counted */
  async function call(batches: BatchWrite[], isolate: boolean): Promise<Row[]> {
    const query = statement(batches, isolate);
    const started = performance.now();
    try {
      return await withDeadline(query, deadlineMs);
    } finally {
      writingMs += performance.now() - started;
    }
  }

  const committed = (b: BatchWrite, outcome: BatchOutcome) => {
    if (outcome.kind === "stored") onCommit?.(b.workspaceName, b.sessionName);
    return outcome;
  };

  async function writeAlone(b: BatchWrite): Promise<BatchOutcome> {
    for (let tries = 1; ; tries++) {
      try {
        const rows = await call([b], false);
        return committed(b, rows.length === 0 ? { kind: "inactive" } : outcomeOf(rows));
      } catch (err) {
        if (tries >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? "")) throw err;
      }
    }
  }

  async function writeGroup(batches: BatchWrite[]): Promise<GroupResult<BatchOutcome>[]> {
    const rows = await call(batches, true);
    const byBatch = batches.map(() => [] as Row[]);
    for (const r of rows) byBatch[r.batch - 1]!.push(r);
    return byBatch.map((own, i) => (own[0] === undefined || own[0].status === "failed" ? { ok: false } : { ok: true, outcome: committed(batches[i]!, outcomeOf(own)) }));
  }

  if (groupSlots <= 0) {
    let inFlight = 0;
    return {
      inFlight: () => inFlight,
      counts: countsSoFar,
      seconds: () => ({ waiting: 0, writing: writingMs / 1000 }),
      async write(b) {
        inFlight++;
        try {
          return await writeAlone(b);
        } finally {
          inFlight--;
        }
      },
    };
  }
  const grouper = createGrouper<BatchWrite, BatchOutcome>(
    {
      slots: groupSlots,
      maxBatches: 64,
      maxMessages: 400,
      // postgres.js serialises a group's statement on the event loop in one
      // piece: with 1 Mi characters of content the loop's p99 was 29–38 ms at
      // 100 × 2 500 characters, with 256 Ki 19–22 ms at the same throughput
      // (content is most of a big batch's cost; a shared commit saves little)
      maxChars: 256 * 1024,
      queueDeadlineMs: deadlineMs,
      minMessagesWhileBusy: groupMinMessages,
      // about one statement of a group of single messages on a busy two-core
      // host (its mean was 4-5 ms at 16 in flight): company usually comes
      // first, and a message beside a big batch in flight is not held up for long
      maxWaitWhileBusyMs: 5,
      sizeOf: (b) => ({ messages: b.rows.length, chars: b.rows.reduce((n, r) => n + r.content.length, 0) }),
      keyOf: (b) => (b.once ? `${b.once.scope}\u0000${b.once.key}` : undefined),
    },
    writeGroup,
    writeAlone,
  );
  return {
    inFlight: grouper.inFlight,
    counts: countsSoFar,
    seconds: () => ({ waiting: grouper.waitedMs() / 1000, writing: writingMs / 1000 }),
    write: grouper.write,
  };
}

function outcomeOf(rows: Row[]): BatchOutcome {
  const status = rows[0]?.status;
  if (status === "stored") return { kind: "stored", rows: rows.map((r) => ({ publicId: r.public_id!, createdAtMicros: BigInt(r.micros!) })) };
  if (status === "replay") return { kind: "replay", publicIds: rows.map((r) => r.public_id!) };
  if (status === "conflict") return { kind: "conflict" };
  if (status === "inactive") return { kind: "inactive" };
  throw new Error(`write_batches answered ${JSON.stringify(rows[0])}`);
}

// A text[] parameter of long elements goes one parameter per element.
// postgres.js sends an array as one literal it builds by joining the
// elements; the join is then flattened to be measured: for 100 contents of
// 25 000 characters, two 2.5 MB strings made in one synchronous step (V8 puts
// every string over 128 KiB on fresh pages, ~600 page faults each, about 20 ms
// for the two on the benchmark's host). Each element on its own is measured
// and copied into postgres.js's reused buffer. But each costs a fragment and
// a placeholder, and every element count is a statement text of its own
// (prepared, described): for a group of a thousand 250-character messages
// that cost more than the literal (100 × 250-character batches over Connect:
// 6.8 against 4.4 ms of service CPU per request, loop p99 27.6 against
// 19.7 ms). So only an array of 32 Ki characters or more whose elements
// average 1 Ki or more is split (100 × 2 500 and × 25 000 batches, not groups
// of short messages), and never one of more elements than a statement's
// parameters may number (65 535, with the statement's others).
export const SPLIT_ARRAY_CHARS = 32 * 1024;
export const SPLIT_ARRAY_MIN_AVERAGE = 1024;
const SPLIT_ARRAY_MAX_ELEMENTS = 16 * 1024;

/** `values` as a text[] argument: one array literal, or ARRAY[$1, $2, ...] when its elements are long. */
export function textArray(sql: Sql, values: (string | null)[]) {
  let chars = 0;
  for (const v of values) chars += v?.length ?? 0;
  const split = chars >= SPLIT_ARRAY_CHARS && chars >= values.length * SPLIT_ARRAY_MIN_AVERAGE && values.length <= SPLIT_ARRAY_MAX_ELEMENTS;
  if (!split) return sql`${values}::text[]`;
  return sql`ARRAY[${values.map((v, i) => (i === 0 ? sql`${v}::text` : sql`, ${v}::text`))}]::text[]`;
}

// The batches as the parallel arrays write_batches takes: per batch, per
// peer, per message and per embedding chunk (a chunk of null is the message's
// content whole), each batch's rows contiguous and addressed by first/count.
function arraysOf(batches: BatchWrite[]) {
  const a = {
    ws: [] as string[], sess: [] as string[], wsId: [] as string[], sessId: [] as string[],
    msgFirst: [] as number[], msgCount: [] as number[], peerFirst: [] as number[], peerCount: [] as number[],
    chunkFirst: [] as number[], chunkCount: [] as number[],
    keyScope: [] as (string | null)[], key: [] as (string | null)[], keyHash: [] as (string | null)[], keyTtl: [] as (number | null)[],
    peerNames: [] as string[], peerIds: [] as string[],
    publicIds: [] as string[], peerOf: [] as string[], contents: [] as string[], metadata: [] as string[], tokens: [] as number[],
    createdAt: [] as (string | null)[], configurations: [] as (string | null)[],
    chunkOf: [] as number[], chunks: [] as (string | null)[],
    internalMetadata: [] as (string | null)[],
    createdAtText: [] as (string | null)[],
  };
  for (const b of batches) {
    a.ws.push(b.workspaceName);
    a.sess.push(b.sessionName);
    a.wsId.push(b.newWorkspaceId);
    a.sessId.push(b.newSessionId);
    a.msgFirst.push(a.publicIds.length + 1);
    a.msgCount.push(b.rows.length);
    a.peerFirst.push(a.peerNames.length + 1);
    a.peerCount.push(b.peers.length);
    a.chunkFirst.push(a.chunks.length + 1);
    a.keyScope.push(b.once?.scope ?? null);
    a.key.push(b.once?.key ?? null);
    a.keyHash.push(b.once?.requestHash ?? null);
    a.keyTtl.push(b.once?.ttlSeconds ?? null);
    // peers in name order: the order their rows are locked in
    for (const p of [...b.peers].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      a.peerNames.push(p.name);
      a.peerIds.push(p.newId);
    }
    const chunksBefore = a.chunks.length;
    b.rows.forEach((r, i) => {
      a.publicIds.push(r.publicId);
      a.peerOf.push(r.peerName);
      a.contents.push(r.content);
      a.metadata.push(pythonJson(r.metadata));
      a.tokens.push(r.tokenCount);
      a.createdAt.push(r.createdAt);
      a.configurations.push(r.configuration ? pythonJson(r.configuration) : null);
      a.internalMetadata.push(r.internalMetadata ? JSON.stringify(r.internalMetadata) : null);
      a.createdAtText.push(r.createdAtText ?? null);
      for (const c of r.chunks ?? [null]) {
        a.chunkOf.push(i + 1);
        a.chunks.push(c);
      }
    });
    a.chunkCount.push(a.chunks.length - chunksBefore);
  }
  // no array at all where no message has such a text (the common case)
  return { ...a, createdAtText: a.createdAtText.some((x) => x !== null) ? a.createdAtText : null };
}
