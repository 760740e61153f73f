// Protobuf → JSON, compiled once per message type (REST answers and the JSON
// view of protobuf requests that handlers validate: the same output as
// protobuf-es's toJson(schema, msg, { useProtoFieldName: true,
// alwaysEmitImplicit: true }); answers in the Connect protocol's JSON: the
// same as toJson(schema, msg)), without its per-field reflection (which took
// ~11 % of the service's CPU answering 100-message batches; the Timestamp
// conversion alone half of it). Types that use what this does not cover
// (maps, oneofs, well-known types other than Timestamp and Struct, floats,
// bytes) keep toJson. test/unit/json-writer.test.ts compares both on random
// messages of every type the services answer.
import { ScalarType, toJson, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { answerOffset } from "../json/answer-zone.js";
import { datetimeTextOf, pydanticDatetimeText } from "../json/datetime-text.js";
import { holdsExactNumbers, holdsExactNumbersOf, markExactNumbers } from "../json/exact-numbers.js";
import { IMPLICIT, sortedFields, STRUCT, TIMESTAMP, writersPerType } from "./compiled-types.js";

export type JsonWriter = (message: Message) => JsonValue;

interface Style {
  /** the proto field names (else the JSON names) */
  protoNames: boolean;
  /** fields of implicit presence, and lists, written when they hold their zero value (else left out) */
  emitImplicit: boolean;
  /**
   * Timestamps as pydantic writes a datetime (Honcho's REST answers): six
   * digits of microseconds whenever there are any (12:00:00.500000Z, where
   * protobuf's JSON writes 12:00:00.500Z), or the text a request gave
   * (src/json/datetime-text.ts)
   */
  pythonTimestamps: boolean;
}

function writersIn(style: Style): (desc: DescMessage) => JsonWriter {
  const writerFor: (desc: DescMessage) => JsonWriter = writersPerType<JsonWriter>(
    { scalar: (t) => t !== ScalarType.FLOAT && t !== ScalarType.DOUBLE && t !== ScalarType.BYTES },
    (desc) => compile(desc, style, writerFor),
    (desc) => (m) => toJson(desc, m as never, { useProtoFieldName: style.protoNames, alwaysEmitImplicit: style.emitImplicit }),
  );
  return writerFor;
}

/** toJson(schema, msg, { useProtoFieldName: true, alwaysEmitImplicit: true }), with pydantic's timestamps: Honcho's REST shapes */
export const jsonWriterFor = writersIn({ protoNames: true, emitImplicit: true, pythonTimestamps: true });
/** toJson(schema, msg): the Connect protocol's JSON */
export const protoJsonWriterFor = writersIn({ protoNames: false, emitImplicit: false, pythonTimestamps: false });

type ValueWriter = (v: unknown) => JsonValue;

function compile(desc: DescMessage, style: Style, writerFor: (desc: DescMessage) => JsonWriter): JsonWriter {
  if (desc.typeName === TIMESTAMP) {
    const write = style.pythonTimestamps ? pydanticTimestampJson : timestampJson;
    return (m) => write(m as unknown as { seconds: bigint; nanos: number });
  }
  const fields = sortedFields(desc).map((f) => ({
    name: style.protoNames ? f.name : f.jsonName,
    key: f.localName,
    write: valueWriter(f, writerFor),
    written: style.emitImplicit && (f.presence === IMPLICIT || f.fieldKind === "list") ? () => true : isSet(f),
  }));
  return (message) => {
    const m = message as unknown as Record<string, unknown>;
    const out: Record<string, JsonValue> = {};
    let exact = false;
    for (const f of fields) {
      const v = m[f.key];
      if (!f.written(v)) continue;
      const w = (out[f.name] = f.write(v));
      exact ||= holdsExactNumbers(w);
    }
    // a Struct with 1.0 or a 64-bit int in it: the answer is written with Python's numbers (exact-numbers.ts)
    return exact ? markExactNumbers(out) : out;
  };
}

/** protobuf-es's isFieldSet: a list that is not empty, a field of implicit presence away from its zero value, else one that is there */
function isSet(f: DescField): (v: unknown) => boolean {
  if (f.fieldKind === "list") return (v) => (v as unknown[]).length > 0;
  if (f.presence !== IMPLICIT) return (v) => v !== undefined;
  if (f.fieldKind === "enum") return (v) => v !== 0;
  if (f.fieldKind !== "scalar") return (v) => v !== undefined;
  switch (f.scalar) {
    case ScalarType.STRING:
      return (v) => v !== "";
    case ScalarType.BOOL:
      return (v) => v !== false;
    default:
      return (v) => v != 0; // 0 or 0n (64-bit integers are bigints, or strings with jstype)
  }
}

function valueWriter(f: DescField, writerFor: (desc: DescMessage) => JsonWriter): ValueWriter {
  switch (f.fieldKind) {
    case "scalar":
      return scalarWriter(f.scalar);
    case "enum":
      return enumWriter(f);
    case "message":
      return messageWriter(f.message, writerFor);
    case "list": {
      const item = f.listKind === "scalar" ? scalarWriter(f.scalar) : f.listKind === "enum" ? enumWriter(f) : messageWriter(f.message, writerFor);
      if (f.listKind !== "message") return (v) => (v as unknown[]).map(item);
      return (v) => {
        const written = (v as unknown[]).map(item);
        return holdsExactNumbersOf(written, written);
      };
    }
    default:
      throw new Error(`json-writer: ${f.toString()} is not supported`); // excluded by writersPerType
  }
}

function messageWriter(desc: DescMessage, writerFor: (desc: DescMessage) => JsonWriter): ValueWriter {
  if (desc.typeName === STRUCT) return (v) => v as JsonValue; // protobuf-es holds Struct fields as JSON objects
  let w: JsonWriter | undefined;
  return (v) => (w ??= writerFor(desc))(v as Message); // lazily: types may refer to themselves
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

// protobuf-es's timestampToJson. Where it throws for an instant outside
// years 1 to 9999 (which PostgreSQL holds when another writer stored one),
// this writes it in ISO 8601's extended years (+010000-01-01T04:59:59Z,
// 0000-12-31T19:00:00Z): an answer, never a failed call over a stored row.
function timestampJson(ts: { seconds: bigint; nanos: number }): string {
  const ms = Number(ts.seconds) * 1000;
  if (ts.nanos < 0 || ts.nanos > 999999999) throw new Error("Timestamp nanos out of range");
  let z = "Z";
  if (ts.nanos > 0) {
    const n = (ts.nanos + 1000000000).toString().substring(1);
    z = n.endsWith("000000") ? `.${n.substring(0, 3)}Z` : n.endsWith("000") ? `.${n.substring(0, 6)}Z` : `.${n}Z`;
  }
  return new Date(ms).toISOString().replace(".000Z", z);
}

// 0001-01-01T00:00:00 and 9999-12-31T23:59:59: Python's datetime, and protobuf's Timestamp
const FIRST_MS = -62135596800000;
const LAST_MS = 253402300799000;

// pydantic's JSON text of an aware datetime in the zone Honcho answers in
// (src/json/answer-zone.ts; UTC nearly always): the wall clock, its
// microseconds (nanoseconds truncated) in six digits when there are any,
// then Z or the offset; or the text kept for a datetime a request wrote with
// another offset, or none.
function pydanticTimestampJson(ts: { seconds: bigint; nanos: number }): string {
  const kept = datetimeTextOf(ts);
  if (kept !== undefined) return kept;
  const whole = timestampJson({ seconds: ts.seconds, nanos: 0 }); // ...:SSZ
  const micros = Math.floor(ts.nanos / 1000);
  const fraction = micros === 0 ? "" : `.${String(micros).padStart(6, "0")}`;
  const offset = answerOffset(Number(ts.seconds) * 1000);
  const wallMs = (Number(ts.seconds) + (offset ?? 0)) * 1000;
  // the zone's wall clock outside years 1 to 9999: the instant in UTC, extended years and all
  if (offset === undefined || offset === 0 || wallMs < FIRST_MS || wallMs > LAST_MS) return micros === 0 ? whole : `${whole.slice(0, -1)}${fraction}Z`;
  return pydanticDatetimeText(ts.seconds * 1_000_000n + BigInt(micros), BigInt(offset) * 1_000_000n);
}
