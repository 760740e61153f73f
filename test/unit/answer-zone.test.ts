// The zone REST answers are written in (src/json/answer-zone.ts): pydantic's
// text of the datetime psycopg hands Honcho in its session's TimeZone. The
// expected texts are pydantic's (TypeAdapter(datetime).dump_json of the
// instant in that ZoneInfo).
import { afterEach, describe, expect, it } from "vitest";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { answerOffset, setAnswerZone } from "../../src/json/answer-zone.js";
import { pydanticDatetimeText } from "../../src/json/datetime-text.js";
import { jsonWriterFor } from "../../src/contract/json-writer.js";
import { WorkspaceSchema } from "../../gen/honcho/v3/resources_pb.js";

const at = (iso: string) => {
  const [, whole, fraction = ""] = /^(.*:\d\d)(?:\.(\d+))?Z$/.exec(iso)!;
  return create(TimestampSchema, { seconds: BigInt(Date.parse(`${whole}Z`) / 1000), nanos: Number(fraction.padEnd(9, "0")) });
};
const write = (iso: string) => (jsonWriterFor(WorkspaceSchema)(create(WorkspaceSchema, { id: "w", createdAt: at(iso) })) as { created_at: string }).created_at;

afterEach(() => setAnswerZone("UTC"));

describe("answer zone", () => {
  it("writes UTC as pydantic does, for every name of UTC", () => {
    for (const zone of ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Zulu"]) {
      expect(setAnswerZone(zone)).toBe(true);
      expect(answerOffset(0)).toBeUndefined();
      expect(write("2026-12-04T19:06:35.354485Z")).toBe("2026-12-04T19:06:35.354485Z");
      expect(write("2026-12-04T19:06:35Z")).toBe("2026-12-04T19:06:35Z");
    }
  });

  it("writes the wall clock and offset of a zone with offsets, Z where the offset is zero", () => {
    expect(setAnswerZone("America/New_York")).toBe(true);
    expect(write("2026-12-04T19:06:35.354485Z")).toBe("2026-12-04T14:06:35.354485-05:00");
    expect(write("2026-07-04T12:00:00Z")).toBe("2026-07-04T08:00:00-04:00");
    expect(write("2026-01-01T03:00:00.5Z")).toBe("2025-12-31T22:00:00.500000-05:00");
    setAnswerZone("Asia/Kolkata");
    expect(write("2026-12-04T19:06:35.354485Z")).toBe("2026-12-05T00:36:35.354485+05:30");
    setAnswerZone("Europe/London");
    expect(write("2026-12-04T12:00:00.123456Z")).toBe("2026-12-04T12:00:00.123456Z");
    expect(write("2026-07-04T11:00:00Z")).toBe("2026-07-04T12:00:00+01:00");
    setAnswerZone("Asia/Kathmandu");
    expect(write("2026-12-04T00:00:00Z")).toBe("2026-12-04T05:45:00+05:45");
  });

  it("changes offset at the very instant the zone does, inside a cached quarter hour", () => {
    setAnswerZone("America/New_York");
    // 2026-03-08 02:00 EST → 03:00 EDT is 07:00:00 UTC; 2026-11-01 02:00 EDT → 01:00 EST is 06:00:00 UTC
    expect(write("2026-03-08T06:59:59.999Z")).toBe("2026-03-08T01:59:59.999000-05:00");
    expect(write("2026-03-08T07:00:00Z")).toBe("2026-03-08T03:00:00-04:00");
    expect(write("2026-03-08T06:55:00Z")).toBe("2026-03-08T01:55:00-05:00");
    expect(write("2026-11-01T05:59:59Z")).toBe("2026-11-01T01:59:59-04:00");
    expect(write("2026-11-01T06:00:00Z")).toBe("2026-11-01T01:00:00-05:00");
    // Lord Howe moves by half an hour
    setAnswerZone("Australia/Lord_Howe");
    expect(write("2026-04-04T14:59:59Z")).toBe("2026-04-05T01:59:59+11:00");
    expect(write("2026-04-04T15:00:00Z")).toBe("2026-04-05T01:30:00+10:30");
  });

  it("answers UTC for a zone it does not know, as psycopg does", () => {
    expect(setAnswerZone("<+03>-03")).toBe(false);
    expect(write("2026-12-04T19:06:35Z")).toBe("2026-12-04T19:06:35Z");
  });

  it("cuts an offset's seconds off toward zero, as pydantic does", () => {
    // the suffix of pydantic's text for an offset of that many seconds
    const offsetSuffix = (seconds: number) => pydanticDatetimeText(0n, BigInt(seconds) * 1_000_000n).slice(19);
    expect(offsetSuffix(0)).toBe("Z");
    expect(offsetSuffix(-1521)).toBe("-00:25");
    expect(offsetSuffix(1172)).toBe("+00:19");
    expect(offsetSuffix(19800)).toBe("+05:30");
    expect(offsetSuffix(-18000)).toBe("-05:00");
  });
});
