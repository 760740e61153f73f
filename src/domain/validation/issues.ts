// pydantic v2's error vocabulary: the types, messages and ctx FastAPI puts
// in a 422's `detail`, built from one place so every validator says them alike.
import { hasLoneSurrogate, jsonFault } from "./strings.js";

export type Loc = (string | number)[];

export interface ValidationIssue {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** The body was empty: FastAPI reports it as a missing `body`. */
export const MISSING: unique symbol = Symbol("missing body");

/**
 * A body FastAPI hands to pydantic as bytes, because its content type is not
 * JSON (fastapi/routing.py: `body = body_bytes`). No body model takes bytes:
 * pydantic refuses them with `model_attributes_type`, echoing them.
 */
export class RawBody {
  #text: string | undefined | null = null;
  constructor(readonly bytes: Uint8Array) {}
  /**
   * The echo as FastAPI writes it: jsonable_encoder's bytes.decode(), strict
   * UTF-8 with any BOM kept; undefined where that raises (FastAPI then
   * answers 500; toJSON answers the 422 with U+FFFD instead).
   */
  get text(): string | undefined {
    if (this.#text === null) {
      try {
        this.#text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(this.bytes);
      } catch {
        this.#text = undefined;
      }
    }
    return this.#text;
  }
  /** An issue's `input` is written with JSON.stringify (bytes that are not UTF-8 never reach a client: see `text`). */
  toJSON(): string {
    return this.text ?? new TextDecoder().decode(this.bytes);
  }
}

export const issue = {
  missing: (loc: Loc, input: unknown): ValidationIssue => ({ type: "missing", loc, msg: "Field required", input }),
  stringType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "string_type", loc, msg: "Input should be a valid string", input }),
  /** pydantic's str refuses lone surrogates (JSON can carry them as \ud800 escapes). */
  stringUnicode: (loc: Loc, input: string): ValidationIssue => ({
    type: "string_unicode", loc, msg: "Input should be a valid string, unable to parse raw data as a unicode string", input,
  }),
  tooShortString: (loc: Loc, input: string, min: number): ValidationIssue => ({
    type: "string_too_short", loc, msg: `String should have at least ${min} character${min === 1 ? "" : "s"}`, input, ctx: { min_length: min },
  }),
  tooLongString: (loc: Loc, input: string, max: number): ValidationIssue => ({
    type: "string_too_long", loc, msg: `String should have at most ${max} character${max === 1 ? "" : "s"}`, input, ctx: { max_length: max },
  }),
  pattern: (loc: Loc, input: string, pattern: string): ValidationIssue => ({
    type: "string_pattern_mismatch", loc, msg: `String should match pattern '${pattern}'`, input, ctx: { pattern },
  }),
  modelType: (loc: Loc, input: unknown, className: string): ValidationIssue => ({
    type: "model_type", loc, msg: `Input should be a valid dictionary or instance of ${className}`, input, ctx: { class_name: className },
  }),
  /** A body model given what is neither a dict nor an object with attributes (FastAPI validates with from_attributes=True). */
  modelAttributesType: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "model_attributes_type", loc, msg: "Input should be a valid dictionary or object to extract fields from", input,
  }),
  dictType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "dict_type", loc, msg: "Input should be a valid dictionary", input }),
  listType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "list_type", loc, msg: "Input should be a valid list", input }),
  listLength: (loc: Loc, input: unknown[], bound: "min" | "max", limit: number): ValidationIssue => ({
    type: bound === "min" ? "too_short" : "too_long",
    loc,
    msg: `List should have at ${bound === "min" ? "least" : "most"} ${limit} item${limit === 1 ? "" : "s"} after validation, not ${input.length}`,
    input,
    ctx: { field_type: "List", [bound === "min" ? "min_length" : "max_length"]: limit, actual_length: input.length },
  }),
  greaterThanEqual: (loc: Loc, input: unknown, ge: number): ValidationIssue => ({
    type: "greater_than_equal", loc, msg: `Input should be greater than or equal to ${ge}`, input, ctx: { ge },
  }),
  lessThanEqual: (loc: Loc, input: unknown, le: number): ValidationIssue => ({
    type: "less_than_equal", loc, msg: `Input should be less than or equal to ${le}`, input, ctx: { le },
  }),
  boolType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "bool_type", loc, msg: "Input should be a valid boolean", input }),
  boolParsing: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "bool_parsing", loc, msg: "Input should be a valid boolean, unable to interpret input", input,
  }),
  /** A ValueError raised by a validator; FastAPI encodes the exception in ctx as {}. */
  valueError: (loc: Loc, input: unknown, message: string): ValidationIssue => ({
    type: "value_error", loc, msg: `Value error, ${message}`, input, ctx: { error: {} },
  }),
};

/**
 * False when Starlette could not render this detail: its JSONResponse uses
 * json.dumps(allow_nan=False) and then encodes UTF-8, so an echoed NaN or
 * ±Infinity, or a lone surrogate in any string or key, makes FastAPI answer
 * 500 Internal Server Error instead of the 422.
 */
export const fastApiCanRender = (detail: unknown): boolean => jsonFault(detail, hasLoneSurrogate) === undefined;
