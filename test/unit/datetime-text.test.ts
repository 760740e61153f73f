// created_at as Honcho answers a new message with it: pydantic's text of the
// datetime it parsed (test/oracle/datetime-text-cases.json, written by
// pydantic 2 itself: python3 test/oracle/datetime_texts.py), through the
// service's own path: validation, the answer's Timestamp, the REST writer.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { MessageSchema, type Message } from "../../gen/honcho/v3/messages_pb.js";
import { jsonWriterFor } from "../../src/contract/json-writer.js";
import { validateCreateMessages } from "../../src/domain/validation/index.js";
import { messageOf } from "../../src/handlers/shapes.js";
import { setAnswerZone } from "../../src/json/answer-zone.js";
import { keepDatetimeText } from "../../src/json/datetime-text.js";

const cases = JSON.parse(fs.readFileSync(new URL("../oracle/datetime-text-cases.json", import.meta.url), "utf8")) as { input: unknown; text: string | null }[];
const write = jsonWriterFor(MessageSchema);

/** The created_at of the answer to a message sent with `input`, or null where it is refused. */
function answered(input: unknown): string | null {
  const r = validateCreateMessages({ workspace_id: "w", session_id: "s" }, { messages: [{ content: "", peer_id: "a", created_at: input }] }, 1000);
  if (!r.ok) return null;
  const m = r.value.messages[0]!;
  const message: Message = messageOf("id", "", "a", "s", {}, m.createdAtMicros!, "w", 0);
  if (m.createdAtText) keepDatetimeText(message.createdAt!, m.createdAtText);
  return (write(message) as { created_at: string }).created_at;
}

describe("created_at answered as pydantic writes the datetime it parsed", () => {
  it("every oracle case", () => {
    expect(cases.length).toBe(400);
    const wrong = cases.map((c) => ({ ...c, got: answered(c.input) })).filter((c) => c.got !== c.text);
    expect(wrong).toEqual([]);
    // the cases hold offsets, naive values and fractions protobuf's JSON writes otherwise
    expect(cases.filter((c) => c.text && /[+-]\d\d:\d\d$/.test(c.text)).length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.text && /\d$/.test(c.text)).length).toBeGreaterThan(30);
    expect(cases.filter((c) => c.text && /\.\d{3}000Z$/.test(c.text)).length).toBeGreaterThan(3);
  });

  it("every oracle case, where the database answers in another zone than UTC (src/json/answer-zone.ts)", () => {
    setAnswerZone("Asia/Kolkata");
    try {
      expect(cases.map((c) => answered(c.input)).filter((got, i) => got !== cases[i]!.text)).toEqual([]);
    } finally {
      setAnswerZone("UTC");
    }
  });
});
