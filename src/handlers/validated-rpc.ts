// One validator per RPC for every protocol. The validator speaks FastAPI's
// terms (path, query, body); a REST request brings those parts as they came,
// and a protobuf request is split into the same parts by the method's
// google.api.http rule, so both get the same checks and the same details.
import { getOption, type DescMessage, type DescMethod, type JsonObject, type MessageShape } from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";
import { jsonWriterFor } from "../contract/json-writer.js";
import { ValidationFailed } from "../domain/errors.js";
import { admitting, MISSING, type Loc, type Validated, type ValidationIssue } from "../domain/validation/index.js";
import type { JsonDecoder } from "./types.js";

export interface Parts {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ValidatedRpc<V> {
  /** REST decoding: validates, and remembers the value for the handler. */
  decode: JsonDecoder;
  /** The validated value of a request from any protocol (throws ValidationFailed). */
  valueOf(req: MessageShape<DescMessage>): V;
}

// A value whose names at `legacyNamesAt` only the name pattern refused
// (admitted): the issues the handler must settle against the store before
// it acts, since Honcho takes a row that exists under such a name (an
// existing peer: peer-names.ts; a session in an existing workspace:
// workspace-names.ts).
const unvetted = new WeakMap<object, ValidationIssue[]>();
export const unvettedNames = (value: object): ValidationIssue[] | undefined => unvetted.get(value);
/** The handler has vetted the value's admitted names: nothing is left to vet. */
export const namesVetted = (value: object): void => void unvetted.delete(value);

/**
 * The validated value, or ValidationFailed. Where every issue is a name at
 * `legacyNamesAt` that only the name pattern refused, the value validation
 * gives with those names admitted, the issues kept for the handler to vet.
 */
export function settled<V>(validate: () => Validated<V>, legacyNamesAt?: (loc: Loc) => boolean): V {
  const r = validate();
  if (r.ok) return r.value;
  const onlyLegacyNames = legacyNamesAt !== undefined && r.issues.every((i) => i.type === "string_pattern_mismatch" && typeof i.input === "string" && legacyNamesAt(i.loc));
  if (!onlyLegacyNames) throw new ValidationFailed(r.issues);
  const again = admitting(new Set(r.issues.map((i) => i.input as string)), validate);
  if (!again.ok) throw new ValidationFailed(r.issues);
  unvetted.set(again.value as object, r.issues);
  return again.value;
}

export function validatedRpc<V>(
  method: DescMethod,
  validate: (parts: Parts) => Validated<V>,
  toRequest: (value: V) => MessageShape<DescMessage>,
  /** where a name may be one Honcho's pattern no longer admits (its handler vets them: peer-names.ts, workspace-names.ts) */
  legacyNamesAt?: (loc: Loc) => boolean,
): ValidatedRpc<V> {
  const seen = new WeakMap<object, V>();
  const toView = jsonWriterFor(method.input);
  const rule = getOption(method, http);
  const template = rule.pattern.case === "custom" ? rule.pattern.value.path : String(rule.pattern.value ?? "");
  const pathFields = [...template.matchAll(/\{([^}=]+)/g)].map((m) => m[1]!);
  const check = (parts: Parts): V => settled(() => validate(parts), legacyNamesAt);
  return {
    decode(path, body, query) {
      const value = check({ path, query: query ?? {}, body });
      const req = toRequest(value);
      seen.set(req, value);
      return req;
    },
    valueOf(req) {
      const known = seen.get(req);
      if (known !== undefined) return known;
      const view = toView(req) as JsonObject;
      const path: Record<string, unknown> = {};
      for (const f of pathFields) path[f] = view[f];
      const rest = Object.fromEntries(Object.entries(view).filter(([k]) => !pathFields.includes(k)));
      if (rule.body === "*") return check({ path, query: {}, body: rest });
      const body = rule.body ? (rest[rule.body] ?? MISSING) : MISSING;
      const query = Object.fromEntries(Object.entries(rest).filter(([k]) => k !== rule.body));
      return check({ path, query, body });
    },
  };
}
