// The layers stay one-directional: no module of src/ reaches itself again
// through its imports (type-only imports included), so handlers do not import
// the file that wires them, and the domain does not import its own index.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith(".d.mts")) {
        const deps = [...fs.readFileSync(p, "utf8").matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)].map((m) => {
          const target = path.resolve(dir, m[1]!).replace(/\.js$/, ".ts");
          return fs.existsSync(target) ? target : target.replace(/\.ts$/, ".mjs");
        });
        g.set(p, deps);
      }
    }
  };
  walk(SRC);
  return g;
}

describe("src/ imports", () => {
  it("have no cycles", () => {
    const g = graph();
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (n: string, trail: string[]) => {
      const at = trail.indexOf(n);
      if (at >= 0) return void cycles.push([...trail.slice(at), n].map((f) => path.relative(SRC, f)).join(" → "));
      if (done.has(n)) return;
      done.add(n);
      for (const d of g.get(n) ?? []) visit(d, [...trail, n]);
    };
    for (const n of g.keys()) visit(n, []);
    expect(g.size).toBeGreaterThan(50);
    expect(cycles).toEqual([]);
  });
});
