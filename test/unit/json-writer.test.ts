// The compiled JSON writer against protobuf-es's toJson on random messages of
// every type in the contract: same keys, same order, same values (REST's
// timestamps as pydantic writes them).
import { create, toJson } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as messages from "../../gen/honcho/v3/messages_pb.js";
import { isFallback } from "../../src/contract/compiled-types.js";
import { jsonWriterFor, protoJsonWriterFor } from "../../src/contract/json-writer.js";
import { keepDatetimeText } from "../../src/json/datetime-text.js";
import { message, schemas } from "../support/random-messages.js";

describe("compiled JSON writer", () => {
  it("covers the contract's answers without falling back", () => {
    for (const s of [messages.CreateMessagesResponseSchema, messages.MessageSchema, messages.ListMessagesResponseSchema]) {
      expect(isFallback(jsonWriterFor(s))).toBe(false);
      expect(isFallback(protoJsonWriterFor(s))).toBe(false);
    }
    // a request with bytes in it is left to toJson
    expect(isFallback(jsonWriterFor(messages.UploadMessagesRequestSchema))).toBe(true);
  });

  it("keeps a metadata key named __proto__, as the stored row and Honcho do", () => {
    const metadata = JSON.parse('{"__proto__": {"a": 1}, "b": 2}');
    const m = create(messages.MessageSchema, { id: "x", metadata });
    expect(JSON.stringify(jsonWriterFor(messages.MessageSchema)(m))).toContain('"metadata":{"__proto__":{"a":1},"b":2}');
  });

  it("writes REST timestamps as pydantic writes a datetime, and a request's own text; the Connect protocol's as protobuf's JSON", () => {
    const at = (nanos: number) => create(messages.MessageSchema, { id: "x", createdAt: { seconds: 1714564800n, nanos } });
    const rest = (m: messages.Message) => (jsonWriterFor(messages.MessageSchema)(m) as { created_at: string }).created_at;
    const connect = (m: messages.Message) => (protoJsonWriterFor(messages.MessageSchema)(m) as { createdAt: string }).createdAt;
    expect([0, 500_000_000, 123_456_789, 1000].map((n) => rest(at(n)))).toEqual(["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.500000Z", "2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.000001Z"]);
    expect(connect(at(500_000_000))).toBe("2024-05-01T12:00:00.500Z");
    const offset = at(0);
    keepDatetimeText(offset.createdAt!, "2024-05-01T14:00:00+02:00");
    expect([rest(offset), connect(offset)]).toEqual(["2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00Z"]);
    offset.createdAt!.seconds += 1n; // a text follows its instant
    expect(rest(offset)).toBe("2024-05-01T12:00:01Z");
  });

  // protobuf's JSON of a Timestamp (0, 3, 6 or 9 digits of fraction) as pydantic writes it (6 or none)
  const pydanticTimestamps = (json: string) =>
    json.replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z"/g, (_, whole: string, fraction = "") => {
      const micros = fraction.padEnd(9, "0").slice(0, 6);
      return `"${whole}${/^0+$/.test(micros) ? "" : `.${micros}`}Z"`;
    });

  it.each(schemas.map((s) => [s.typeName, s] as const))("%s equals toJson", (_, desc) => {
    fc.assert(
      fc.property(message(desc), (m) => {
        const json = JSON.stringify(toJson(desc, m as never, { useProtoFieldName: true, alwaysEmitImplicit: true }));
        // a type the writer leaves to toJson (a request's bytes: UploadMessagesRequest) keeps its timestamps
        const expected = isFallback(jsonWriterFor(desc)) ? json : pydanticTimestamps(json);
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
