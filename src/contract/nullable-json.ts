// REST answers write a field pydantic declares `X | None` as null when it
// has no value, as FastAPI does (response models are dumped with their
// nulls): `{"peer_card": null}`, `{"short_summary": null}`, `{"sessions":
// null}`. Protobuf JSON leaves an unset field out instead, so the REST
// writer of a response type with such fields (marked `(honcho.v3.field)
// .nullable` in the contract) puts the nulls back: an unset field, and a
// map with no entries (Honcho answers null, never {}). Types without
// nullable fields, anywhere inside them, keep their writer untouched.
import { getOption, type DescField, type DescMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { field as fieldOption } from "../../gen/honcho/v3/options_pb.js";
import { holdsExactNumbers, holdsExactNumbersOf, markExactNumbers } from "../json/exact-numbers.js";
import { sortedFields } from "./compiled-types.js";
import type { JsonWriter } from "./json-writer.js";

type Filler = (json: JsonValue) => JsonValue;

export function withNulls(desc: DescMessage, write: JsonWriter): JsonWriter {
  const fill = fillerFor(desc, new Map());
  return fill ? (m) => fill(write(m)) : write;
}

const NESTED = (f: DescField): DescMessage | undefined =>
  f.fieldKind === "message" ? f.message : f.fieldKind === "list" && f.listKind === "message" ? f.message : f.fieldKind === "map" && f.mapKind === "message" ? f.message : undefined;

// undefined when nothing in the type (transitively) is nullable. The object
// is rebuilt in field order, so a null lands where pydantic writes it.
function fillerFor(desc: DescMessage, seen: Map<DescMessage, Filler | undefined>): Filler | undefined {
  if (seen.has(desc)) return seen.get(desc);
  if (desc.typeName.startsWith("google.protobuf.")) return undefined;
  seen.set(desc, undefined); // a type that refers to itself: no filler through the cycle
  const fields = sortedFields(desc).map((f) => {
    const nested = NESTED(f);
    return { f, key: f.name, nullable: getOption(f, fieldOption).nullable, inner: nested ? fillerFor(nested, seen) : undefined };
  });
  if (!fields.some((x) => x.nullable || x.inner)) return undefined;
  const filler: Filler = (json) => {
    const o = json as JsonObject;
    const out: JsonObject = {};
    let exact = false; // a value with Python's numbers in it (exact-numbers.ts): so is the object around it
    for (const { f, key, nullable, inner } of fields) {
      const v = o[key];
      if (nullable && (v === undefined || (f.fieldKind === "map" && isEmptyObject(v)))) out[key] = null;
      else if (v === undefined) continue;
      else if (!inner || v === null) out[key] = v;
      else if (f.fieldKind === "list") {
        const list = (v as JsonValue[]).map(inner);
        out[key] = holdsExactNumbersOf(list, list);
      } else if (f.fieldKind === "map") {
        const map = Object.fromEntries(Object.entries(v as JsonObject).map(([k, x]) => [k, inner(x)]));
        out[key] = holdsExactNumbersOf(map, Object.values(map));
      } else out[key] = inner(v);
      exact ||= holdsExactNumbers(out[key]);
    }
    return exact ? markExactNumbers(out) : out;
  };
  seen.set(desc, filler);
  return filler;
}

const isEmptyObject = (v: JsonValue | undefined) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
