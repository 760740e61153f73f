// The compiled binary writer against protobuf-es's toBinary on random
// messages of every type in the contract: the same bytes.
import { create, toBinary, type JsonObject } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as messages from "../../gen/honcho/v3/messages_pb.js";
import { binaryWriterFor } from "../../src/contract/binary-writer.js";
import { isFallback } from "../../src/contract/compiled-types.js";
import * as resources from "../../gen/honcho/v3/resources_pb.js";
import { message, schemas } from "../support/random-messages.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("compiled binary writer", () => {
  it("covers the contract's answers without falling back", () => {
    for (const s of [messages.CreateMessagesResponseSchema, messages.ListMessagesResponseSchema]) {
      expect(isFallback(binaryWriterFor(s))).toBe(false);
    }
    // a type with a map is left to toBinary
    expect(isFallback(binaryWriterFor(resources.GetQueueStatusResponseSchema))).toBe(true);
  });

  it("writes long messages and long lengths (multi-byte varints) alike", () => {
    const m = create(messages.CreateMessagesResponseSchema, {
      messages: Array.from({ length: 300 }, (_, i) => ({ id: `m${i}`, content: "ü".repeat(i * 97), tokenCount: -i, metadata: (i % 2 ? {} : { i, s: "x" }) as JsonObject })),
    });
    expect(hex(binaryWriterFor(messages.CreateMessagesResponseSchema)(m))).toBe(hex(toBinary(messages.CreateMessagesResponseSchema, m)));
  });

  it.each(schemas.map((s) => [s.typeName, s] as const))("%s equals toBinary", (_, desc) => {
    fc.assert(
      fc.property(message(desc), (m) => {
        expect(hex(binaryWriterFor(desc)(m))).toBe(hex(toBinary(desc, m as never)));
      }),
      { numRuns: 200 },
    );
  });
});
