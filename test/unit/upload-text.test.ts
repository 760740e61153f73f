// The Python behaviours the upload route copies, checked against Python's own
// answers (test/fixtures/upload-text-cases.json): json.dumps(json.loads(text))
// for JSON files and datetime.fromisoformat for the created_at form field;
// and split_text_into_chunks on code points.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { splitTextIntoChunks } from "../../src/domain/files/chunks.js";
import { decodeText } from "../../src/domain/files/extract.js";
import { pythonJsonRoundTrip } from "../../src/domain/files/python-json-text.js";
import { floatRepr } from "../../src/json/float-repr.js";
import { pyFromIsoformat } from "../../src/domain/validation/python-isoformat.js";

const cases = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../fixtures/upload-text-cases.json"), "utf8")) as {
  json_round_trip: [string, string | null][];
  fromisoformat: [string, string | null][];
};

describe("json.dumps(json.loads(text), ensure_ascii=False)", () => {
  it.each(cases.json_round_trip)("%j", (input, want) => {
    const got = pythonJsonRoundTrip(input);
    expect(got.ok ? got.text : null).toBe(want);
  });

  it("writes floats as Python's repr", () => {
    expect([1e16, 1e15, 0.0001, 0.00001, 123.0, -0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2].map(floatRepr)).toEqual([
      "1e+16", "1000000000000000.0", "0.0001", "1e-05", "123.0", "-0.0", "5e-324", "1.7976931348623157e+308", "0.30000000000000004",
    ]);
  });

  it("refuses nesting Python cannot parse", () => {
    expect(pythonJsonRoundTrip("[".repeat(2000) + "]".repeat(2000)).ok).toBe(false);
    expect(pythonJsonRoundTrip("[".repeat(100) + "]".repeat(100)).ok).toBe(true);
  });
});

describe("datetime.fromisoformat", () => {
  it.each(cases.fromisoformat)("%j", (input, want) => {
    expect(pyFromIsoformat(input)?.micros.toString() ?? null).toBe(want);
  });
});

describe("split_text_into_chunks", () => {
  // expectations from Honcho's function run in Python
  it.each([
    ["ab cd\n\nef gh. ij", 6, ["ab cd\n", "\nef ", "gh. ij"]],
    ["😀😀😀 😀😀", 4, ["😀😀😀 ", "😀😀"]],
    ["a\n\nbcdefgh\nij. kl mn", 9, ["a\n\n", "bcdefgh\n", "ij. kl mn"]],
    ["x. y. z", 4, ["x. ", "y. z"]],
    [" abcdef", 3, [" ab", "cde", "f"]],
  ] as [string, number, string[]][])("%j by %i", (text, max, want) => {
    const { chunks, length } = splitTextIntoChunks(text, max);
    expect(chunks.map((c) => c.text)).toEqual(want);
    expect(length).toBe([...text].length);
  });
});

describe("text decoding", () => {
  it("tries UTF-8 (BOM kept), UTF-16 (unpaired surrogates refused) and latin-1 in turn", () => {
    expect(decodeText(Buffer.from("\ufeffok"))).toBe("\ufeffok");
    expect(decodeText(Buffer.from([0x00, 0xd8, 0x41, 0x00]))).toBe("\u0000\u00d8A\u0000");
  });
});
