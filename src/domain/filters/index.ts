// Honcho's filter language (the `filters` of the /list routes): parsed and
// checked here, turned into SQL by src/store/filter-sql.ts.
//
//   filter   := { (AND|OR|NOT: [filter, …]) …, key: value, … }   all parts ANDed;
//               AND, OR, NOT are read first (in that order), at most 5 deep;
//               NOT [a, b] is (a) IS NOT TRUE AND (b) IS NOT TRUE
//   key      := messages: workspace_id session_id peer_id token_count created_at metadata
//               sessions: id is_active workspace_id created_at metadata
//               peers:    id workspace_id created_at metadata
//               workspaces: id created_at metadata
//   value    := "*" (no condition) | null (IS NULL) | scalar (=) | [scalar…] (in)
//             | {op: operand, …} with op in gte lte gt lt ne in contains icontains
//               (ne = IS DISTINCT FROM, ne null = IS NOT NULL, contains = icontains = ILIKE %…%)
//   metadata := "*" | null | [json…] | {contains: {…}|[…]} | {ne: null} | {in: []}   (jsonb @>)
//             | {k: json, …}   each key ANDed: "*" skipped; {op: operand, …} compares
//               metadata ->> k (numbers numerically, booleans and other text as text,
//               `in` against Python's str() of each element); anything else is
//               containment {k: json}
export type { ColumnComparison, ColumnType, FilterColumn, FilterCondition, FilterResource, KeyComparison, Operand } from "./ast.js";
export { COLUMN_TYPES, LIMITS, MAX_LOGICAL_DEPTH, parseFilter, RESOURCE_COLUMNS } from "./parse.js";
