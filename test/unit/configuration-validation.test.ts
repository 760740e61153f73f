// Honcho's configuration models against pydantic: every case of
// test/oracle/configuration-cases.json (written by pydantic 2.13 with
// test/oracle/configuration.py) gives the same detail list, or the same
// stored value, here. Plus the settings these models read.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { loadHonchoSettings } from "../../src/config-honcho.js";
import { peerConfig, sessionConfiguration, sessionPeerConfig, workspaceConfiguration } from "../../src/domain/validation/configuration.js";
import { storable } from "../../src/domain/validation/storable.js";
import { parseJsonBody, type ValidationIssue } from "../../src/domain/validation/index.js";

interface Case {
  name: string;
  model: "WorkspaceConfiguration" | "SessionConfiguration" | "SessionPeerConfig" | "PeerConfig";
  max_tokens: number;
  json: string;
  expect: { value?: unknown; detail?: unknown[] };
}

// written by Python's json.dump (NaN allowed): read it the way the service reads Python's JSON
const parsed = parseJsonBody(fs.readFileSync(new URL("../oracle/configuration-cases.json", import.meta.url), "utf8"));
if (!parsed.ok) throw new Error("configuration-cases.json does not parse");
const cases = parsed.value as Case[];

function validate(c: Case): { value?: unknown; detail?: unknown[] } {
  const body = parseJsonBody(c.json);
  if (!body.ok) throw new Error(`case ${c.name}: its JSON does not parse`);
  const issues: ValidationIssue[] = [];
  const value =
    c.model === "WorkspaceConfiguration"
      ? workspaceConfiguration(body.value, ["body"], issues, c.max_tokens)
      : c.model === "SessionConfiguration"
        ? sessionConfiguration(body.value, ["body"], issues, c.max_tokens)
        : c.model === "SessionPeerConfig"
          ? sessionPeerConfig(body.value, ["body"], issues)
          : peerConfig(body.value, ["body"], issues);
  if (issues.length > 0) return { detail: issues };
  expect(value).toBeDefined();
  return { value };
}

describe(`pydantic's configuration models (${cases.length} cases)`, () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    expect(validate(c)).toEqual(c.expect);
  });

  it("keeps the declared fields' dump order, then the extra keys in their order", () => {
    const issues: ValidationIssue[] = [];
    const v = workspaceConfiguration({ z: 1, dream: { enabled: true }, a: 2, reasoning: {} }, ["body"], issues, 2000);
    expect(Object.keys(v!)).toEqual(["reasoning", "dream", "z", "a"]);
  });

  it("keeps an extra key named __proto__ as an ordinary key", () => {
    const input = JSON.parse('{"__proto__": {"x": 1}}') as object;
    const v = workspaceConfiguration(input, ["body"], [], 2000)!;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.entries(v)).toEqual([["__proto__", { x: 1 }]]);
  });
});

describe("values PostgreSQL cannot store", () => {
  it.each([
    ["NUL in a value", { a: "x\0y" }],
    ["NUL in a key", { "a\0": 1 }],
    ["a lone surrogate deep down", { a: [{ b: "\ud800" }] }],
  ])("is refused with a 422 at the value (%s)", (_n, value) => {
    const issues: ValidationIssue[] = [];
    expect(storable(value, ["body", "configuration"], issues)).toBe(false);
    expect(issues).toEqual([
      { type: "value_error", loc: ["body", "configuration"], msg: "Value error, text must not contain NUL (0x00) characters or unpaired surrogates", input: value, ctx: { error: {} } },
    ]);
  });

  it.each([
    ["NaN", { a: NaN }],
    ["Infinity deep down", { a: [1, { b: -Infinity }] }],
  ])("refuses numbers JSON has not (%s) with a 422 at the value", (_n, value) => {
    const issues: ValidationIssue[] = [];
    expect(storable(value, ["body", "metadata"], issues)).toBe(false);
    expect(issues).toEqual([
      { type: "value_error", loc: ["body", "metadata"], msg: "Value error, numbers must be finite: NaN and Infinity cannot be stored", input: value, ctx: { error: {} } },
    ]);
  });

  it("lets everything else through", () => {
    const issues: ValidationIssue[] = [];
    expect(storable({ a: ["ok", "\ud83d\ude00", 1, null, { b: true }] }, ["body"], issues)).toBe(true);
    expect(issues).toEqual([]);
  });
});

describe("settings", () => {
  it("reads SESSION_OBSERVERS_LIMIT as Honcho does (default 10, > 0)", () => {
    expect(loadHonchoSettings({}).sessionObserversLimit).toBe(10);
    expect(loadHonchoSettings({ session_observers_limit: "3" }).sessionObserversLimit).toBe(3);
    expect(() => loadHonchoSettings({ SESSION_OBSERVERS_LIMIT: "0" })).toThrow(/SESSION_OBSERVERS_LIMIT/);
  });

  it("reads DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS (0 to 2000)", () => {
    expect(loadHonchoSettings({}).maxCustomInstructionsTokens).toBe(2000);
    expect(loadHonchoSettings({ DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS: "0" }).maxCustomInstructionsTokens).toBe(0);
  });
});
