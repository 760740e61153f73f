// duplicateFree (src/contract/json-keys.ts) against protobuf-es's own check:
// fromJsonString into google.protobuf.Value takes any JSON and throws only
// for a duplicate member name. duplicateFree may only say "free" where
// protobuf-es accepts; without escapes in member names it must agree exactly.
import { fromJsonString } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duplicateFree } from "../../src/contract/json-keys.js";

const protobufAccepts = (json: string) => {
  try {
    fromJsonString(ValueSchema, json);
    return true;
  } catch {
    return false;
  }
};

// member names from a small alphabet (so that duplicates come often); values with quotes, backslashes and brackets
const text = fc.string({ unit: fc.constantFrom("x", '"', "\\", "{", "}", "[", "]", ",", ":", "\\\\"), maxLength: 8 });
const jsonOf = (name: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.letrec<{ v: string }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text.map((t) => JSON.stringify(t)),
      fc.integer().map(String),
      fc.constantFrom("true", "null", "1.5e3"),
      fc.array(tie("v"), { maxLength: 4 }).map((xs) => `[${xs.join(",")}]`),
      fc.array(fc.tuple(name, tie("v")), { maxLength: 4 }).map((ms) => `{ ${ms.map(([k, v]) => `${JSON.stringify(k)} : ${v}`).join(" ,\n")} }`),
    ),
  })).v;
const plainNames = jsonOf(fc.string({ unit: fc.constantFrom("a", "b", "é", "\u2028"), maxLength: 3 }));
const escapedNames = jsonOf(fc.string({ unit: fc.constantFrom("a", '"', "\\", "\n"), maxLength: 3 }));

describe("duplicateFree", () => {
  it("agrees with protobuf-es where no member name holds an escape", () => {
    fc.assert(
      fc.property(plainNames, (json) => {
        expect(duplicateFree(json)).toBe(protobufAccepts(json));
      }),
      { numRuns: 5000 },
    );
  });

  it("says free only where protobuf-es accepts, whatever the names", () => {
    fc.assert(
      fc.property(escapedNames, (json) => {
        if (duplicateFree(json)) expect(protobufAccepts(json)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("finds duplicates at any depth, and skips long values with escaped quotes", () => {
    const long = `${"x".repeat(10_000)}\\"{"a":1,"a":2}\\\\`;
    expect(duplicateFree(`{"a":"${long}","b":[{"c":1},{"c":2}]}`)).toBe(true);
    expect(duplicateFree(`{"a":"${long}","b":[{"c":1,"c":2}]}`)).toBe(false);
    expect(duplicateFree(`[{"a":{"b":1}},{"a":{"b":1,"a":0}}]`)).toBe(true);
    expect(duplicateFree(`{"x":{"b":1},"x":{}}`)).toBe(false);
    expect(duplicateFree(`{"\\u0061":1}`)).toBe(false); // an escaped name: left to the full check
  });
});
