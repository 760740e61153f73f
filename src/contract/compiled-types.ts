// What the compiled writers (json-writer.ts, binary-writer.ts) share: the
// type names they treat specially, and one writer per message type, compiled
// where every field, transitively, is of a kind the writer handles, and
// protobuf-es's own function otherwise.
import type { DescField, DescMessage, ScalarType } from "@bufbuild/protobuf";

export const IMPLICIT = 2; // FeatureSet_FieldPresence.IMPLICIT, as protobuf-es's reflection uses it
export const TIMESTAMP = "google.protobuf.Timestamp";
export const STRUCT = "google.protobuf.Struct";

export interface WriterSupport {
  /** the scalar types (singular or repeated) the writer encodes */
  scalar(t: ScalarType): boolean;
  /** a further refusal, field by field */
  field?(f: DescField): boolean;
}

/** The fields in the order protobuf-es's toJson and toBinary write them (its reflection's sortedFields). */
export const sortedFields = (desc: DescMessage): DescField[] => [...desc.fields].sort((a, b) => a.number - b.number);

/** Memoised per message type: `compile` where `support` covers the type, `fallback` elsewhere. */
export function writersPerType<W extends object>(support: WriterSupport, compile: (desc: DescMessage) => W, fallback: (desc: DescMessage) => W): (desc: DescMessage) => W {
  const cache = new WeakMap<DescMessage, W>();
  return (desc) => {
    let w = cache.get(desc);
    if (w === undefined) {
      if (compilable(desc, support, new Set())) w = compile(desc);
      else fallbacks.add((w = fallback(desc)));
      cache.set(desc, w);
    }
    return w;
  };
}

const fallbacks = new WeakSet<object>();

/** Whether a writer is protobuf-es's own (the type is not compiled). */
export const isFallback = (writer: object): boolean => fallbacks.has(writer);

// Maps, oneofs and well-known types other than Timestamp and (singular) Struct are left to protobuf-es.
function compilable(desc: DescMessage, support: WriterSupport, seen: Set<DescMessage>): boolean {
  if (desc.typeName === TIMESTAMP) return true;
  if (desc.typeName.startsWith("google.protobuf.") || desc.oneofs.length > 0) return false;
  if (seen.has(desc)) return true;
  seen.add(desc);
  return desc.fields.every((f) => {
    if (f.oneof || f.fieldKind === "map" || (support.field && !support.field(f))) return false;
    if (f.fieldKind === "scalar" || (f.fieldKind === "list" && f.listKind === "scalar")) return support.scalar(f.scalar!);
    if (f.fieldKind === "enum" || (f.fieldKind === "list" && f.listKind === "enum")) return true;
    const msg = f.message!;
    if (msg.typeName === STRUCT) return f.fieldKind === "message"; // protobuf-es holds a singular Struct as a plain JSON object
    return compilable(msg, support, seen);
  });
}
