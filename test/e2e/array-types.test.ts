// The write connections send their array parameters with the service's own
// serializers and never ask PostgreSQL for its array types
// (src/store/array-types.ts): the literals must be postgres.js's own, and
// what is stored what was sent.
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfiguration, loadHonchoSettings } from "../../src/config-honcho.js";
import { newId } from "../../src/domain/ids.js";
import { arrayLiteral, WRITE_ARRAY_TYPES } from "../../src/store/array-types.js";
import { createMessageStore, type BatchWrite } from "../../src/store/message-store.js";
import { migrate } from "../../src/store/migrate.js";
import { tablesOf } from "../../src/store/schema.js";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { rng } from "../support/token-corpus.js";

const names = { honcho: "public", service: "honcho_ingest" };

let db: TestDb;
let fetched: Sql; // postgres.js as it comes: array types looked up
let writes: Sql; // as the service's write connections: no look-up, the service's serializers
const queries: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  fetched = postgres(db.url, { max: 1, onnotice: () => {} });
  await fetched`SELECT 1`; // the look-up runs with the first connection
  await migrate(fetched, names);
  writes = postgres(db.url, { max: 2, onnotice: () => {}, fetch_types: false, types: WRITE_ARRAY_TYPES, debug: (_c, q) => void queries.push(q) });
});
afterAll(async () => {
  await fetched?.end({ timeout: 1 });
  await writes?.end({ timeout: 1 });
  await db?.drop();
});

// strings that need quoting or escaping inside an array literal
const AWKWARD = ["", " ", "NULL", "null", "a,b", "{x}", '"', '\\', '\\"', "a\\\\b", "tab\there", "line\nbreak", "ünïcödé", "😀 astral", "'single'"];

function randomText(rnd: () => number): string {
  const n = Math.floor(rnd() * 12);
  let s = "";
  for (let i = 0; i < n; i++) s += rnd() < 0.3 ? AWKWARD[Math.floor(rnd() * AWKWARD.length)]! : String.fromCharCode(32 + Math.floor(rnd() * 95));
  return s;
}

describe("array literals", () => {
  it("are postgres.js's own for text[] and int[], nulls and awkward text included", () => {
    const own = fetched.options.serializers as Record<number, (x: unknown) => string>;
    expect(own[1009]).toBeTypeOf("function"); // looked up, so there is something to compare with
    const rnd = rng(17);
    for (let i = 0; i < 2000; i++) {
      const texts = Array.from({ length: Math.floor(rnd() * 6) }, () => (rnd() < 0.1 ? null : randomText(rnd)));
      expect(arrayLiteral(texts)).toBe(own[1009]!(texts));
      const ints = Array.from({ length: Math.floor(rnd() * 6) }, () => (rnd() < 0.1 ? null : Math.floor((rnd() - 0.5) * 2 ** 31)));
      expect(arrayLiteral(ints)).toBe(own[1007]!(ints));
    }
    expect(arrayLiteral(AWKWARD)).toBe(own[1009]!(AWKWARD));
    expect(() => arrayLiteral([undefined])).toThrow(/Undefined/);
  });

  it("reach PostgreSQL as the arrays they were", async () => {
    const texts = [...AWKWARD, null];
    const [r] = await writes<{ same: boolean; n: number; ints: string }[]>`SELECT ${texts}::text[] = ${fetched.array(texts)}::text[] AS same, cardinality(${texts}::text[]) AS n, ${[1, -2, null]}::int[] AS ints`;
    expect(r).toMatchObject({ same: true, n: texts.length });
    expect(queries.some((q) => q.includes("pg_type"))).toBe(false);
  });

  it("write messages through the store as they were sent, alone and in a group, with no array-types query", async () => {
    const store = createMessageStore(writes, tablesOf(writes, names), { deadlineMs: 10_000, groupSlots: 1, defaults: defaultConfiguration(loadHonchoSettings({})), embed: false });
    const batch = (session: string, contents: string[]): BatchWrite => ({
      workspaceName: "arr-ws", sessionName: session, newWorkspaceId: newId(), newSessionId: newId(), peers: [{ name: "p", newId: newId() }],
      rows: contents.map((content) => ({ publicId: newId(), peerName: "p", content, metadata: { k: content }, tokenCount: content.length, createdAt: null, configuration: null, chunks: null })),
    });
    const sent = [AWKWARD.filter(Boolean), ["plain"], ['"quoted"', "back\\slash"], ["{brace}", "NULL"]];
    await store.write(batch("s0", ["first"])); // the sessions exist: the next ones are steady and may share a statement
    const outcomes = await Promise.all(sent.map((c, i) => store.write(batch(`s${i % 2}`, c))));
    expect(outcomes.every((o) => o.kind === "stored")).toBe(true);
    const rows = await fetched<{ content: string; metadata: { k: string } }[]>`SELECT content, metadata FROM messages WHERE workspace_name = 'arr-ws' ORDER BY session_name, seq_in_session`;
    expect(rows.map((r) => r.content)).toEqual(["first", ...sent[0]!, ...sent[2]!, ...sent[1]!, ...sent[3]!]);
    expect(rows.every((r) => r.metadata.k === r.content)).toBe(true);
    expect(store.counts().statements).toBeLessThan(5); // some shared a statement: write_batches' arrays went too
    expect(queries.some((q) => q.includes("pg_type"))).toBe(false);
  });
});
