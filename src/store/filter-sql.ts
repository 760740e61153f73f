// A parsed Honcho filter (src/domain/filters) as a postgres.js SQL fragment
// for a WHERE clause. Operands are always bound parameters, each sent as text
// and cast in the SQL (`$1::text::numeric`): a parameter PostgreSQL describes
// as timestamptz, boolean or jsonb would go through postgres.js's own
// serializer for that type (Date, true/false, JSON.stringify), which would
// change the value; as text it arrives exactly as written here. Column names
// come from a fixed list per resource; nothing from the filter is ever
// written into the SQL text.
//
// The SQL says what Honcho's SQLAlchemy code says (src/utils/filter.py),
// with these deliberate differences, all where Honcho's query fails inside
// PostgreSQL (a 500) or depends on how a driver binds a value:
// - Numeric comparisons on a metadata value (`{"metadata": {"k": {"gt": 5}}}`).
//   Honcho casts `metadata ->> 'k'` to numeric for every row, so one row
//   holding text, a boolean or an object there makes the whole query fail.
//   Here the value is a number when it is a JSON number, or a JSON string
//   that numeric input reads on every supported PostgreSQL version: a plain
//   decimal (optional sign, digits with an optional point, an optional
//   exponent of up to three digits), NaN, or [+-]inf / [+-]infinity, any
//   case, with surrounding whitespace, at most 1000 characters. Anything else
//   is NULL, so the row does not match (and NOT keeps it, as for a missing
//   key), where Honcho fails. Only rare strings that PostgreSQL 16+ also
//   reads ('1_000', '0x1F', exponents of four digits) are numbers there and
//   not here.
// - The number compared with is bound as numeric (Honcho binds a Python int
//   as ::INTEGER, which fails past 2^31, and a float as float8).
// - `in` lists are one jsonb parameter (Honcho binds one parameter per
//   element, and fails past 65 535 of them).
// Needs PostgreSQL 14 or later (numeric 'Infinity').
import type { Fragment, Sql } from "postgres";
import { pythonJson } from "../json/exact-numbers.js";
import {
  COLUMN_TYPES,
  RESOURCE_COLUMNS,
  type ColumnComparison,
  type FilterColumn,
  type FilterCondition,
  type FilterResource,
  type KeyComparison,
  type Operand,
} from "../domain/filters/index.js";

const PREFIX = /^[a-z_][a-z0-9_]*$/;

/**
 * The condition as SQL (TRUE when there is none). `columnPrefix` qualifies
 * the columns (a table name or alias, e.g. "sessions" when joined).
 */
export function filterSql(sql: Sql, resource: FilterResource, condition: FilterCondition | null, columnPrefix?: string): Fragment {
  if (columnPrefix !== undefined && !PREFIX.test(columnPrefix)) throw new Error(`filterSql: bad column prefix ${JSON.stringify(columnPrefix)}`);
  if (!condition) return sql`TRUE`;
  const allowed = RESOURCE_COLUMNS[resource];
  const column = (name: FilterColumn): Fragment => {
    if (!allowed.has(name)) throw new Error(`filterSql: ${resource} has no filterable column ${JSON.stringify(name)}`);
    return columnPrefix ? sql`${sql(columnPrefix)}.${sql(name)}` : sql`${sql(name)}`;
  };

  const operand = (o: Operand): Fragment => {
    switch (o.type) {
      case "text":
        return sql`${o.value}::text`;
      case "numeric":
        return sql`${o.value}::text::numeric`;
      case "bool":
        return sql`${o.value ? "true" : "false"}::text::boolean`;
      case "timestamptz":
        return sql`${o.value}::text::timestamptz`;
    }
  };

  // `x IN (list)` with the list as one jsonb array parameter
  const inList = (left: Fragment, values: string[], type: Operand["type"]): Fragment => {
    if (values.length === 0) return sql`FALSE`;
    const list = JSON.stringify(values);
    switch (type) {
      case "text":
        return sql`${left} IN (SELECT jsonb_array_elements_text(${list}::text::jsonb))`;
      case "numeric":
        return sql`${left} IN (SELECT jsonb_array_elements_text(${list}::text::jsonb)::numeric)`;
      case "bool":
        return sql`${left} IN (SELECT jsonb_array_elements_text(${list}::text::jsonb)::boolean)`;
      case "timestamptz":
        return sql`${left} IN (SELECT jsonb_array_elements_text(${list}::text::jsonb)::timestamptz)`;
    }
  };

  const joined = (items: FilterCondition[], word: "AND" | "OR"): Fragment => {
    // an array of fragments is written flat, so long lists do not nest
    const parts = items.map((c, i) => (i === 0 ? sql`(${build(c)})` : word === "AND" ? sql`AND (${build(c)})` : sql`OR (${build(c)})`));
    return sql`(${parts})`;
  };

  const build = (c: FilterCondition): Fragment => {
    switch (c.kind) {
      case "and":
        return joined(c.items, "AND");
      case "or":
        return joined(c.items, "OR");
      case "not":
        return sql`(${build(c.item)}) IS NOT TRUE`;
      case "null":
        return c.negated ? sql`${column(c.column)} IS NOT NULL` : sql`${column(c.column)} IS NULL`;
      case "compare":
        checkType(c.column, c.operand.type);
        return compare(sql, column(c.column), c.op, operand(c.operand));
      case "in": {
        for (const o of c.operands) checkType(c.column, o.type);
        const type = c.operands[0]?.type ?? "text";
        return inList(column(c.column), c.operands.map((o) => String(o.value)), type);
      }
      case "ilike":
        return sql`${column(c.column)} ILIKE ${c.pattern}::text ESCAPE E'\\\\'`;
      case "contains":
        return sql`${column(c.column)} @> ${pythonJson(c.document)}::text::jsonb`;
      case "keyNumeric":
        return compare(sql, keyNumber(sql, column(c.column), c.key), c.op, sql`${c.value}::text::numeric`);
      case "keyText":
        return compare(sql, sql`(${column(c.column)} ->> ${c.key}::text)`, c.op, sql`${c.value}::text`);
      case "keyIn":
        return inList(sql`(${column(c.column)} ->> ${c.key}::text)`, c.values, "text");
      case "keyIlike":
        return sql`(${column(c.column)} ->> ${c.key}::text) ILIKE ${c.pattern}::text ESCAPE E'\\\\'`;
    }
  };

  return build(condition);
}

// Operand types match their column's type by construction in the parser;
// checked again because a mismatch would be an SQL error.
const OPERAND_OF_COLUMN = { text: "text", int: "numeric", bool: "bool", timestamptz: "timestamptz", jsonb: "none" } as const;
function checkType(column: FilterColumn, type: Operand["type"]): void {
  if (OPERAND_OF_COLUMN[COLUMN_TYPES[column]] !== type) throw new Error(`filterSql: ${type} operand for column ${column}`);
}

function compare(sql: Sql, left: Fragment, op: ColumnComparison | KeyComparison, right: Fragment): Fragment {
  switch (op) {
    case "=":
      return sql`${left} = ${right}`;
    case ">":
      return sql`${left} > ${right}`;
    case ">=":
      return sql`${left} >= ${right}`;
    case "<":
      return sql`${left} < ${right}`;
    case "<=":
      return sql`${left} <= ${right}`;
    case "<>":
      return sql`${left} <> ${right}`;
    case "distinct":
      return sql`${left} IS DISTINCT FROM ${right}`;
  }
}

/**
 * `metadata -> key` as numeric when it is a JSON number, or a JSON string in
 * a form numeric input accepts on every supported PostgreSQL version
 * (exponents within ±999 and 1000 characters keep it inside numeric's
 * range, which is ±1000 for exponents before PostgreSQL 16); NULL otherwise. CASE evaluates the cast only when its
 * test has passed, so no row can make the statement fail.
 */
function keyNumber(sql: Sql, column: Fragment, key: string): Fragment {
  return sql`(CASE jsonb_typeof(${column} -> ${key}::text)
    WHEN 'number' THEN (${column} -> ${key}::text)::numeric
    WHEN 'string' THEN CASE
      WHEN length(${column} ->> ${key}::text) <= 1000
       AND (${column} ->> ${key}::text) ~* '^[ \\t\\n\\r\\f\\v]*([+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]{1,3})?|nan|[+-]?inf(inity)?)[ \\t\\n\\r\\f\\v]*$'
      THEN (${column} ->> ${key}::text)::numeric END
  END)`;
}
