// Honcho filters run as SQL (src/store/filter-sql.ts) on Honcho's own schema
// in a real PostgreSQL: the rows each filter selects, and, property-based,
// that whatever a client sends is either refused with a 422 or runs without
// any SQL error within a 2 s statement_timeout.
import fc from "fast-check";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.js";
import { LIMITS, parseFilter, type FilterResource } from "../../src/domain/filters/index.js";
import { filterSql } from "../../src/store/filter-sql.js";
import { createHonchoDatabase } from "../support/honcho-db.js";
import type { TestDb } from "../support/app.js";
import { ROWS, SELECTS } from "../support/filter-cases.js";

let db: TestDb;
let sql: Sql;

/** A 21-character id (Honcho's nanoid columns are checked for length and alphabet). */
const id21 = (name: string) => name.replace(/[^A-Za-z0-9]/g, "").padEnd(21, "x");
// Values go as text and are cast in SQL: a parameter PostgreSQL describes as
// jsonb or timestamptz goes through postgres.js's own serializer (JSON.stringify,
// Date), which would re-encode the JSON or drop the microseconds.
const json = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

beforeAll(async () => {
  db = await createHonchoDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {}, connection: { statement_timeout: 2000 } });
  for (const w of ROWS.workspaces) {
    await sql`INSERT INTO workspaces (id, name, created_at, metadata) VALUES (${id21(`w${w.name}`)}, ${w.name}, ${w.created_at}::text::timestamptz, ${json(w.metadata)}::text::jsonb)`;
  }
  for (const p of ROWS.peers) {
    await sql`INSERT INTO peers (id, name, workspace_name, created_at, metadata) VALUES (${id21(`p${p.name}`)}, ${p.name}, ${p.workspace}, ${p.created_at}::text::timestamptz, ${json(p.metadata)}::text::jsonb)`;
  }
  for (const s of ROWS.sessions) {
    await sql`INSERT INTO sessions (id, name, workspace_name, is_active, created_at, metadata)
      VALUES (${id21(`s${s.name}`)}, ${s.name}, ${s.workspace}, ${s.is_active}, ${s.created_at}::text::timestamptz, ${json(s.metadata)}::text::jsonb)`;
    for (const peer of s.peers) await sql`INSERT INTO session_peers (workspace_name, session_name, peer_name) VALUES (${s.workspace}, ${s.name}, ${peer})`;
  }
  let seq = 0;
  for (const m of ROWS.messages) {
    await sql`INSERT INTO messages (public_id, content, metadata, created_at, peer_name, workspace_name, session_name, token_count, seq_in_session)
      VALUES (${id21(m.id)}, ${m.id}, ${json(m.metadata)}::text::jsonb, ${m.created_at}::text::timestamptz, ${m.peer}, 'w1', ${m.session}, ${m.tokens}, ${++seq})`;
  }
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await db?.drop();
});

/** What the filter selects: names (message contents) in order, scoped as Honcho's list routes scope them. */
async function select(resource: FilterResource, filter: unknown): Promise<string[]> {
  const where = filterSql(sql, resource, parseFilter(resource, filter));
  const rows =
    resource === "messages"
      ? await sql`SELECT content AS name FROM messages WHERE workspace_name = 'w1' AND ${where} ORDER BY id`
      : resource === "workspaces"
        ? await sql`SELECT name FROM workspaces WHERE ${where} ORDER BY name COLLATE "C"`
        : await sql`SELECT name FROM ${sql(resource)} WHERE workspace_name = 'w1' AND ${where} ORDER BY name COLLATE "C"`;
  return Array.from(rows, (r) => r.name as string);
}

const sorted = (xs: string[]) => [...xs].sort();

describe("rows selected", () => {
  it.each(SELECTS.map((c) => [c.resource, JSON.stringify(c.filter), c] as const))("%s %s", async (_r, _f, c) => {
    expect(sorted(await select(c.resource, c.filter))).toEqual(sorted(c.rows));
  });

  it("matches nothing when no row could hold a value, without any SQL error", async () => {
    // numeric comparisons over keys holding objects, booleans, text, NaN, Infinity
    for (const op of ["gt", "gte", "lt", "lte", "ne"]) {
      for (const key of ["score", "category", "tags", "active", "text", "count", "big", "priority", "missing"]) {
        await expect(select("messages", { metadata: { [key]: { [op]: 1 } } })).resolves.toBeInstanceOf(Array);
      }
    }
  });

  it("qualifies columns with a table name, for joins", async () => {
    // the sessions of a peer (Honcho's get_sessions_for_peer), filtered
    const sessionsOf = async (peer: string, filter: unknown) => {
      const rows = await sql`
        SELECT sessions.name FROM sessions JOIN session_peers
          ON sessions.name = session_peers.session_name AND sessions.workspace_name = session_peers.workspace_name
        WHERE session_peers.peer_name = ${peer} AND sessions.workspace_name = 'w1'
          AND ${filterSql(sql, "sessions", parseFilter("sessions", filter), "sessions")}
        ORDER BY sessions.name`;
      return Array.from(rows, (r) => r.name as string);
    };
    expect(await sessionsOf("alice", {})).toEqual(["s1", "s2"]);
    expect(await sessionsOf("alice", { is_active: true })).toEqual(["s1"]);
    expect(await sessionsOf("dave", { metadata: { priority: { gte: 5 } }, created_at: { gte: "2024-02-01" } })).toEqual(["s2"]);
    expect(() => filterSql(sql, "sessions", parseFilter("sessions", {}), 'x"; DROP')).toThrow(/bad column prefix/);
  });

  it("runs JSON documents nested up to the depth limit", async () => {
    let object: unknown = "x";
    let array: unknown = "x";
    // the filter's own objects around the document take four of the levels
    for (let i = 0; i < LIMITS.valueDepth - 4; i++) {
      object = { a: object };
      array = [array];
    }
    expect(await select("messages", { metadata: { k: object } })).toEqual([]);
    expect(await select("messages", { metadata: { contains: { k: array } } })).toEqual([]);
    expect(await select("messages", { metadata: { k: { in: [array] } } })).toEqual([]);
  });

  it("takes a long `in` list as one parameter", async () => {
    const names = Array.from({ length: LIMITS.inValues - 1 }, (_, i) => `p${i}`);
    expect(await select("peers", { id: [...names, "bob"] })).toEqual(["bob"]);
    expect(await select("messages", { metadata: { category: { in: [...names, "low"] } } })).toEqual(["m3"]);
  });

  it("treats quotes, backslashes, LIKE wildcards and SQL as data", async () => {
    for (const v of ["'", "''", "\\", "\\'", "%", "_", "'; DROP TABLE messages; --", "$1", "E'\\\\'", '"', "😀", "é"]) {
      expect(await select("messages", { peer_id: v })).toEqual([]);
      expect(await select("messages", { peer_id: { contains: v } })).toEqual([]);
      expect(await select("messages", { metadata: { [v]: { in: [v] }, text: { icontains: v, gt: v } } })).toEqual([]);
      expect(await select("messages", { metadata: { [v]: v } })).toEqual([]);
    }
    expect(await select("messages", { metadata: { text: { icontains: "'S \\" } } })).toEqual(["m7"]);
    const [row] = await sql`SELECT count(*)::int AS n FROM messages`;
    expect(row?.n).toBe(ROWS.messages.length);
  });
});

// ---------------------------------------------------------------------------
// property-based: refused with a 422, or runs without an SQL error

const RESOURCES: FilterResource[] = ["messages", "sessions", "peers", "workspaces"];
const KEYS = ["id", "created_at", "is_active", "workspace_id", "session_id", "peer_id", "token_count", "metadata", "AND", "OR", "NOT"];
const OPS = ["gte", "lte", "gt", "lt", "ne", "in", "contains", "icontains"];
const HOSTILE = [
  "", "*", "'", "''", "\\", "\\'", '"', "%", "_", "%_\\", "\u0000", "a\u0000b", "\ud800", "x\udc00", "😀", "é", "\u00a0", "\u2028", "Ω",
  "'; DROP TABLE messages; --", "$1", "$$", "::jsonb", ") OR (1=1", "E'\\\\'", "NaN", "nan", "Infinity", "-inf", "-0", "1e999999", "-1e-999999",
  "1_000", "٣", " 5 ", "0x10", "9223372036854775808", "2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01T10.5+05:30", "0001-01-01T00:00:00+05:00",
  "9999-12-31T23:59:59-05:00", "2024-W53-7", "true", "null", "None", "__proto__", "constructor", "toString", "in", "gt", "contains", "AND", "\n", "\t",
];
const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom("'", "\\", "%", "_", '"', "\u0000", "😀"));
const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit, maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 }));
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, 5, 2 ** 31, 2 ** 53 + 2, 1e20, 1e308, -1e308, 5e-324, 0.1, NaN, Infinity, -Infinity),
);
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));

/** Deep JSON built directly (fast-check's recursion is too shallow to reach the depth limit). */
const deep = fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.boolean(), scalar).map(([n, arrays, leaf]) => {
  let v: unknown = leaf;
  for (let i = 0; i < n; i++) v = arrays ? [v] : { k: v };
  return v;
});

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...OPS, ...KEYS), text), tie("value"), { maxKeys: 4 }),
  ),
}));
const opObject = fc.dictionary(fc.oneof(fc.constantFrom(...OPS), text), fc.oneof(scalar, value, deep), { minKeys: 1, maxKeys: 3 });
const fieldValue = fc.oneof(scalar, opObject, value, fc.dictionary(text, fc.oneof(opObject, scalar, value, deep), { maxKeys: 3 }), deep);

function filterArb(depth: number): fc.Arbitrary<Record<string, unknown>> {
  const field = fc.tuple(fc.oneof(fc.constantFrom(...KEYS.slice(0, 8)), text), fieldValue);
  const entries: fc.Arbitrary<[string, unknown]>[] = [field];
  if (depth < 8) {
    const sub = filterArb(depth + 1);
    entries.push(
      fc.tuple(fc.constantFrom("AND", "OR", "NOT"), fc.oneof({ weight: 9, arbitrary: fc.array(sub, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })) })),
    );
  }
  return fc.array(fc.oneof(...entries), { maxLength: depth === 0 ? 4 : 3 }).map((pairs) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });
}

/** Mostly well-formed: known keys and operators, hostile operands. */
const wellFormed: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", maxDepth: 6 },
    fc.dictionary(
      fc.constantFrom(...KEYS.slice(0, 8)),
      fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom(...OPS), fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { minKeys: 1, maxKeys: 3 }), fc.dictionary(text, fc.oneof(scalar, fc.dictionary(fc.constantFrom(...OPS), fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { minKeys: 1, maxKeys: 2 })), { maxKeys: 3 })),
      { minKeys: 1, maxKeys: 3 },
    ),
    fc.record({ AND: fc.array(tie("filter"), { maxLength: 3 }) }),
    fc.record({ OR: fc.array(tie("filter"), { maxLength: 3 }) }),
    fc.record({ NOT: fc.array(tie("filter"), { maxLength: 3 }) }),
  ),
})).filter as fc.Arbitrary<Record<string, unknown>>;

/** Parses and, when accepted, runs the filter on every table; throws on anything but a 422 or a clean run. */
async function refusedOrRuns(resource: FilterResource, filter: unknown): Promise<"refused" | "ran"> {
  let where;
  try {
    where = filterSql(sql, resource, parseFilter(resource, filter));
  } catch (err) {
    if (err instanceof DomainError && err.kind === "invalid_argument" && err.message.length > 0) return "refused";
    throw err;
  }
  const table = sql(resource);
  await sql`SELECT count(*) FROM ${table} WHERE ${where}`;
  if (resource === "sessions") {
    const joined = filterSql(sql, resource, parseFilter(resource, filter), "sessions");
    await sql`SELECT count(*) FROM sessions JOIN session_peers ON sessions.name = session_peers.session_name WHERE ${joined}`;
  }
  return "ran";
}

describe("property: refused with a 422 or runs cleanly", () => {
  const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);

  it("hostile filters of any shape", async () => {
    const seen = { refused: 0, ran: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RESOURCES), fc.oneof({ weight: 4, arbitrary: filterArb(0) }, { weight: 1, arbitrary: value }), async (resource, filter) => {
        seen[await refusedOrRuns(resource, filter)]++;
      }),
      { numRuns: RUNS },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.ran).toBeGreaterThan(0);
  }, 300_000);

  it("well-formed filters with hostile operands", async () => {
    const seen = { refused: 0, ran: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RESOURCES), wellFormed, async (resource, filter) => {
        seen[await refusedOrRuns(resource, filter)]++;
      }),
      { numRuns: RUNS },
    );
    expect(seen.ran).toBeGreaterThan(RUNS / 10);
  }, 300_000);
});
