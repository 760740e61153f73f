// One validator per RPC for every protocol. The validator speaks FastAPI's
// terms (path, query, body); a REST request brings those parts as they came,
// and a protobuf request is split into the same parts by the method's
// google.api.http rule, so both get the same checks and the same details.
import { getOption, type DescMessage, type DescMethod, type JsonObject, type MessageShape } from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";
import { jsonWriterFor } from "../contract/json-writer.js";
import { ValidationFailed } from "../domain/errors.js";
import { MISSING, type Validated } from "../domain/validation/index.js";
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

export function validatedRpc<V>(
  method: DescMethod,
  validate: (parts: Parts) => Validated<V>,
  toRequest: (value: V) => MessageShape<DescMessage>,
): ValidatedRpc<V> {
  const seen = new WeakMap<object, V>();
  const toView = jsonWriterFor(method.input);
  const rule = getOption(method, http);
  const template = rule.pattern.case === "custom" ? rule.pattern.value.path : String(rule.pattern.value ?? "");
  const pathFields = [...template.matchAll(/\{([^}=]+)/g)].map((m) => m[1]!);
  const check = (parts: Parts) => {
    const r = validate(parts);
    if (!r.ok) throw new ValidationFailed(r.issues);
    return r.value;
  };
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
