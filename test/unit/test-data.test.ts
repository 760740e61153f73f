// The copies in test/data are the shared originals, byte for byte, wherever
// ../shared is beside the repository (as in CI); a clone elsewhere runs on
// the copies alone.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { COPIES } from "../support/conformance.js";

describe("test data copied from ../shared", () => {
  for (const [name, { copy, original }] of Object.entries(COPIES)) {
    const present = fs.existsSync(original);
    if (!present) console.warn(`${original} is not here: the ${name} copy is not compared`);
    it.runIf(present)(`${name}: the copy equals ${original}`, () => {
      expect(fs.readFileSync(copy, "utf8")).toBe(fs.readFileSync(original, "utf8"));
    });
  }
});
