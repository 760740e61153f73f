// Random messages of every type in the contract, for the compiled writers'
// differential tests (test/unit/*-writer.test.ts).
import { create, ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import fc from "fast-check";
import * as messages from "../../gen/honcho/v3/messages_pb.js";
import * as queue from "../../gen/honcho/v3/queue_pb.js";
import * as resources from "../../gen/honcho/v3/resources_pb.js";

export const schemas = [messages, queue, resources]
  .flatMap((mod) => Object.values(mod))
  .filter((v): v is DescMessage => typeof v === "object" && v !== null && (v as DescMessage).kind === "message");

// toJson drops a "__proto__" key (it assigns it); the writer keeps it, see below
const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => !/-0|"__proto__"/.test(JSON.stringify(v)));
const jsonObject = fc.dictionary(fc.string().filter((k) => k !== "__proto__"), json, { maxKeys: 4 });
const timestamp = fc.record({
  seconds: fc.bigInt(-62135596800n, 253402300799n),
  nanos: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 }).map((n) => n * 1_000_000), fc.integer({ min: 0, max: 999_999 }).map((n) => n * 1000), fc.integer({ min: 0, max: 999_999_999 })),
});

function scalar(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case ScalarType.STRING:
      return fc.string({ unit: "grapheme", maxLength: 8 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 16 });
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt(0n, 2n ** 64n - 1n);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    default:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  }
}

function value(f: DescField, depth: number): fc.Arbitrary<unknown> {
  const one = (kind: string, s?: ScalarType, m?: DescMessage): fc.Arbitrary<unknown> => {
    if (kind === "scalar") return scalar(s!);
    if (kind === "enum") return fc.constantFrom(...f.enum!.values.map((v) => v.number));
    if (m!.typeName === "google.protobuf.Struct") return jsonObject;
    if (m!.typeName === "google.protobuf.Timestamp") return timestamp;
    if (m!.typeName.startsWith("google.protobuf.")) return fc.constant(undefined); // other WKTs: the writer leaves these types to toJson
    return message(m!, depth + 1);
  };
  switch (f.fieldKind) {
    case "list":
      if (f.listKind === "message" && /^google\.protobuf\.(?!Timestamp$)/.test(f.message.typeName)) return fc.constant([]);
      return fc.array(one(f.listKind, f.scalar, f.message), { maxLength: depth > 2 ? 0 : 3 });
    case "scalar":
      return one("scalar", f.scalar);
    case "enum":
      return one("enum");
    case "message":
      return one("message", undefined, f.message);
    default:
      return fc.constant(undefined);
  }
}

export function message(desc: DescMessage, depth = 0): fc.Arbitrary<Message> {
  const parts = Object.fromEntries(desc.fields.map((f) => [f.localName, fc.option(value(f, depth), { nil: undefined })]));
  return fc.record(parts).map((init) => create(desc, init as never) as Message);
}
