// Filters and what Honcho answers for them (src/utils/filter.py at
// ddbb90e3): the 422 detail for refused ones, acceptance for the others.
// Each expectation was checked by running Honcho's own filter code on the
// same input; the cases restate what Honcho's tests (tests/utils/
// test_filter.py, tests/test_advanced_filters.py) and research notes assert.
import type { FilterResource } from "../../src/domain/filters/index.js";

export type Refusal = [resource: FilterResource, filter: unknown, detail: string];

const JSONB = "Invalid filter for column 'h_metadata': a JSONB column takes an object, optionally under 'contains'";
const GENERIC = "Invalid filter configuration";
const NULL_OP = (op: string) => `Operator '${op}' does not accept null. Use {"ne": null} for a not-null check, or null on its own for a null check.`;
const numericCast = (op: string, v: string, type: string) =>
  `Failed to build numeric comparison condition for operator '${op}' with value '${v}': Failed to process numeric cast for value '${v}': Invalid value for numeric operator: ${v}. Expected a number, got ${type}`;

export const REFUSED: Refusal[] = [
  // keys per resource
  ["messages", { id: "x" }, "Column 'id' is not allowed to be filtered on or does not exist on Message"],
  ["messages", { content: "Hello" }, "Column 'content' is not allowed to be filtered on or does not exist on Message"],
  ["messages", { content: { contains: "support" } }, "Column 'content' is not allowed to be filtered on or does not exist on Message"],
  ["messages", { is_active: true }, "Column 'is_active' is not allowed to be filtered on or does not exist on Message"],
  ["peers", { non_existent_column: "value" }, "Column 'non_existent_column' is not allowed to be filtered on or does not exist on Peer"],
  ["peers", { AND: [{ metadata: { role: "test" } }, { fake_column: "x" }] }, "Column 'fake_column' is not allowed to be filtered on or does not exist on Peer"],
  ["sessions", { peer_id: "x" }, "Column 'peer_id' does not exist on Session"],
  ["sessions", { session_id: "x" }, "Column 'session_id' does not exist on Session"],
  ["peers", { is_active: true }, "Column 'is_active' does not exist on Peer"],
  ["workspaces", { workspace_id: "w" }, "Column 'workspace_id' does not exist on Workspace"],
  ["workspaces", { name: "w" }, "Column 'name' is not allowed to be filtered on or does not exist on Workspace"],
  ["workspaces", { h_metadata: {} }, "Column 'h_metadata' is not allowed to be filtered on or does not exist on Workspace"],
  // logical operators
  ["peers", { AND: "not_a_list" }, "AND operator must contain a list, got str"],
  ["peers", { OR: { invalid: "structure" } }, "OR operator must contain a list, got dict"],
  ["peers", { AND: null }, "AND operator must contain a list, got NoneType"],
  ["peers", { OR: 1.5 }, "OR operator must contain a list, got float"],
  ["peers", { NOT: null }, "NOT operator cannot be None"],
  ["peers", { NOT: true }, "NOT operator must contain a list, got bool"],
  ["peers", { AND: ["x"] }, GENERIC],
  ["peers", { AND: [null] }, GENERIC],
  ["peers", { AND: [[]] }, GENERIC],
  ["peers", { OR: [1] }, GENERIC],
  ["peers", { NOT: [null] }, GENERIC],
  ["peers", { AND: [{ valid_field: "value" }, "invalid_structure"] }, "Column 'valid_field' is not allowed to be filtered on or does not exist on Peer"],
  ["peers", { AND: [{ id: "a" }, "invalid_structure"] }, GENERIC],
  ["messages", { AND: [{ AND: [{ AND: [{ AND: [{ AND: [{ AND: [{ peer_id: "a" }] }] }] }] }] }] }, "Filter nesting exceeds maximum depth of 5"],
  ["messages", { NOT: [{ OR: [{ AND: [{ NOT: [{ OR: [{ AND: ["not even a filter"] }] }] }] }] }] }, "Filter nesting exceeds maximum depth of 5"],
  // AND, OR and NOT are read before the fields, whatever their order
  ["messages", { peer_id: 5, AND: [{ token_count: "x" }] }, "Invalid numeric value: x. Expected a number, got str"],
  ["messages", { peer_id: 5, NOT: [{ token_count: "y" }], OR: [{ token_count: "x" }] }, "Invalid numeric value: x. Expected a number, got str"],
  // operand types per column
  ["messages", { token_count: "abc" }, "Invalid numeric value: abc. Expected a number, got str"],
  ["messages", { token_count: { gt: "nope" } }, "Invalid numeric value: nope. Expected a number, got str"],
  ["messages", { token_count: { in: [1, "nope"] } }, "Invalid numeric value: nope. Expected a number, got str"],
  ["messages", { token_count: [[1]] }, "Invalid numeric value: [1]. Expected a number, got list"],
  ["messages", { token_count: { ne: { a: 1 } } }, "Invalid numeric value: {'a': 1}. Expected a number, got dict"],
  ["messages", { token_count: { contains: 5 } }, "Operator 'contains' requires a text column, but 'token_count' is int"],
  ["messages", { token_count: { contains: "1" } }, "Operator 'contains' requires a text column, but 'token_count' is int"],
  ["messages", { created_at: { contains: "x" } }, "Operator 'contains' requires a text column, but 'created_at' is datetime"],
  ["messages", { created_at: { icontains: "x" } }, "Operator 'icontains' requires a text column, but 'created_at' is datetime"],
  ["sessions", { is_active: { contains: "x" } }, "Operator 'contains' requires a text column, but 'is_active' is bool"],
  ["messages", { peer_id: 5 }, "Invalid value for column 'peer_name': expected a string, got int"],
  ["messages", { session_id: true }, "Invalid value for column 'session_name': expected a string, got bool"],
  ["messages", { workspace_id: { ne: 1.5 } }, "Invalid value for column 'workspace_name': expected a string, got float"],
  ["messages", { peer_id: { in: [1] } }, "Invalid value for column 'peer_name': expected a string, got int"],
  ["messages", { peer_id: ["a", null] }, "Invalid value for column 'peer_name': expected a string, got NoneType"],
  ["sessions", { id: { gt: ["a"] } }, "Invalid value for column 'name': expected a string, got list"],
  ["messages", { created_at: 5 }, "Invalid value for column 'created_at': expected a datetime, got int"],
  ["messages", { created_at: { gte: "not-a-date" } }, "Invalid datetime value: not-a-date"],
  ["messages", { created_at: { gte: "invalid-date" } }, "Invalid datetime value: invalid-date"],
  ["peers", { created_at: { gte: "2024-01-01'; DROP TABLE peers; --" } }, "Invalid datetime value: 2024-01-01'; DROP TABLE peers; --"],
  ["peers", { created_at: { gte: "2024-01-01 OR 1=1" } }, "Invalid datetime value: 2024-01-01 OR 1=1"],
  ["peers", { created_at: { lt: "2024-02-30" } }, "Invalid datetime value: 2024-02-30"],
  ["peers", { created_at: ["2024-01-01", "2024-13-01"] }, "Invalid datetime value: 2024-13-01"],
  ["sessions", { is_active: "true" }, "Invalid value for column 'is_active': expected true or false, got str"],
  ["sessions", { is_active: 1 }, "Invalid value for column 'is_active': expected true or false, got int"],
  ["sessions", { is_active: { ne: "true" } }, "Invalid value for column 'is_active': expected true or false, got str"],
  // SQLAlchemy refuses ordering comparisons with True/False
  ["sessions", { is_active: { gt: false } }, GENERIC],
  ["sessions", { is_active: { lte: true } }, GENERIC],
  // operator objects
  ["messages", { peer_id: { foo: 1 } }, "Invalid filter for column 'peer_id': unsupported operator(s) ['foo']. Expected one of ['contains', 'gt', 'gte', 'icontains', 'in', 'lt', 'lte', 'ne'] or a scalar value."],
  ["messages", { session_id: { operator: "null" } }, "Invalid filter for column 'session_id': unsupported operator(s) ['operator']. Expected one of ['contains', 'gt', 'gte', 'icontains', 'in', 'lt', 'lte', 'ne'] or a scalar value."],
  ["messages", { peer_id: {} }, "Invalid filter for column 'peer_id': unsupported operator(s) []. Expected one of ['contains', 'gt', 'gte', 'icontains', 'in', 'lt', 'lte', 'ne'] or a scalar value."],
  ["messages", { peer_id: { "b'": 1, 'a"': 2, "é\\": 3 } }, `Invalid filter for column 'peer_id': unsupported operator(s) ['a"', "b'", 'é\\\\']. Expected one of ['contains', 'gt', 'gte', 'icontains', 'in', 'lt', 'lte', 'ne'] or a scalar value.`],
  ["messages", { peer_id: { gt: "a", foo: 1 } }, "Unsupported comparison operator: foo"],
  ["messages", { peer_id: { $gt: "a", in: [] } }, "Unsupported comparison operator: $gt"],
  ["messages", { peer_id: { in: null } }, NULL_OP("in")],
  ["messages", { token_count: { gt: null } }, NULL_OP("gt")],
  ["messages", { peer_id: { contains: null } }, NULL_OP("contains")],
  ["messages", { peer_id: { in: "abc" } }, "Invalid value for 'in' operator: abc. Expected an iterable (list, tuple, set), got str"],
  ["messages", { token_count: { in: 5 } }, "Invalid value for 'in' operator: 5. Expected an iterable (list, tuple, set), got int"],
  ["sessions", { is_active: { in: true } }, "Invalid value for 'in' operator: True. Expected an iterable (list, tuple, set), got bool"],
  // metadata (JSONB)
  ["messages", { metadata: "x" }, JSONB],
  ["messages", { metadata: 5 }, JSONB],
  ["messages", { metadata: true }, JSONB],
  ["messages", { metadata: { gte: 5 } }, JSONB],
  ["messages", { metadata: { contains: "x" } }, JSONB],
  ["messages", { metadata: { icontains: "x" } }, JSONB],
  ["messages", { metadata: { ne: { a: 1 } } }, JSONB],
  ["messages", { metadata: { ne: [1] } }, JSONB],
  ["messages", { metadata: { in: [{ a: 1 }] } }, JSONB],
  ["messages", { metadata: { in: null } }, NULL_OP("in")],
  ["messages", { metadata: { contains: null } }, NULL_OP("contains")],
  ["messages", { metadata: { in: "abc" } }, "Invalid value for 'in' operator: abc. Expected an iterable (list, tuple, set), got str"],
  ["messages", { metadata: { a: 1, gt: 2 } }, "Unsupported comparison operator: a"],
  ["messages", { metadata: { contains: { a: 1 }, foo: 1 } }, "Unsupported comparison operator: foo"],
  ["messages", { metadata: { x: { in: "abc" } } }, "Invalid value for 'in' operator: abc. Expected an iterable (list, tuple, set), got str"],
  ["messages", { metadata: { x: { in: 5 } } }, "Invalid value for 'in' operator: 5. Expected an iterable (list, tuple, set), got int"],
  ["messages", { metadata: { x: { in: null } } }, "Invalid value for 'in' operator: None. Expected an iterable (list, tuple, set), got NoneType"],
  ["messages", { metadata: { x: { in: 2.5 } } }, "Invalid value for 'in' operator: 2.5. Expected an iterable (list, tuple, set), got float"],
  ["messages", { metadata: { x: { eq: 1, gt: 1 } } }, "Unsupported comparison operator: eq"],
  ["peers", { metadata: { score: { gte: [1, 2, 3] } } }, numericCast("gte", "[1, 2, 3]", "list")],
  ["peers", { metadata: { score: { ne: null } } }, numericCast("ne", "None", "NoneType")],
  ["peers", { metadata: { score: { lt: { a: "b'c", b: [true, null, 1.5e-7] } } } }, numericCast("lt", `{'a': "b'c", 'b': [True, None, 1.5e-07]}`, "dict")],
  // the limits of this implementation
  ["messages", { peer_id: { in: Array.from({ length: 10_001 }, (_, i) => `p${i}`) } }, "Filter has too many 'in' values: at most 10000"],
  ["messages", { OR: Array.from({ length: 1001 }, (_, i) => ({ peer_id: `p${i}` })) }, "Filter has too many conditions: at most 1000"],
  // PostgreSQL text cannot hold these; Honcho's query fails in the driver
  ["messages", { peer_id: "a\u0000b" }, "Invalid filter value: text must not contain NUL (0x00) characters"],
  ["messages", { metadata: { "k\u0000": 1 } }, "Invalid filter value: text must not contain NUL (0x00) characters"],
  ["messages", { metadata: { k: { gt: "x\u0000" } } }, "Invalid filter value: text must not contain NUL (0x00) characters"],
  ["messages", { peer_id: "\ud800" }, "Invalid filter value: text must not contain unpaired surrogates"],
  ["messages", { metadata: { k: ["\udc00"] } }, "Invalid filter value: text must not contain unpaired surrogates"],
  // …but every check Honcho makes comes first
  ["messages", { peer_id: "a\u0000b", token_count: "x" }, "Invalid numeric value: x. Expected a number, got str"],
];

/** Accepted by Honcho (a query, or no condition at all). */
export const ACCEPTED: [FilterResource, unknown][] = [
  ["messages", {}],
  ["messages", { peer_id: "*" }],
  ["messages", { OR: [] }],
  ["messages", { AND: [], peer_id: "a" }],
  ["messages", { peer_id: { in: ["a", "*"] } }],
  ["messages", { peer_id: "alice", metadata: { type: "user" } }],
  ["messages", { AND: [{ peer_id: "alice" }, { created_at: { gte: "2024-01-01" } }] }],
  ["messages", { NOT: [{ peer_id: "alice" }, { token_count: { gt: 5 } }] }],
  ["messages", { created_at: { gte: "2024-01-01", lte: "2024-12-31T10:00:00Z" } }],
  ["messages", { created_at: " 2024-01-01\t10:00:00.5 " }],
  ["messages", { created_at: "2024-W01-1" }],
  ["messages", { peer_id: ["alice", "bob"] }],
  ["messages", { peer_id: { in: [] } }],
  ["messages", { peer_id: { in: { alice: 1 } } }],
  ["messages", { peer_id: null }],
  ["messages", { peer_id: { ne: null } }],
  ["messages", { peer_id: { ne: "alice" } }],
  ["messages", { peer_id: { contains: "Al_%" } }],
  ["messages", { peer_id: { contains: 5 } }],
  ["messages", { token_count: { gt: 5, lte: "10" } }],
  ["messages", { token_count: true }],
  ["messages", { token_count: { gt: 2 ** 31 } }],
  ["messages", { token_count: { lt: 5.5 } }],
  ["messages", { token_count: { gt: "1e999999" } }],
  ["messages", { token_count: { in: [1, 2 ** 31, "3", true] } }],
  ["messages", { metadata: { score: { gte: 5 } } }],
  ["messages", { metadata: { score: { gte: "5" } } }],
  ["messages", { metadata: { d: { gt: "2024-01-01" } } }],
  ["messages", { metadata: { flag: { ne: true } } }],
  ["messages", { metadata: { tag: { in: ["a", 1, true] } } }],
  ["messages", { metadata: { tag: { contains: "fo%o" } } }],
  ["messages", { metadata: { tag: { contains: null } } }],
  ["messages", { metadata: { a: { b: 1 } } }],
  ["messages", { metadata: { a: "*", b: 2 } }],
  ["messages", { metadata: { contains: { a: 1 } } }],
  ["messages", { metadata: { contains: [1] } }],
  ["messages", { metadata: [1, 2] }],
  ["messages", { metadata: null }],
  ["messages", { metadata: { ne: null } }],
  ["messages", { metadata: { in: [] } }],
  ["messages", { metadata: { in: ["*", 5] } }],
  ["messages", { metadata: {} }],
  ["messages", { metadata: { role: {} } }],
  ["messages", { metadata: { level: { gte: "*" } } }],
  ["messages", { metadata: { role: { in: ["*", "admin"] } } }],
  ["messages", { AND: [{ AND: [{ AND: [{ AND: [{ AND: [{ peer_id: "a" }] }] }] }] }] }],
  ["sessions", { is_active: true }],
  ["sessions", { is_active: false }],
  ["sessions", { is_active: { ne: true } }],
  ["sessions", { is_active: { in: [true, false] } }],
  ["sessions", { id: "s1", metadata: { k: "v" } }],
  ["sessions", { workspace_id: "w", created_at: { gte: "2020-01-01" } }],
  ["peers", { id: { contains: "bo" } }],
  ["peers", { OR: [{ AND: [] }, { id: "p" }] }],
  ["workspaces", { id: "w", created_at: { lt: "2025-01-01 10:00:00" } }],
  ["workspaces", { id: { in: ["w1", "w2"] }, metadata: { version: { gte: "2.0" } } }],
];

// ---------------------------------------------------------------------------
// A small data set in Honcho's tables and what filters select from it.

export interface Rows {
  workspaces: { name: string; created_at: string; metadata: unknown }[];
  peers: { name: string; workspace: string; created_at: string; metadata: unknown }[];
  sessions: { name: string; workspace: string; is_active: boolean; created_at: string; metadata: unknown; peers: string[] }[];
  /** metadata as a value, or as JSON text where JS numbers cannot hold it */
  messages: { id: string; peer: string; session: string; tokens: number; created_at: string; metadata: unknown }[];
}

export const ROWS: Rows = {
  workspaces: [
    { name: "w1", created_at: "2024-01-01T00:00:00Z", metadata: { env: "dev", version: "1.0", n: 5, flag: true } },
    { name: "w2", created_at: "2024-06-15T12:30:00Z", metadata: { env: "prod", version: "2.0", n: "15", flag: false, nested: { a: 1 } } },
    { name: "Alpha_%", created_at: "2025-03-01T08:00:00.123456Z", metadata: { env: "Dev", n: "abc", tags: ["x", "y"] } },
    { name: "w4", created_at: "2023-12-31T23:59:59Z", metadata: {} },
  ],
  peers: [
    { name: "alice", workspace: "w1", created_at: "2024-01-02T00:00:00Z", metadata: { role: "admin", department: "engineering", level: 5 } },
    { name: "bob", workspace: "w1", created_at: "2024-01-03T00:00:00Z", metadata: { role: "user", department: "engineering", level: 1 } },
    { name: "carol", workspace: "w1", created_at: "2024-01-04T00:00:00Z", metadata: { role: "admin", department: "sales", level: "3" } },
    { name: "dave", workspace: "w1", created_at: "2024-01-05T00:00:00Z", metadata: { role: "Admin", Department: "ENGINEERING", level: "high", description: "Héllo Wörld! 你好世界 🌍" } },
    { name: "eve", workspace: "w2", created_at: "2024-01-06T00:00:00Z", metadata: { role: "admin", level: 9 } },
  ],
  sessions: [
    { name: "s1", workspace: "w1", is_active: true, created_at: "2024-01-05T00:00:00Z", metadata: { type: "chat", priority: 1, created_date: "2024-01-15" }, peers: ["alice", "bob", "carol", "dave"] },
    { name: "s2", workspace: "w1", is_active: false, created_at: "2024-02-05T00:00:00Z", metadata: { type: "support", priority: 5, created_date: "2024-02-20" }, peers: ["alice", "dave"] },
    { name: "s3", workspace: "w1", is_active: true, created_at: "2024-03-05T00:00:00Z", metadata: { type: "meeting", priority: "8", created_date: "2024-03-10", duration: 30 }, peers: ["carol"] },
    { name: "s4", workspace: "w1", is_active: true, created_at: "2024-04-05T00:00:00Z", metadata: { priority: "high", duration: 60 }, peers: [] },
    { name: "s5", workspace: "w2", is_active: true, created_at: "2024-05-05T00:00:00Z", metadata: {}, peers: ["eve"] },
  ],
  messages: [
    { id: "m1", peer: "alice", session: "s1", tokens: 5, created_at: "2024-01-10T10:00:00Z", metadata: { score: 10, category: "high", tags: ["important", "urgent"], active: true } },
    { id: "m2", peer: "alice", session: "s1", tokens: 10, created_at: "2024-01-11T10:00:00Z", metadata: { score: 5, category: "medium", tags: ["normal"], active: false } },
    { id: "m3", peer: "bob", session: "s1", tokens: 0, created_at: "2024-01-12T10:00:00.5Z", metadata: { score: 1, category: "low", tags: ["minor"], active: "true" } },
    { id: "m4", peer: "bob", session: "s1", tokens: 2147483647, created_at: "2024-02-01T00:00:00Z", metadata: { score: "15", priority: "05", value: 0.30000000000000004 } },
    { id: "m5", peer: "carol", session: "s1", tokens: 3, created_at: "2024-03-01T00:00:00Z", metadata: { score: "NaN", count: "infinity", priority: "" } },
    { id: "m6", peer: "carol", session: "s1", tokens: 7, created_at: "2024-04-01T00:00:00Z", metadata: { score: { n: 1 }, category: ["high"], active: 1, value: 0.3 } },
    { id: "m7", peer: "dave", session: "s2", tokens: 1, created_at: "2024-05-01T00:00:00Z", metadata: '{"score": 3.14159, "text": "It\'s \\\\ back 100%", "value": 1.23e-10, "big": 9223372036854775807}' },
    { id: "m8", peer: "dave", session: "s2", tokens: 100, created_at: "2023-06-01T00:00:00Z", metadata: {} },
  ],
};

/**
 * What each filter selects: workspace names, or within workspace w1 peer and
 * session names and message contents (m1…m8). Checked against the rows
 * Honcho's own SQL selects from the same data, except where `honcho500`
 * marks that Honcho's query fails (a row's value is not a number, or an
 * operand is out of numeric's range) and these rows are this
 * implementation's answer.
 */
export const SELECTS: { resource: FilterResource; filter: unknown; rows: string[]; honcho500?: true }[] = [
  // logical operators (tests/test_advanced_filters.py)
  { resource: "peers", filter: { AND: [{ metadata: { role: "admin" } }, { metadata: { department: "engineering" } }] }, rows: ["alice"] },
  { resource: "peers", filter: { OR: [{ metadata: { role: "admin" } }, { metadata: { department: "engineering" } }] }, rows: ["alice", "bob", "carol"] },
  { resource: "peers", filter: { NOT: [{ metadata: { role: "admin" } }] }, rows: ["bob", "dave"] },
  { resource: "peers", filter: { NOT: [{ metadata: { role: "admin" } }, { metadata: { department: "engineering" } }] }, rows: ["dave"] },
  { resource: "peers", filter: { OR: [{ AND: [] }, { id: "bob" }] }, rows: ["bob"] },
  { resource: "peers", filter: { AND: [{ id: "*" }, { metadata: { role: "*" } }] }, rows: ["alice", "bob", "carol", "dave"] },
  { resource: "peers", filter: { id: { in: ["*"] } }, rows: ["alice", "bob", "carol", "dave"] },
  { resource: "peers", filter: { metadata: { role: {} } }, rows: [] },
  { resource: "peers", filter: { metadata: { level: { gte: 3 } } }, rows: ["alice", "carol"], honcho500: true },
  { resource: "peers", filter: { metadata: { Role: "Admin" } }, rows: [] },
  { resource: "peers", filter: { metadata: { role: "Admin" } }, rows: ["dave"] },
  { resource: "peers", filter: { metadata: { Department: { icontains: "engineering" } } }, rows: ["dave"] },
  { resource: "peers", filter: { metadata: { description: { icontains: "wörld" } } }, rows: ["dave"] },
  { resource: "peers", filter: { id: { contains: "A" } }, rows: ["alice", "carol", "dave"] },
  { resource: "peers", filter: { created_at: { gt: "2024-01-03", lte: "2024-01-05T00:00:00+00:00" } }, rows: ["carol", "dave"] },
  { resource: "peers", filter: { workspace_id: "w2" }, rows: [] },
  // sessions
  { resource: "sessions", filter: { is_active: true }, rows: ["s1", "s3", "s4"] },
  { resource: "sessions", filter: { is_active: { ne: true } }, rows: ["s2"] },
  { resource: "sessions", filter: { is_active: [false] }, rows: ["s2"] },
  { resource: "sessions", filter: { metadata: { created_date: { gte: "2024-02-01", lte: "2024-02-28" } } }, rows: ["s2"] },
  { resource: "sessions", filter: { AND: [{ metadata: { created_date: { gte: "2024-01-01" } } }, { metadata: { priority: { gt: 4 } } }] }, rows: ["s2", "s3"] },
  { resource: "sessions", filter: { OR: [{ metadata: { duration: { gte: 45 } } }, { metadata: { type: "meeting" } }] }, rows: ["s3", "s4"] },
  { resource: "sessions", filter: { id: ["s1", "s4", "nope"], metadata: { priority: { ne: "high" } } }, rows: ["s1"] },
  // messages (all in w1)
  { resource: "messages", filter: { metadata: { score: { gte: 5 } } }, rows: ["m1", "m2", "m4", "m5"], honcho500: true },
  { resource: "messages", filter: { metadata: { score: { lt: 5 } } }, rows: ["m3", "m7"], honcho500: true },
  { resource: "messages", filter: { metadata: { score: { ne: 5 } } }, rows: ["m1", "m3", "m4", "m5", "m7"], honcho500: true },
  { resource: "messages", filter: { NOT: [{ metadata: { score: { gte: 5 } } }] }, rows: ["m3", "m6", "m7", "m8"], honcho500: true },
  { resource: "messages", filter: { metadata: { score: { gte: 3, lte: 8 } } }, rows: ["m2", "m7"], honcho500: true },
  { resource: "messages", filter: { metadata: { category: { in: ["high", "low"] } } }, rows: ["m1", "m3"] },
  { resource: "messages", filter: { NOT: [{ metadata: { category: { in: ["high"] } } }] }, rows: ["m2", "m3", "m4", "m5", "m6", "m7", "m8"] },
  { resource: "messages", filter: { metadata: { tags: ["important", "urgent"] } }, rows: ["m1"] },
  { resource: "messages", filter: { metadata: { tags: ["important", "missing"] } }, rows: [] },
  { resource: "messages", filter: { metadata: { contains: { category: ["high"] } } }, rows: ["m6"] },
  { resource: "messages", filter: { metadata: { active: { ne: false } } }, rows: ["m1", "m3", "m6"] },
  { resource: "messages", filter: { metadata: { active: true } }, rows: ["m1"] },
  { resource: "messages", filter: { metadata: { text: { contains: "\\ back 100%" } } }, rows: ["m7"] },
  { resource: "messages", filter: { metadata: { text: { icontains: "IT'S" } } }, rows: ["m7"] },
  { resource: "messages", filter: { metadata: { text: { contains: "_" } } }, rows: [] },
  { resource: "messages", filter: { metadata: { value: 0.3 } }, rows: ["m6"] },
  { resource: "messages", filter: { metadata: { value: { gt: 0.3 } } }, rows: ["m4"] },
  { resource: "messages", filter: { metadata: { value: { lt: 1e-9 } } }, rows: ["m7"] },
  { resource: "messages", filter: { metadata: { big: { gte: "9223372036854775807" } } }, rows: ["m7"] },
  { resource: "messages", filter: { metadata: { priority: "05" } }, rows: ["m4"] },
  { resource: "messages", filter: { metadata: { priority: { lt: 6 } } }, rows: ["m4"] },
  { resource: "messages", filter: { metadata: { count: { gt: 1e300 } } }, rows: ["m5"] },
  { resource: "messages", filter: { peer_id: ["alice"] }, rows: ["m1", "m2"] },
  { resource: "messages", filter: { peer_id: [] }, rows: [] },
  { resource: "messages", filter: { peer_id: { in: ["alice", "*"] } }, rows: ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"] },
  { resource: "messages", filter: { peer_id: { contains: "AL" } }, rows: ["m1", "m2"] },
  { resource: "messages", filter: { peer_id: { ne: "alice" }, session_id: "s1" }, rows: ["m3", "m4", "m5", "m6"] },
  { resource: "messages", filter: { session_id: "s2" }, rows: ["m7", "m8"] },
  { resource: "messages", filter: { workspace_id: "w1", token_count: { gte: 0 } }, rows: ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"] },
  { resource: "messages", filter: { token_count: { gt: 2147483646 } }, rows: ["m4"] },
  { resource: "messages", filter: { token_count: { gte: "1e999999" } }, rows: [], honcho500: true },
  { resource: "messages", filter: { token_count: { lt: 2 ** 40 } }, rows: ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"] },
  { resource: "messages", filter: { token_count: { in: [0, "1", true, 2.5] } }, rows: ["m3", "m7"] },
  { resource: "messages", filter: { token_count: { lt: 5.5, gt: "0.5" } }, rows: ["m1", "m5", "m7"] },
  { resource: "messages", filter: { created_at: { gte: "2024-01-11", lt: "2024-03-01" } }, rows: ["m2", "m3", "m4"] },
  { resource: "messages", filter: { created_at: "2024-01-12T11:00:00.500000+01:00" }, rows: ["m3"] },
  { resource: "messages", filter: { created_at: ["2024-01-12 10:00:00.5", "2024-W05-4"] }, rows: ["m3", "m4"] },
  {
    resource: "messages",
    filter: { AND: [{ OR: [{ metadata: { category: "high" } }, { metadata: { category: "medium" } }] }, { NOT: [{ peer_id: "bob" }] }, { token_count: { lte: 5 } }] },
    rows: ["m1"],
  },
  // workspaces
  { resource: "workspaces", filter: { metadata: { version: { gte: "2.0" } } }, rows: ["w2"] },
  { resource: "workspaces", filter: { metadata: { n: { gt: 4 } } }, rows: ["w1", "w2"], honcho500: true },
  { resource: "workspaces", filter: { id: { contains: "_%" } }, rows: ["Alpha_%"] },
  { resource: "workspaces", filter: { created_at: { lt: "2024-01-01" } }, rows: ["w4"] },
  { resource: "workspaces", filter: { created_at: { gte: "2025-03-01T08:00:00.123456Z" } }, rows: ["Alpha_%"] },
  { resource: "workspaces", filter: { created_at: { gt: "2025-03-01T08:00:00.123456Z" } }, rows: [] },
  { resource: "workspaces", filter: { metadata: { nested: { a: 1 } } }, rows: ["w2"] },
  { resource: "workspaces", filter: { metadata: { flag: { ne: true } } }, rows: ["w2"] },
];
