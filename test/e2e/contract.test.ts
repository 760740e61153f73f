// The contract stays honest: buf lint passes and gen/ is what `buf generate`
// makes of proto/ today.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BUF = path.join(ROOT, "node_modules/.bin/buf");

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("contract", () => {
  it("passes buf lint", () => {
    expect(() => execFileSync(BUF, ["lint"], { cwd: ROOT, stdio: "pipe" })).not.toThrow();
  });

  it("has gen/ up to date with proto/", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "gen-"));
    try {
      execFileSync(BUF, ["generate", "-o", out], { cwd: ROOT, stdio: "pipe" });
      const fresh = path.join(out, "gen");
      const files = listFiles(fresh);
      expect(listFiles(path.join(ROOT, "gen"))).toEqual(files);
      for (const f of files) {
        expect(fs.readFileSync(path.join(ROOT, "gen", f), "utf8"), `gen/${f} is stale: run npm run generate`).toBe(fs.readFileSync(path.join(fresh, f), "utf8"));
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
