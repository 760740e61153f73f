// Honcho's filter language, from the `filters` object a list route receives
// to a typed condition (./ast.ts). A transliteration of Honcho's
// src/utils/filter.py (apply_filter and what it calls): same keys per
// resource, same operators, same coercions, and the same FilterError — a 422
// whose detail is Honcho's exact text — raised at the same point, so that
// when a filter has several faults the one reported is the one Honcho reports.
//
// Where Honcho would build a query that then fails inside PostgreSQL (a 500),
// this refuses with a 422 instead, after every check Honcho makes has passed:
// text that PostgreSQL cannot hold (NUL, unpaired surrogates) and NaN or
// Infinity inside a JSON document. Bounds of our own keep hostile input from
// costing much (see LIMITS; depth, values and text are checked first).
//
// Known differences that come from receiving parsed JSON, not Honcho's text:
// JS has one number type, so a JSON 1.0 is the int 1 (str() "1", type name
// "int"); integers past 2^53 have lost digits; and JS orders integer-like
// object keys ("0", "12") first, so with several faults the one reported can
// differ when such keys are involved.
import { copyExactNumbers, exactNumberAt } from "../../json/exact-numbers.js";
import { DomainError } from "../errors.js";
import { hasLoneSurrogate } from "../validation/strings.js";
import type { ColumnComparison, ColumnType, FilterColumn, FilterCondition, FilterResource, KeyComparison, Operand } from "./ast.js";
import { microsToPgTimestamp, parseFilterDatetime } from "./datetime.js";
import {
  decimalOfNumber,
  pyDecimalFromString,
  pyFloatFromString,
  pyIntFromString,
  pyListRepr,
  pySorted,
  pyStr,
  pyTypeName,
  type PyDecimal,
} from "./python.js";

/**
 * Our own bounds (Honcho has none but the nesting of AND/OR/NOT). They are
 * far above what a person writes, and each closes a way to make one request
 * expensive:
 * - valueDepth: JSON nesting anywhere in the filter (metadata documents have
 *   no limit in Honcho). The JSON body parser already stops at 950 levels; this
 *   holds for callers that build the object otherwise, and bounds recursion.
 * - values: JSON values in the whole filter, so the walk is bounded.
 * - textChars: UTF-16 units of all keys and strings together. Strings are
 *   read character by character (Python's number and datetime grammars,
 *   LIKE escaping), which costs about a second per ten million; this keeps
 *   one request's share small while a 16 MiB body would not.
 * - conditions: comparisons in the SQL, so its text and planning stay small.
 * - inValues: elements of all `in` lists together (Honcho binds each as its
 *   own parameter, so past 65 535 its query fails anyway).
 */
export const LIMITS = { valueDepth: 1000, values: 100_000, textChars: 1_000_000, conditions: 1000, inValues: 10_000 } as const;

/** Honcho's limit on nested AND/OR/NOT (filter.py: `_depth > 5`). */
export const MAX_LOGICAL_DEPTH = 5;

const OPERATORS = new Set(["gte", "lte", "gt", "lt", "ne", "in", "contains", "icontains"]);
const NUMERIC_OPERATORS = new Set(["gte", "lte", "gt", "lt", "ne"]);
const SORTED_OPERATORS = "['contains', 'gt', 'gte', 'icontains', 'in', 'lt', 'lte', 'ne']";

interface ColumnInfo {
  column: FilterColumn;
  type: ColumnType;
  /** the model attribute Honcho names in its messages (h_metadata for metadata) */
  pyName: string;
}

const COLUMN: Record<FilterColumn, ColumnInfo> = {
  name: { column: "name", type: "text", pyName: "name" },
  created_at: { column: "created_at", type: "timestamptz", pyName: "created_at" },
  is_active: { column: "is_active", type: "bool", pyName: "is_active" },
  workspace_name: { column: "workspace_name", type: "text", pyName: "workspace_name" },
  session_name: { column: "session_name", type: "text", pyName: "session_name" },
  peer_name: { column: "peer_name", type: "text", pyName: "peer_name" },
  token_count: { column: "token_count", type: "int", pyName: "token_count" },
  metadata: { column: "metadata", type: "jsonb", pyName: "h_metadata" },
};

/** Column types, for the SQL layer. */
export const COLUMN_TYPES: Readonly<Record<FilterColumn, ColumnType>> = Object.fromEntries(
  Object.values(COLUMN).map((c) => [c.column, c.type]),
) as Record<FilterColumn, ColumnType>;

// ALLOWED_EXTERNAL_TO_INTERNAL_COLUMN_MAPPING(_MESSAGES)
const GENERIC_KEYS: Record<string, FilterColumn> = {
  id: "name",
  created_at: "created_at",
  is_active: "is_active",
  workspace_id: "workspace_name",
  session_id: "session_name",
  peer_id: "peer_name",
  metadata: "metadata",
};
const MESSAGE_KEYS: Record<string, FilterColumn> = {
  workspace_id: "workspace_name",
  session_id: "session_name",
  peer_id: "peer_name",
  token_count: "token_count",
  created_at: "created_at",
  metadata: "metadata",
};

const MODEL: Record<FilterResource, string> = { messages: "Message", sessions: "Session", peers: "Peer", workspaces: "Workspace" };

/** The columns each model has (Honcho's `hasattr(model_class, column_name)`). */
export const RESOURCE_COLUMNS: Readonly<Record<FilterResource, ReadonlySet<FilterColumn>>> = {
  messages: new Set<FilterColumn>(["created_at", "workspace_name", "session_name", "peer_name", "token_count", "metadata"]),
  sessions: new Set<FilterColumn>(["name", "created_at", "is_active", "workspace_name", "metadata"]),
  peers: new Set<FilterColumn>(["name", "created_at", "workspace_name", "metadata"]),
  workspaces: new Set<FilterColumn>(["name", "created_at", "metadata"]),
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const filterError = (detail: string) => new DomainError("invalid_argument", detail);

/**
 * Parses a `filters` value for a resource. null/undefined (no filter), `{}`
 * and filters that are all wildcards give null: no condition. Throws
 * DomainError("invalid_argument", Honcho's detail) where Honcho answers 422.
 * The routes check first that `filters` is an object or null (pydantic's
 * dict_type); anything else here is "Invalid filter configuration".
 */
export function parseFilter(resource: FilterResource, filters: unknown): FilterCondition | null {
  if (filters === null || filters === undefined) return null;
  measure(filters);
  const p = new Parser(resource);
  const condition = p.conditions(filters, 0);
  if (p.unsendable) throw filterError(p.unsendable);
  return condition;
}

/** Depth and size of the raw value, without recursion. */
function measure(root: unknown): void {
  let count = 0;
  let chars = 0;
  const tooMuchText = () => filterError(`Filter is too large: at most ${LIMITS.textChars} characters of text`);
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++count > LIMITS.values) throw filterError(`Filter is too large: at most ${LIMITS.values} values`);
    if (typeof v === "string" && (chars += v.length) > LIMITS.textChars) throw tooMuchText();
    if (typeof v !== "object" || v === null) continue;
    if (depth > LIMITS.valueDepth) throw filterError(`Filter value nesting exceeds maximum depth of ${LIMITS.valueDepth}`);
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else {
      for (const k of Object.keys(v)) {
        if ((chars += k.length) > LIMITS.textChars) throw tooMuchText();
        stack.push([(v as Obj)[k], depth + 1]);
      }
    }
  }
}

function combine(items: FilterCondition[]): FilterCondition | null {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0]!;
  return { kind: "and", items };
}

const COLUMN_OPS: Record<string, ColumnComparison> = { gte: ">=", lte: "<=", gt: ">", lt: "<", ne: "distinct" };
const KEY_OPS: Record<string, KeyComparison> = { gte: ">=", lte: "<=", gt: ">", lt: "<", ne: "<>" };

/** escape_ilike_pattern (src/utils/formatting.py) inside %…%. */
const ilikePattern = (s: string) => `%${s.replace(/[\\%_]/g, "\\$&")}%`;

class Parser {
  /** the first text PostgreSQL could not take, reported once Honcho's checks have all passed */
  unsendable: string | undefined;
  private conditionCount = 0;
  private inCount = 0;

  constructor(private readonly resource: FilterResource) {}

  // _build_filter_conditions: AND, then OR, then NOT, then the fields in order.
  conditions(filter: unknown, depth: number): FilterCondition | null {
    if (depth > MAX_LOGICAL_DEPTH) throw filterError(`Filter nesting exceeds maximum depth of ${MAX_LOGICAL_DEPTH}`);
    // A sub-filter that is not an object fails inside Honcho's builder with a
    // TypeError/AttributeError, which apply_filter turns into this message.
    if (!isObject(filter)) throw filterError("Invalid filter configuration");
    const out: FilterCondition[] = [];
    for (const op of ["AND", "OR"] as const) {
      if (!has(filter, op)) continue;
      const list = filter[op];
      if (!Array.isArray(list)) throw filterError(`${op} operator must contain a list, got ${pyTypeName(list)}`);
      const items: FilterCondition[] = [];
      for (const sub of list) {
        const c = this.conditions(sub, depth + 1);
        if (c) items.push(c);
      }
      if (items.length) out.push(items.length === 1 ? items[0]! : { kind: op === "AND" ? "and" : "or", items });
    }
    if (has(filter, "NOT")) {
      const list = filter.NOT;
      if (list === null) throw filterError("NOT operator cannot be None");
      if (!Array.isArray(list)) throw filterError(`NOT operator must contain a list, got ${pyTypeName(list)}`);
      const items: FilterCondition[] = [];
      for (const sub of list) {
        const c = this.conditions(sub, depth + 1);
        if (c) items.push({ kind: "not", item: c });
      }
      const c = combine(items);
      if (c) out.push(c);
    }
    for (const key of Object.keys(filter)) {
      if (key === "AND" || key === "OR" || key === "NOT") continue;
      const c = this.field(key, filter[key]);
      if (c) out.push(c);
    }
    return combine(out);
  }

  // _build_field_condition
  private field(key: string, value: unknown): FilterCondition | null {
    const map = this.resource === "messages" ? MESSAGE_KEYS : GENERIC_KEYS;
    const model = MODEL[this.resource];
    const column = has(map, key) ? map[key] : undefined;
    if (column === undefined) throw filterError(`Column '${key}' is not allowed to be filtered on or does not exist on ${model}`);
    if (!RESOURCE_COLUMNS[this.resource].has(column)) throw filterError(`Column '${key}' does not exist on ${model}`);
    const col = COLUMN[column];

    if (value === "*") return null;
    if (value === null) return this.leaf({ kind: "null", column, negated: false });
    // a bare list is {"in": [...]}, except on metadata (containment)
    if (Array.isArray(value) && col.type !== "jsonb") value = { in: value };
    if (isObject(value)) {
      const keys = Object.keys(value);
      if (keys.some((k) => OPERATORS.has(k))) return this.comparisons(col, value);
      if (col.type === "jsonb") return this.nestedMetadata(value);
      throw filterError(
        `Invalid filter for column '${key}': unsupported operator(s) ${pyListRepr(pySorted(keys))}. Expected one of ${SORTED_OPERATORS} or a scalar value.`,
      );
    }
    if (col.type === "jsonb") return this.containment(this.coerce(col, value, ""));
    return this.leaf({ kind: "compare", column, op: "=", operand: this.coerce(col, value, "") as Operand });
  }

  // _build_comparison_conditions: one column, an object of operators, ANDed
  private comparisons(col: ColumnInfo, ops: Obj): FilterCondition | null {
    const out: FilterCondition[] = [];
    const column = col.column;
    for (const op of Object.keys(ops)) {
      const v = ops[op];
      if (!OPERATORS.has(op)) throw filterError(`Unsupported comparison operator: ${op}`);
      if (v === "*") continue;
      if (v === null) {
        if (op !== "ne") {
          throw filterError(`Operator '${op}' does not accept null. Use {"ne": null} for a not-null check, or null on its own for a null check.`);
        }
        out.push(this.leaf({ kind: "null", column, negated: true }));
        continue;
      }
      if (op === "in") {
        const elements = iterate(v);
        if (!elements) {
          throw filterError(`Invalid value for 'in' operator: ${pyStr(v)}. Expected an iterable (list, tuple, set), got ${pyTypeName(v)}`);
        }
        if (elements.includes("*")) continue;
        this.countIn(elements.length);
        const operands = elements.map((e) => this.coerce(col, e, "in") as Operand);
        out.push(this.leaf({ kind: "in", column, operands }));
        continue;
      }
      const casted = this.coerce(col, v, op);
      // SQLAlchemy refuses >, >=, <, <= against Python's True/False (ArgumentError),
      // which apply_filter reports as the generic message
      if (col.type === "bool" && op !== "ne") throw filterError("Invalid filter configuration");
      if (op === "contains" && col.type === "jsonb") out.push(this.containment(casted));
      else if (op === "contains" || op === "icontains") out.push(this.leaf({ kind: "ilike", column, pattern: this.text(ilikePattern(pyStr(v))) }));
      else out.push(this.leaf({ kind: "compare", column, op: COLUMN_OPS[op]!, operand: casted as Operand }));
    }
    return combine(out);
  }

  // _build_nested_metadata_conditions: {"metadata": {key: value | {op: value}}}
  private nestedMetadata(fields: Obj): FilterCondition | null {
    const out: FilterCondition[] = [];
    for (const key of Object.keys(fields)) {
      const v = fields[key];
      if (isObject(v) && Object.keys(v).some((k) => OPERATORS.has(k))) {
        const items: FilterCondition[] = [];
        for (const op of Object.keys(v)) {
          const c = this.keyComparison(key, op, v[op], exactNumberAt(v, op));
          if (c) items.push(c);
        }
        const c = combine(items);
        if (c) out.push(c);
      } else {
        if (v === "*") continue;
        const document = Object.create(null) as Obj;
        document[key] = v;
        copyExactNumbers(fields, document); // a 1.0 or a 64-bit id matched as sent (exact-numbers.ts)
        out.push(this.containment(document));
      }
    }
    return combine(out);
  }

  // _build_comparison_condition: one operator on `metadata ->> key`. `exact`:
  // Python's text of a number value where JavaScript's differs (1.0, 2^63 - 1).
  private keyComparison(key: string, op: string, v: unknown, exact: string | undefined): FilterCondition | null {
    if (!OPERATORS.has(op)) throw filterError(`Unsupported comparison operator: ${op}`);
    if (v === "*") return null;
    const column = "metadata" as const;
    if (NUMERIC_OPERATORS.has(op)) {
      const cmp = KEY_OPS[op]!;
      // _safe_numeric_cast
      if (typeof v === "boolean") return this.leaf({ kind: "keyText", column, key: this.text(key), op: cmp, value: v ? "true" : "false" });
      if (typeof v === "number") return this.leaf({ kind: "keyNumeric", column, key: this.text(key), op: cmp, value: exact ?? numericText(v) });
      if (typeof v === "string") {
        const int = pyIntFromString(v);
        if (int !== undefined) return this.leaf({ kind: "keyNumeric", column, key: this.text(key), op: cmp, value: int.toString() });
        const float = pyFloatFromString(v);
        if (float !== undefined) return this.leaf({ kind: "keyNumeric", column, key: this.text(key), op: cmp, value: numericText(float) });
        return this.leaf({ kind: "keyText", column, key: this.text(key), op: cmp, value: this.text(v) });
      }
      const s = pyStr(v);
      throw filterError(
        `Failed to build numeric comparison condition for operator '${op}' with value '${s}': ` +
          `Failed to process numeric cast for value '${s}': Invalid value for numeric operator: ${s}. Expected a number, got ${pyTypeName(v)}`,
      );
    }
    if (op === "in") {
      const elements = iterate(v);
      if (!elements) throw filterError(`Invalid value for 'in' operator: ${pyStr(v)}. Expected an iterable (list, tuple, set), got ${pyTypeName(v)}`);
      if (elements.includes("*")) return null;
      this.countIn(elements.length);
      const str = (e: unknown, i: number) => (typeof e === "number" && elements === v ? (exactNumberAt(v as unknown[], i) ?? pyStr(e)) : pyStr(e));
      return this.leaf({ kind: "keyIn", column, key: this.text(key), values: elements.map((e, i) => this.text(str(e, i))) });
    }
    // contains / icontains: both ILIKE on the text of the value (str(None) is 'None')
    return this.leaf({ kind: "keyIlike", column, key: this.text(key), pattern: this.text(ilikePattern(typeof v === "number" ? (exact ?? pyStr(v)) : pyStr(v))) });
  }

  // _coerce_operand: the operand bound against a column, or Honcho's 422
  private coerce(col: ColumnInfo, v: unknown, op: string): Operand | unknown {
    if (col.type === "jsonb") {
      if ((op === "" || op === "contains") && (isObject(v) || Array.isArray(v))) return v;
      throw filterError(`Invalid filter for column '${col.pyName}': a JSONB column takes an object, optionally under 'contains'`);
    }
    if (op === "contains" || op === "icontains") {
      if (col.type !== "text") throw filterError(`Operator '${op}' requires a text column, but '${col.pyName}' is ${PY_COLUMN_TYPE[col.type]}`);
      return v; // stringified into the pattern by the caller
    }
    switch (col.type) {
      case "bool":
        if (typeof v === "boolean") return { type: "bool", value: v };
        throw filterError(`Invalid value for column '${col.pyName}': expected true or false, got ${pyTypeName(v)}`);
      case "timestamptz": {
        if (typeof v !== "string") throw filterError(`Invalid value for column '${col.pyName}': expected a datetime, got ${pyTypeName(v)}`);
        const micros = parseFilterDatetime(v);
        if (micros === undefined) throw filterError(`Invalid datetime value: ${v}`);
        return { type: "timestamptz", value: microsToPgTimestamp(micros) };
      }
      case "int": {
        // _coerce_numeric: bool → 0/1, float kept, int exact, anything else Decimal(str(v))
        const d = typeof v === "boolean" ? decimalOfNumber(v ? 1 : 0) : typeof v === "number" ? decimalOfNumber(v) : pyDecimalFromString(pyStr(v));
        if (!d) throw filterError(`Invalid numeric value: ${pyStr(v)}. Expected a number, got ${pyTypeName(v)}`);
        return { type: "numeric", value: intColumnNumeric(d) };
      }
      case "text":
        if (typeof v === "string") return { type: "text", value: this.text(v) };
        throw filterError(`Invalid value for column '${col.pyName}': expected a string, got ${pyTypeName(v)}`);
    }
  }

  private containment(document: unknown): FilterCondition {
    this.json(document);
    return this.leaf({ kind: "contains", column: "metadata", document });
  }

  private leaf(c: FilterCondition): FilterCondition {
    if (++this.conditionCount > LIMITS.conditions) throw filterError(`Filter has too many conditions: at most ${LIMITS.conditions}`);
    return c;
  }

  private countIn(n: number): void {
    this.inCount += n;
    if (this.inCount > LIMITS.inValues) throw filterError(`Filter has too many 'in' values: at most ${LIMITS.inValues}`);
  }

  /** Text bound as a parameter: PostgreSQL text holds neither NUL nor unpaired surrogates (Honcho: a driver error, 500). */
  private text(s: string): string {
    if (!this.unsendable) {
      if (s.includes("\0")) this.unsendable = "Invalid filter value: text must not contain NUL (0x00) characters";
      else if (hasLoneSurrogate(s)) this.unsendable = "Invalid filter value: text must not contain unpaired surrogates";
    }
    return s;
  }

  /** A JSON document bound as jsonb: its strings as text, and no NaN/Infinity (jsonb has none). */
  private json(root: unknown): void {
    const stack = [root];
    while (stack.length && !this.unsendable) {
      const v = stack.pop();
      if (typeof v === "string") this.text(v);
      else if (typeof v === "number" && !Number.isFinite(v)) this.unsendable = "Invalid filter value: NaN and Infinity cannot be matched in a JSON document";
      else if (Array.isArray(v)) stack.push(...v);
      else if (isObject(v)) {
        for (const k of Object.keys(v)) {
          this.text(k);
          stack.push(v[k]);
        }
      }
    }
  }
}

const PY_COLUMN_TYPE: Record<ColumnType, string> = { text: "str", timestamptz: "datetime", bool: "bool", int: "int", jsonb: "dict" };

/** What Python iterates for `in`: a list's elements, a dict's keys; None for anything else (str included). */
function iterate(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.keys(v);
  return undefined;
}

/** A JS number as numeric input text: integers exactly, floats by their shortest digits, NaN and ±Infinity by name. */
function numericText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return Number.isInteger(x) ? BigInt(x).toString() : String(x);
}

/**
 * An operand compared with an integer column, as short numeric text that
 * compares with every integer column value exactly as the operand does:
 * beyond ±1e12 (past int4) it is ±1e12, NaN and +Infinity (which PostgreSQL
 * orders above every number) are 1e12, nonzero values below 1e-12 are
 * ±1e-12, and fractions past 15 digits are cut keeping a last nonzero digit
 * when any was cut (so the floor, the ceiling and "is it whole" stay as they
 * were). Honcho binds the exact Decimal, which numeric input refuses past
 * its range (a 500); this never leaves numeric's range.
 */
function intColumnNumeric(d: PyDecimal): string {
  if (d.kind === "nan") return "1e12";
  if (d.kind === "infinity") return d.negative ? "-1e12" : "1e12";
  const digits = d.digits.replace(/^0+/, "");
  if (!digits) return "0";
  const sign = d.negative ? "-" : "";
  const magnitude = BigInt(digits.length) + d.exponent; // digits before the point
  if (magnitude > 12n) return `${sign}1e12`;
  if (magnitude < -12n) return `${sign}1e-12`;
  const intDigits = Number(magnitude);
  let int: string;
  let frac: string;
  if (d.exponent >= 0n) {
    int = digits + "0".repeat(Number(d.exponent));
    frac = "";
  } else if (intDigits > 0) {
    int = digits.slice(0, intDigits);
    frac = digits.slice(intDigits);
  } else {
    int = "0";
    frac = "0".repeat(-intDigits) + digits;
  }
  if (frac.length > 15) frac = frac.slice(0, 15) + (/[1-9]/.test(frac.slice(15)) ? "1" : "");
  frac = frac.replace(/0+$/, "");
  return `${sign}${int}${frac ? `.${frac}` : ""}`;
}
