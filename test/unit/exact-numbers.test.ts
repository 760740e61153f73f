// Numbers as Python keeps them (src/json/exact-numbers.ts): every case of
// test/oracle/number-cases.json (test/oracle/number_cases.py: Python's own
// json.dumps(json.loads(text)), and pydantic-core's to_json of the same)
// parsed as the service parses a body and written back by pythonJson() and
// pydanticJson(), byte for byte; and what a copy, the scan and the jsonb
// reader keep.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../../src/domain/validation/index.js";
import { stripNul } from "../../src/domain/validation/strings.js";
import { pydanticFloatText } from "../../src/json/float-repr.js";
import { holdsExactNumbers, mayHoldExactNumbers, mergedAsPython, parseKeepingNumbers, pydanticJson, pythonJson } from "../../src/json/exact-numbers.js";

const cases = JSON.parse(fs.readFileSync(new URL("../oracle/number-cases.json", import.meta.url), "utf8")) as { text: string; python: string; pydantic: string }[];

function roundTrip(text: string, write = pythonJson): string {
  const parsed = parseJsonBody(text);
  if (!parsed.ok) throw new Error(`${text}: ${JSON.stringify(parsed.issues)}`);
  return parsed.exactRoot ?? write(parsed.value);
}

describe("JSON numbers written as Python writes them", () => {
  it("every oracle case, as json.dumps(json.loads(text)) writes it", () => {
    expect(cases.length).toBe(900);
    const wrong = cases.filter((c) => roundTrip(c.text) !== c.python).map((c) => ({ ...c, got: roundTrip(c.text) }));
    expect(wrong).toEqual([]);
    // the cases hold what JavaScript alone gets wrong
    expect(cases.filter((c) => JSON.stringify(JSON.parse(c.text)) !== c.python).length).toBeGreaterThan(250);
  });

  it("every oracle case, as pydantic-core writes it (FastAPI's answers through a response model)", () => {
    const pydantic = (text: string) => {
      const parsed = parseJsonBody(text);
      if (!parsed.ok) throw new Error(text);
      // a number alone: its Python text, spelt as pydantic spells it
      return parsed.exactRoot !== undefined ? pydanticFloatText(parsed.exactRoot) : pydanticJson(parsed.value);
    };
    const wrong = cases.filter((c) => pydantic(c.text) !== c.pydantic).map((c) => ({ ...c, got: pydantic(c.text) }));
    expect(wrong).toEqual([]);
    // the cases hold floats the two spell differently (1e-07 and 1e-7, 1e-05 and 0.00001)
    expect(cases.filter((c) => c.python !== c.pydantic).length).toBeGreaterThan(50);
    expect(pydanticJson(parseKeepingNumbers('{"a": [1e-07, 1.5e-05, 1e-300, 1e+16, 1.0, 12345678901234567890]}'))).toBe(
      '{"a":[1e-7,0.000015,1e-300,1e+16,1.0,12345678901234567890]}',
    );
  });

  it("the slow path (NaN, a key twice, escapes in keys) keeps them too", () => {
    // NaN itself is never written (FastAPI cannot render it, PostgreSQL refuses it): JSON.stringify's null here
    expect(roundTrip('{"a": NaN, "b": 1.0, "b": 2.0, "k\\u00e9\\"": [1e2, -0.0]}')).toBe('{"a":null,"b":2.0,"ké\\"":[100.0,-0.0]}');
    expect(roundTrip('{"b": 1.0, "b": 2}')).toBe('{"b":2}'); // the last of a key twice is Python's
    expect(roundTrip('{"__proto__": 1.0}')).toBe('{"__proto__":1.0}');
  });

  it("keys JavaScript orders otherwise (integer-like) keep Python's order, in the oracle cases and beyond", () => {
    const keyed = cases.slice(600);
    // the cases hold what JavaScript alone gets wrong about order
    const jsKeys = (v: unknown): string[] =>
      typeof v !== "object" || v === null ? [] : Array.isArray(v) ? v.flatMap(jsKeys) : Object.keys(v).flatMap((k) => [k, ...jsKeys((v as Record<string, unknown>)[k])]);
    const pyKeys = (text: string) => [...text.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(keyed.filter((c) => jsKeys(JSON.parse(c.text)).join() !== pyKeys(c.python).join()).length).toBeGreaterThan(100);
    expect(roundTrip('{"b": 1, "2": {"z": 0, "1": 1}, "b": 3, "\\u0030": 4}')).toBe('{"b":3,"2":{"z":0,"1":1},"0":4}');
    // a NUL-stripped copy keeps it; keys made equal stand where the first stood
    const parsed = parseJsonBody('{"b\\u0000": 1, "2": 2, "b": 3}');
    if (!parsed.ok) throw new Error("parse");
    expect(pythonJson(stripNul(parsed.value))).toBe('{"b":3,"2":2}');
    // PostgreSQL's jsonb text orders keys by length: Python reads it as written
    expect(pythonJson(parseKeepingNumbers('{"9": 3, "b": 1, "10": 2}'))).toBe('{"9":3,"b":1,"10":2}');
    // an order JavaScript keeps anyway is not kept (nothing to walk then)
    expect(holdsExactNumbers(parseKeepingNumbers('{"1": 3, "2": 1, "b": 2}'))).toBe(false);
  });

  it("{**a, **b}: a's keys in a's order, replaced in place, then b's new keys; numbers as each side kept them", () => {
    const a = parseKeepingNumbers('{"zz": 1.0, "2": 3, "summary": {"x": 1e16}}') as object;
    const b = parseKeepingNumbers('{"9": 2.0, "zz": 2.50, "__proto__": 1}') as object;
    // Python: {**json.loads(a), **json.loads(b)}
    expect(pythonJson(mergedAsPython(a, b))).toBe('{"zz":2.5,"2":3,"summary":{"x":1e+16},"9":2.0,"__proto__":1}');
    expect(pythonJson(mergedAsPython({}, { b: 1, a: 2 }))).toBe('{"b":1,"a":2}');
  });

  it("an object given new keys after the parse is written as it now is", () => {
    const parsed = parseJsonBody('{"b": 1, "2": 2}');
    if (!parsed.ok) throw new Error("parse");
    const v = parsed.value as Record<string, number>;
    v.c = 3;
    expect(pythonJson(v)).toBe('{"2":2,"b":1,"c":3}');
  });

  it("scans strings past their numbers: texts full of 1.0 need no walk", () => {
    expect(mayHoldExactNumbers('{"content": "version 1.0, 12345678901234567 \\" 2.0", "n": [1, -2, 300]}')).toBe(false);
    expect(mayHoldExactNumbers('{"n": 1.5}')).toBe(true);
    expect(mayHoldExactNumbers('{"n": 1234567890123456}')).toBe(true);
    expect(mayHoldExactNumbers('{"n": -123456789012345}')).toBe(false);
    // an integer-like key, not an integer-like string
    expect(mayHoldExactNumbers('{"b": "2", "c": ["10"]}')).toBe(false);
    expect(mayHoldExactNumbers('{"b": 1, "2" : 1}')).toBe(true);
    expect(mayHoldExactNumbers('{"b": 1, "\\u0032": 1}')).toBe(true);
    expect(mayHoldExactNumbers('{"b": 1, "4294967295": 1, "01": 2}')).toBe(false);
  });

  it("NUL stripping copies keep the numbers, under the keys stripped", () => {
    const parsed = parseJsonBody('{"a\\u0000": 1.0, "b": ["x\\u0000", 2.0], "c": 3}');
    if (!parsed.ok) throw new Error("parse");
    const clean = stripNul(parsed.value);
    expect(clean).not.toBe(parsed.value);
    expect(pythonJson(clean)).toBe('{"a":1.0,"b":["x",2.0],"c":3}');
  });

  it("jsonb read back (PostgreSQL writes numerics as they were stored) keeps them", () => {
    const v = parseKeepingNumbers('{"n": [2.5, 3.0], "id": 1234567890123456789, "tiny": 0.00001}');
    expect(holdsExactNumbers(v)).toBe(true);
    expect(pythonJson(v)).toBe('{"n":[2.5,3.0],"id":1234567890123456789,"tiny":1e-05}');
    expect(holdsExactNumbers(parseKeepingNumbers('{"n": [1, 2]}'))).toBe(false);
  });
});

describe("a kept text follows its number", () => {
  it("a number changed after the parse is written as it now is", () => {
    const parsed = parseJsonBody('{"a": 1.0, "b": [2.0]}');
    if (!parsed.ok) throw new Error("parse");
    const v = parsed.value as { a: number; b: number[] };
    expect(pythonJson(v)).toBe('{"a":1.0,"b":[2.0]}');
    v.a = 3;
    v.b[0] = 4;
    expect(pythonJson(v)).toBe('{"a":3,"b":[4]}');
  });
});
