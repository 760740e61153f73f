// Protobuf → JSON, compiled once per message type (REST answers; the JSON
// view of protobuf requests that handlers validate): the same
// output as protobuf-es's toJson(schema, msg, { useProtoFieldName: true,
// alwaysEmitImplicit: true }), without its per-field reflection (which took
// ~11 % of the service's CPU answering 100-message batches; the Timestamp
// conversion alone half of it). Types that use what this does not cover
// (maps, oneofs, well-known types other than Timestamp and Struct, floats,
// bytes) keep toJson. test/unit/json-writer.test.ts compares both on random
// messages of every type the services answer.
import { ScalarType, toJson, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { IMPLICIT, sortedFields, STRUCT, TIMESTAMP, writersPerType } from "./compiled-types.js";

export type JsonWriter = (message: Message) => JsonValue;

export const jsonWriterFor: (desc: DescMessage) => JsonWriter = writersPerType<JsonWriter>(
  { scalar: (t) => t !== ScalarType.FLOAT && t !== ScalarType.DOUBLE && t !== ScalarType.BYTES },
  (desc) => compile(desc),
  (desc) => (m) => toJson(desc, m as never, { useProtoFieldName: true, alwaysEmitImplicit: true }),
);

type ValueWriter = (v: unknown) => JsonValue;

function compile(desc: DescMessage): JsonWriter {
  if (desc.typeName === TIMESTAMP) return (m) => timestampJson(m as unknown as { seconds: bigint; nanos: number });
  const fields = sortedFields(desc).map((f) => {
    const write = valueWriter(f);
    const emitAlways = f.presence === IMPLICIT || f.fieldKind === "list";
    return { name: f.name, key: f.localName, write, emitAlways };
  });
  return (message) => {
    const m = message as unknown as Record<string, unknown>;
    const out: Record<string, JsonValue> = {};
    for (const f of fields) {
      const v = m[f.key];
      if (v === undefined && !f.emitAlways) continue;
      out[f.name] = f.write(v);
    }
    return out;
  };
}

function valueWriter(f: DescField): ValueWriter {
  switch (f.fieldKind) {
    case "scalar":
      return scalarWriter(f.scalar);
    case "enum":
      return enumWriter(f);
    case "message":
      return messageWriter(f.message);
    case "list": {
      const item = f.listKind === "scalar" ? scalarWriter(f.scalar) : f.listKind === "enum" ? enumWriter(f) : messageWriter(f.message);
      return (v) => (v as unknown[]).map(item);
    }
    default:
      throw new Error(`json-writer: ${f.toString()} is not supported`); // excluded by writersPerType
  }
}

function messageWriter(desc: DescMessage): ValueWriter {
  if (desc.typeName === STRUCT) return (v) => v as JsonValue; // protobuf-es holds Struct fields as JSON objects
  let w: JsonWriter | undefined;
  return (v) => (w ??= jsonWriterFor(desc))(v as Message); // lazily: types may refer to themselves
}

function enumWriter(f: DescField): ValueWriter {
  const e = f.enum!;
  return (v) => {
    const name = e.value[v as number]?.name;
    if (name === undefined) throw new Error(`${String(v)} is not a value in ${e.toString()}`);
    return name;
  };
}

function scalarWriter(t: ScalarType): ValueWriter {
  switch (t) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (v) => String(v);
    default:
      return (v) => v as JsonValue; // strings, booleans, 32-bit integers
  }
}

// protobuf-es's timestampToJson, with its checks.
function timestampJson(ts: { seconds: bigint; nanos: number }): string {
  const ms = Number(ts.seconds) * 1000;
  if (ms < -62135596800000 || ms > 253402300799000) throw new Error("Timestamp must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z inclusive");
  if (ts.nanos < 0 || ts.nanos > 999999999) throw new Error("Timestamp nanos out of range");
  let z = "Z";
  if (ts.nanos > 0) {
    const n = (ts.nanos + 1000000000).toString().substring(1);
    z = n.endsWith("000000") ? `.${n.substring(0, 3)}Z` : n.endsWith("000") ? `.${n.substring(0, 6)}Z` : `.${n}Z`;
  }
  return new Date(ms).toISOString().replace(".000Z", z);
}
