// Protobuf binary encoding, compiled once per message type: the same bytes
// as protobuf-es's toBinary(schema, msg) for the messages this service
// creates (no unknown fields), without its per-field reflection and
// per-string TextEncoder buffers (toBinary was ~22 % of the service's CPU
// answering 100-message batches over gRPC). Fields are written in field
// number order; implicit-presence fields are skipped at their zero value,
// as toBinary does. Types using what this does not cover (maps, oneofs,
// groups, well-known types other than Timestamp and Struct, floats, fixed
// and zigzag integers, bytes) keep toBinary. test/unit/binary-writer.test.ts
// compares both byte for byte on random messages of every contract type.
import { fromJson, ScalarType, toBinary, type DescField, type DescMessage, type JsonObject, type Message } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { IMPLICIT, sortedFields, STRUCT, TIMESTAMP, writersPerType } from "./compiled-types.js";

export type BinaryWriter = (message: Message) => Uint8Array;

const SIMPLE = new Set([ScalarType.STRING, ScalarType.BOOL, ScalarType.INT32, ScalarType.UINT32, ScalarType.INT64, ScalarType.UINT64]);

export const binaryWriterFor: (desc: DescMessage) => BinaryWriter = writersPerType<BinaryWriter>(
  {
    scalar: (t) => SIMPLE.has(t),
    // group encoding is not written here
    field: (f) => !((f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")) && f.delimitedEncoding),
  },
  (desc) => {
    const write = fieldsWriter(desc);
    return (m) => {
      const out = new Out();
      write(out, m as unknown as Record<string, unknown>);
      return out.finish();
    };
  },
  (desc) => (m) => toBinary(desc, m as never),
);

/** A growing buffer; a nested message reserves 5 bytes for its length and closes the gap after. */
class Out {
  buf = Buffer.allocUnsafe(1024);
  pos = 0;
  ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(v: number) {
    // v: a uint32 or a non-negative safe integer
    this.ensure(10);
    while (v > 127) {
      this.buf[this.pos++] = (v & 127) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  varint64(v: bigint) {
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u > 127n) {
      this.buf[this.pos++] = Number(u & 127n) | 128;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }
  int32(v: number) {
    if (v >= 0) this.varint(v);
    else this.varint64(BigInt(v)); // negative int32: ten bytes, sign-extended
  }
  string(s: string) {
    const n = Buffer.byteLength(s);
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, "utf8");
  }
  raw(b: Uint8Array) {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Writes a length-delimited body with `body`, its length before it. */
  nested(body: () => void) {
    this.ensure(5);
    const start = (this.pos += 5);
    body();
    const len = this.pos - start;
    const k = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
    if (k < 5) this.buf.copyWithin(start - 5 + k, start, this.pos);
    let at = start - 5; // the length, in the k bytes reserved for it (no reallocation here)
    for (let v = len; v > 127; v = Math.floor(v / 128)) this.buf[at++] = (v & 127) | 128;
    this.buf[at] = Math.floor(len / 128 ** (k - 1));
    this.pos = start - 5 + k + len;
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

type FieldsWriter = (out: Out, m: Record<string, unknown>) => void;
type ValueWriter = (out: Out, v: unknown) => void;

function fieldsWriter(desc: DescMessage): FieldsWriter {
  if (desc.typeName === TIMESTAMP) {
    return (out, m) => {
      const { seconds, nanos } = m as unknown as { seconds: bigint; nanos: number };
      if (seconds !== 0n) {
        out.varint(1 << 3);
        out.varint64(seconds);
      }
      if (nanos !== 0) {
        out.varint(2 << 3);
        out.int32(nanos);
      }
    };
  }
  const fields = sortedFields(desc).map((f) => fieldWriter(f));
  return (out, m) => {
    for (const f of fields) f(out, m);
  };
}

function fieldWriter(f: DescField): FieldsWriter {
  const key = f.localName;
  if (f.fieldKind === "list") {
    const item = f.listKind === "message" ? messageValue(f.message) : scalarValue(f.listKind === "enum" ? ScalarType.INT32 : f.scalar);
    const isString = f.listKind === "scalar" && f.scalar === ScalarType.STRING;
    if (f.listKind === "message" || isString) {
      const tag = (f.number << 3) | 2;
      return (out, m) => {
        for (const v of m[key] as unknown[]) {
          out.varint(tag);
          item(out, v);
        }
      };
    }
    const tag = (f.number << 3) | 2; // packed
    return (out, m) => {
      const list = m[key] as unknown[];
      if (list.length === 0) return;
      out.varint(tag);
      out.nested(() => list.forEach((v) => item(out, v)));
    };
  }
  if (f.fieldKind === "message") {
    const tag = (f.number << 3) | 2;
    const write = messageValue(f.message);
    return (out, m) => {
      const v = m[key];
      if (v === undefined) return;
      out.varint(tag);
      write(out, v);
    };
  }
  const scalar = f.fieldKind === "enum" ? ScalarType.INT32 : f.scalar!;
  const tag = (f.number << 3) | (scalar === ScalarType.STRING ? 2 : 0);
  const write = scalarValue(scalar);
  const implicit = f.presence === IMPLICIT;
  return (out, m) => {
    const v = m[key];
    if (v === undefined || (implicit && (v === "" || v === 0 || v === false || v === 0n))) return;
    out.varint(tag);
    write(out, v);
  };
}

function messageValue(desc: DescMessage): ValueWriter {
  if (desc.typeName === STRUCT) {
    // protobuf-es holds a Struct field as a JSON object; an empty one is empty bytes
    return (out, v) => {
      const obj = v as JsonObject;
      if (Object.keys(obj).length === 0) out.varint(0);
      else out.raw(toBinary(StructSchema, fromJson(StructSchema, obj)));
    };
  }
  let write: FieldsWriter | undefined;
  return (out, v) => out.nested(() => (write ??= fieldsWriter(desc))(out, v as Record<string, unknown>));
}

function scalarValue(t: ScalarType): ValueWriter {
  switch (t) {
    case ScalarType.STRING:
      return (out, v) => out.string(v as string);
    case ScalarType.BOOL:
      return (out, v) => out.varint(v ? 1 : 0);
    case ScalarType.INT64:
    case ScalarType.UINT64:
      return (out, v) => out.varint64(BigInt(v as bigint));
    case ScalarType.UINT32:
      return (out, v) => out.varint(v as number);
    default:
      return (out, v) => out.int32(v as number); // INT32 and enums
  }
}
