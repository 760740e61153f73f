// Honcho's filter language, parsed (src/domain/filters): what it accepts,
// what it refuses and with which 422 detail, the typed conditions it builds,
// and the Python semantics it relies on (int()/float()/Decimal() grammars,
// str()/repr(), datetime.fromisoformat / strptime), with expectations taken
// from Honcho's own code running on CPython 3.13.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors.js";
import { LIMITS, parseFilter, type FilterCondition, type FilterResource } from "../../src/domain/filters/index.js";
import { parseFilterDatetime } from "../../src/domain/filters/datetime.js";
import { pyDecimalFromString, pyFloatFromString, pyFloatRepr, pyIntFromString, pyRepr, pySorted } from "../../src/domain/filters/python.js";
import { httpErrorBody } from "../../src/transport/error-codes.js";
import { ACCEPTED, REFUSED } from "../support/filter-cases.js";

function refusal(resource: FilterResource, filter: unknown): DomainError {
  try {
    parseFilter(resource, filter);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(filter)}`);
}

const show = (v: unknown) => JSON.stringify(v).slice(0, 120);

describe("refused filters: Honcho's FilterError detail, as a 422", () => {
  it.each(REFUSED.map(([r, f, d]) => [r, show(f), f, d] as const))("%s %s", (resource, _label, filter, detail) => {
    const err = refusal(resource, filter);
    expect(err.kind).toBe("invalid_argument");
    expect(err.message).toBe(detail);
    expect(httpErrorBody(err)).toEqual({ status: 422, body: { detail } });
  });
});

describe("accepted filters", () => {
  it.each(ACCEPTED.map(([r, f]) => [r, show(f), f] as const))("%s %s", (resource, _label, filter) => {
    expect(() => parseFilter(resource, filter)).not.toThrow();
  });
});

const text = (value: string) => ({ type: "text", value }) as const;
const num = (value: string) => ({ type: "numeric", value }) as const;
const ts = (value: string) => ({ type: "timestamptz", value }) as const;
const eq = (column: string, operand: unknown) => ({ kind: "compare", column, op: "=", operand });

describe("conditions built", () => {
  const cases: [FilterResource, unknown, FilterCondition | null][] = [
    // no condition at all
    ["messages", null, null],
    ["messages", {}, null],
    ["messages", { peer_id: "*" }, null],
    ["messages", { OR: [] }, null],
    ["messages", { AND: [{}, { NOT: [] }] }, null],
    ["messages", { peer_id: { in: ["a", "*"] } }, null],
    ["messages", { metadata: {} }, null],
    ["messages", { metadata: { a: "*" } }, null],
    ["messages", { metadata: { level: { gte: "*", in: ["*"] } } }, null],
    // a wildcard drops out of OR rather than making it match everything
    ["messages", { OR: [{ peer_id: "*" }, { peer_id: "a" }] }, eq("peer_name", text("a")) as FilterCondition],
    ["messages", { AND: [], peer_id: "a" }, eq("peer_name", text("a")) as FilterCondition],
    [
      "messages",
      { peer_id: "alice", metadata: { type: "user" } },
      { kind: "and", items: [eq("peer_name", text("alice")), { kind: "contains", column: "metadata", document: { type: "user" } }] } as FilterCondition,
    ],
    // AND, OR, NOT first, then fields; NOT negates each item with IS NOT TRUE and ANDs them
    [
      "messages",
      { token_count: 1, NOT: [{ peer_id: "alice" }, { token_count: { gt: 5 } }], OR: [{ peer_id: "a" }, { peer_id: "b" }] },
      {
        kind: "and",
        items: [
          { kind: "or", items: [eq("peer_name", text("a")), eq("peer_name", text("b"))] },
          {
            kind: "and",
            items: [
              { kind: "not", item: eq("peer_name", text("alice")) },
              { kind: "not", item: { kind: "compare", column: "token_count", op: ">", operand: num("5") } },
            ],
          },
          eq("token_count", num("1")),
        ],
      } as FilterCondition,
    ],
    ["messages", { peer_id: ["alice", "bob"] }, { kind: "in", column: "peer_name", operands: [text("alice"), text("bob")] }],
    ["messages", { peer_id: { in: { alice: 1 } } }, { kind: "in", column: "peer_name", operands: [text("alice")] }],
    ["messages", { peer_id: { in: [] } }, { kind: "in", column: "peer_name", operands: [] }],
    ["messages", { peer_id: null }, { kind: "null", column: "peer_name", negated: false }],
    ["messages", { peer_id: { ne: null } }, { kind: "null", column: "peer_name", negated: true }],
    ["messages", { peer_id: { ne: "alice" } }, { kind: "compare", column: "peer_name", op: "distinct", operand: text("alice") }],
    ["messages", { peer_id: { contains: "Al_%\\" } }, { kind: "ilike", column: "peer_name", pattern: "%Al\\_\\%\\\\%" }],
    ["messages", { peer_id: { icontains: ["x", 1.5, null] } }, { kind: "ilike", column: "peer_name", pattern: "%['x', 1.5, None]%" }],
    [
      "messages",
      { token_count: { gt: 5, lte: "10" } },
      { kind: "and", items: [{ kind: "compare", column: "token_count", op: ">", operand: num("5") }, { kind: "compare", column: "token_count", op: "<=", operand: num("10") }] },
    ],
    ["messages", { token_count: true }, eq("token_count", num("1")) as FilterCondition],
    ["messages", { token_count: " 1_0 " }, eq("token_count", num("10")) as FilterCondition],
    ["messages", { token_count: { lt: 5.5 } }, { kind: "compare", column: "token_count", op: "<", operand: num("5.5") }],
    // operands past int4 keep their order against every integer, in numeric's range
    ["messages", { token_count: { gt: 2 ** 31 } }, { kind: "compare", column: "token_count", op: ">", operand: num("2147483648") }],
    ["messages", { token_count: { gt: "1e999999" } }, { kind: "compare", column: "token_count", op: ">", operand: num("1e12") }],
    ["messages", { token_count: { gt: "-1e999999" } }, { kind: "compare", column: "token_count", op: ">", operand: num("-1e12") }],
    ["messages", { token_count: { gt: "1e-999999" } }, { kind: "compare", column: "token_count", op: ">", operand: num("1e-12") }],
    ["messages", { token_count: { lt: "NaN" } }, { kind: "compare", column: "token_count", op: "<", operand: num("1e12") }],
    ["messages", { token_count: { lt: "5.00000000000000000001" } }, { kind: "compare", column: "token_count", op: "<", operand: num("5.0000000000000001") }],
    [
      "messages",
      { created_at: { gte: "2024-01-01", lte: "2024-12-31T10:00:00+05:30" } },
      {
        kind: "and",
        items: [
          { kind: "compare", column: "created_at", op: ">=", operand: ts("2024-01-01 00:00:00.000000+00") },
          { kind: "compare", column: "created_at", op: "<=", operand: ts("2024-12-31 04:30:00.000000+00") },
        ],
      },
    ],
    // metadata keys
    ["messages", { metadata: { score: { gte: 5 } } }, { kind: "keyNumeric", column: "metadata", key: "score", op: ">=", value: "5" }],
    ["messages", { metadata: { score: { gte: " 5 " } } }, { kind: "keyNumeric", column: "metadata", key: "score", op: ">=", value: "5" }],
    ["messages", { metadata: { score: { lt: "1e5" } } }, { kind: "keyNumeric", column: "metadata", key: "score", op: "<", value: "100000" }],
    ["messages", { metadata: { score: { lt: 2 ** 40 } } }, { kind: "keyNumeric", column: "metadata", key: "score", op: "<", value: "1099511627776" }],
    ["messages", { metadata: { score: { ne: "inf" } } }, { kind: "keyNumeric", column: "metadata", key: "score", op: "<>", value: "Infinity" }],
    ["messages", { metadata: { d: { gt: "2024-01-01" } } }, { kind: "keyText", column: "metadata", key: "d", op: ">", value: "2024-01-01" }],
    ["messages", { metadata: { flag: { ne: true } } }, { kind: "keyText", column: "metadata", key: "flag", op: "<>", value: "true" }],
    [
      "messages",
      { metadata: { tag: { in: ["a", 1, 2.5, true, null, [1, "x"], { k: 1e-7 }] } } },
      { kind: "keyIn", column: "metadata", key: "tag", values: ["a", "1", "2.5", "True", "None", "[1, 'x']", "{'k': 1e-07}"] },
    ],
    ["messages", { metadata: { tag: { contains: "fo%o" } } }, { kind: "keyIlike", column: "metadata", key: "tag", pattern: "%fo\\%o%" }],
    ["messages", { metadata: { tag: { icontains: null } } }, { kind: "keyIlike", column: "metadata", key: "tag", pattern: "%None%" }],
    ["messages", { metadata: { a: { b: 1 } } }, { kind: "contains", column: "metadata", document: { a: { b: 1 } } }],
    ["messages", { metadata: { a: "*", b: null } }, { kind: "contains", column: "metadata", document: { b: null } }],
    ["messages", { metadata: { contains: { a: 1 } } }, { kind: "contains", column: "metadata", document: { a: 1 } }],
    ["messages", { metadata: [1, 2] }, { kind: "contains", column: "metadata", document: [1, 2] }],
    ["messages", { metadata: null }, { kind: "null", column: "metadata", negated: false }],
    ["messages", { metadata: { ne: null } }, { kind: "null", column: "metadata", negated: true }],
    ["messages", { metadata: { in: [] } }, { kind: "in", column: "metadata", operands: [] }],
    ["sessions", { is_active: true }, eq("is_active", { type: "bool", value: true }) as FilterCondition],
    ["sessions", { is_active: { ne: false } }, { kind: "compare", column: "is_active", op: "distinct", operand: { type: "bool", value: false } }],
    ["peers", { id: { contains: "bo" } }, { kind: "ilike", column: "name", pattern: "%bo%" }],
    [
      "workspaces",
      { id: "w", created_at: { lt: "2025-01-01 10:00:00" } },
      { kind: "and", items: [eq("name", text("w")), { kind: "compare", column: "created_at", op: "<", operand: ts("2025-01-01 10:00:00.000000+00") }] } as FilterCondition,
    ],
  ];
  it.each(cases.map(([r, f, c]) => [r, show(f), f, c] as const))("%s %s", (resource, _label, filter, condition) => {
    expect(parseFilter(resource, filter)).toEqual(condition);
  });

  it("keeps a metadata key named __proto__ as data", () => {
    const filter = JSON.parse('{"metadata": {"__proto__": {"x": 1}}}');
    const c = parseFilter("messages", filter) as Extract<FilterCondition, { kind: "contains" }>;
    expect(JSON.stringify(c.document)).toBe('{"__proto__":{"x":1}}');
  });
});

describe("bounds on hostile input", () => {
  it("refuses deep JSON anywhere in the filter without recursing through it", () => {
    let doc: unknown = 1;
    for (let i = 0; i < 100_000; i++) doc = [doc];
    expect(refusal("messages", { metadata: { k: doc } }).message).toBe(`Filter value nesting exceeds maximum depth of ${LIMITS.valueDepth}`);
  });

  it("refuses very large filters", () => {
    const big = { metadata: { k: Array.from({ length: LIMITS.values }, (_, i) => i) } };
    expect(refusal("messages", big).message).toBe(`Filter is too large: at most ${LIMITS.values} values`);
  });

  it("refuses more text than the limit, keys included", () => {
    const detail = `Filter is too large: at most ${LIMITS.textChars} characters of text`;
    expect(refusal("messages", { peer_id: "x".repeat(LIMITS.textChars + 1) }).message).toBe(detail);
    expect(refusal("messages", { metadata: { ["k".repeat(LIMITS.textChars / 2)]: "v".repeat(LIMITS.textChars / 2) } }).message).toBe(detail);
    expect(() => parseFilter("messages", { metadata: { k: { contains: "%_\\".repeat(LIMITS.textChars / 4) } } })).not.toThrow();
  });

  it("accepts documents up to the depth limit", () => {
    let doc: unknown = 1;
    for (let i = 0; i < LIMITS.valueDepth - 3; i++) doc = { a: doc };
    expect(parseFilter("messages", { metadata: { k: doc } })).toMatchObject({ kind: "contains" });
  });

  it("stops at Honcho's five levels of AND/OR/NOT before looking deeper", () => {
    let f: unknown = { peer_id: "a" };
    for (let i = 0; i < 5; i++) f = { OR: [f] };
    expect(() => parseFilter("messages", f)).not.toThrow();
    expect(refusal("messages", { NOT: [f] }).message).toBe("Filter nesting exceeds maximum depth of 5");
  });

  it("refuses NaN and Infinity inside a JSON document (jsonb has neither)", () => {
    expect(refusal("messages", { metadata: { k: NaN } }).message).toBe("Invalid filter value: NaN and Infinity cannot be matched in a JSON document");
    expect(refusal("messages", { metadata: { contains: { k: [Infinity] } } }).message).toBe("Invalid filter value: NaN and Infinity cannot be matched in a JSON document");
  });

  it("takes NaN and Infinity as numbers where Python does", () => {
    expect(parseFilter("messages", { token_count: { gt: -Infinity } })).toMatchObject({ operand: num("-1e12") });
    expect(parseFilter("messages", { metadata: { k: { lt: NaN } } })).toMatchObject({ kind: "keyNumeric", value: "NaN" });
    expect(refusal("messages", { token_count: { in: [NaN, "x"] } }).message).toBe("Invalid numeric value: x. Expected a number, got str");
  });

  it("answers 'Invalid filter configuration' for a filters value that is not an object", () => {
    expect(refusal("messages", "x").message).toBe("Invalid filter configuration");
    expect(refusal("messages", [{}]).message).toBe("Invalid filter configuration");
  });
});

describe("Python semantics (expectations from CPython 3.13)", () => {
  it("writes str()/repr() as Python does", () => {
    expect(pyRepr({ a: "it's", b: 'say "hi"', c: "both ' \"", d: [true, false, null], e: 1.5, f: 10 })).toBe(
      `{'a': "it's", 'b': 'say "hi"', 'c': 'both \\' "', 'd': [True, False, None], 'e': 1.5, 'f': 10}`,
    );
    expect(pyRepr("tab\there\n\u0000\u007f\u00a0é\u200b😀\ud800")).toBe("'tab\\there\\n\\x00\\x7f\\xa0é\\u200b😀\\ud800'");
    expect([1e-7, 0.0001, 1e-5, 123.456, 0.1 + 0.2, -2.5, NaN, Infinity].map(pyFloatRepr)).toEqual([
      "1e-07",
      "0.0001",
      "1e-05",
      "123.456",
      "0.30000000000000004",
      "-2.5",
      "nan",
      "inf",
    ]);
    expect(pyRepr(2 ** 70)).toBe("1180591620717411303424");
    expect(pySorted(["b", "a", "\uffff", "😀", "B"])).toEqual(["B", "a", "b", "\uffff", "😀"]);
  });

  it("reads numbers as int(), float() and Decimal() do", () => {
    const int = (s: string) => pyIntFromString(s)?.toString() ?? null;
    expect(["1_000", " ٣ ", "1e5", "_1", "1__0", "0x10", "+5", " 7 ", "\u00a05\u3000", "\x1c5"].map(int)).toEqual(["1000", "3", null, null, null, null, "5", "7", "5", null]);
    expect(["1e5", "nan", "-Infinity", ".5", "5.", "1_0.5_5", "1._5", "iNfInItY", "1e"].map((s) => pyFloatFromString(s) ?? null)).toEqual([
      100000,
      NaN,
      -Infinity,
      0.5,
      5,
      10.55,
      null,
      Infinity,
      null,
    ]);
    expect(pyDecimalFromString("_1_")).toEqual({ kind: "finite", negative: false, digits: "1", exponent: 0n });
    expect(pyDecimalFromString("-1.50e3")).toEqual({ kind: "finite", negative: true, digits: "150", exponent: 1n });
    expect(pyDecimalFromString("sNaN12")).toEqual({ kind: "nan" });
    expect(pyDecimalFromString("\x1c5")).toEqual({ kind: "finite", negative: false, digits: "5", exponent: 0n });
    expect(pyDecimalFromString("1 0")).toBeUndefined();
  });

  it("reads datetimes as Honcho's _validate_datetime_string does", () => {
    const cases: [string, bigint | undefined][] = [
      ["2024-01-01", 1704067200000000n],
      [" 2024-01-01T10:00:00Z ", 1704103200000000n],
      ["2024-01-01T10:00:00.5+05:30", 1704083400500000n],
      ["20240101T100000", 1704103200000000n],
      ["2024-W01-1", 1704067200000000n],
      ["2024-01-01😀10:30", 1704105000000000n],
      ["2024-01-01T10.5", 1704103200500000n],
      ["2024-1-5  3:4:5", 1704423845000000n],
      ["２０２４-01-05 03:04:05", 1704423845000000n],
      ["2024-01-01\n10:00:00", 1704103200000000n],
      ["2024-01-01T10:00:00+00:99", 1704097260000000n],
      ["2024-01-01T10:00:00.1234567Z", 1704103200123456n],
      ["0001-01-01T00:00:00+05:00", -62135614800000000n],
      ["9999-12-31T23:59:59-05:00", 253402318799000000n],
      ["2024-01-01T24:00", undefined],
      ["2024-02-30", undefined],
      ["2024-01-01\u000010:00", undefined],
    ];
    for (const [s, micros] of cases) expect([s, parseFilterDatetime(s)]).toEqual([s, micros]);
  });

  it("writes instants PostgreSQL reads, before year 1 and after 9999 in UTC too", () => {
    expect(parseFilter("messages", { created_at: "0001-01-01T00:00:00+05:00" })).toMatchObject({ operand: ts("0001-12-31 19:00:00.000000+00 BC") });
    expect(parseFilter("messages", { created_at: "9999-12-31T23:59:59-05:00" })).toMatchObject({ operand: ts("10000-01-01 04:59:59.000000+00") });
  });
});
