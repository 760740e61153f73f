// The compiled JSON writer against protobuf-es's toJson on random messages of
// every type in the contract: same keys, same order, same values.
import { create, toJson } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as messages from "../../gen/honcho/v3/messages_pb.js";
import { jsonWriterFor, protoJsonWriterFor } from "../../src/contract/json-writer.js";
import { message, schemas } from "../support/random-messages.js";

describe("compiled JSON writer", () => {
  it("covers the contract's answers without falling back", () => {
    for (const s of [messages.CreateMessagesResponseSchema, messages.MessageSchema, messages.ListMessagesResponseSchema]) {
      expect(jsonWriterFor(s).toString()).not.toContain("toJson(");
      expect(protoJsonWriterFor(s).toString()).not.toContain("toJson(");
    }
  });

  it("keeps a metadata key named __proto__, as the stored row and Honcho do", () => {
    const metadata = JSON.parse('{"__proto__": {"a": 1}, "b": 2}');
    const m = create(messages.MessageSchema, { id: "x", metadata });
    expect(JSON.stringify(jsonWriterFor(messages.MessageSchema)(m))).toContain('"metadata":{"__proto__":{"a":1},"b":2}');
  });

  it.each(schemas.map((s) => [s.typeName, s] as const))("%s equals toJson", (_, desc) => {
    fc.assert(
      fc.property(message(desc), (m) => {
        const expected = JSON.stringify(toJson(desc, m as never, { useProtoFieldName: true, alwaysEmitImplicit: true }));
        expect(JSON.stringify(jsonWriterFor(desc)(m))).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  // the Connect protocol's JSON: JSON names, fields at their zero value left out
  it.each(schemas.map((s) => [s.typeName, s] as const))("%s equals toJson with its default options", (_, desc) => {
    fc.assert(
      fc.property(message(desc), (m) => {
        expect(JSON.stringify(protoJsonWriterFor(desc)(m))).toBe(JSON.stringify(toJson(desc, m as never)));
      }),
      { numRuns: 200 },
    );
    // and a message with every field at its zero value
    const empty = create(desc);
    expect(JSON.stringify(protoJsonWriterFor(desc)(empty))).toBe(JSON.stringify(toJson(desc, empty)));
  });
});
