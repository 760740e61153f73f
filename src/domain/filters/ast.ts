// The typed form of a Honcho filter once parsed: what to compare, not how.
// src/store/filter-sql.ts turns it into SQL. Each node says exactly what the
// SQL Honcho's SQLAlchemy code builds says (src/utils/filter.py), with the
// operands already coerced the way Honcho coerces them.

export type FilterResource = "messages" | "sessions" | "peers" | "workspaces";

/** Columns a filter can reach (their names in Honcho's tables). */
export type FilterColumn = "name" | "created_at" | "is_active" | "workspace_name" | "session_name" | "peer_name" | "token_count" | "metadata";

export type ColumnType = "text" | "timestamptz" | "bool" | "int" | "jsonb";

/** A scalar operand, already of its column's type. */
export type Operand =
  | { type: "text"; value: string }
  /** decimal text PostgreSQL's numeric input reads ("5", "-0.25", "1e-12") */
  | { type: "numeric"; value: string }
  | { type: "bool"; value: boolean }
  /** text PostgreSQL's timestamptz input reads, in UTC */
  | { type: "timestamptz"; value: string };

/** A comparison of a column with its operand; `distinct` is IS DISTINCT FROM. */
export type ColumnComparison = "=" | ">" | ">=" | "<" | "<=" | "distinct";

/** A comparison of `metadata ->> key`; `<>` is the plain (NULL-propagating) != Honcho uses there. */
export type KeyComparison = ">" | ">=" | "<" | "<=" | "<>";

export type FilterCondition =
  /** every item holds (at least two) */
  | { kind: "and"; items: FilterCondition[] }
  /** some item holds (at least one) */
  | { kind: "or"; items: FilterCondition[] }
  /** `(item) IS NOT TRUE`: Honcho's NOT, which keeps rows where the item is NULL */
  | { kind: "not"; item: FilterCondition }
  /** column IS NULL, or IS NOT NULL when `negated` */
  | { kind: "null"; column: FilterColumn; negated: boolean }
  | { kind: "compare"; column: FilterColumn; op: ColumnComparison; operand: Operand }
  /** column IN (values); no values matches nothing */
  | { kind: "in"; column: FilterColumn; operands: Operand[] }
  /** column ILIKE pattern ESCAPE '\' (pattern already escaped and wrapped in %) */
  | { kind: "ilike"; column: FilterColumn; pattern: string }
  /** jsonb containment: column @> document */
  | { kind: "contains"; column: "metadata"; document: unknown }
  /** the value at `key`, as numeric when it is a number (or a string holding one), compared with a number */
  | { kind: "keyNumeric"; column: "metadata"; key: string; op: KeyComparison; value: string }
  /** `column ->> key` compared as text */
  | { kind: "keyText"; column: "metadata"; key: string; op: KeyComparison; value: string }
  | { kind: "keyIn"; column: "metadata"; key: string; values: string[] }
  | { kind: "keyIlike"; column: "metadata"; key: string; pattern: string };
