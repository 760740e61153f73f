// npm run build: the serving code compiled to dist/ (tsc -p
// tsconfig.build.json), with the files the compiled code loads beside its
// modules copied over (the plain-JS workers, the SQL of migrations and
// functions). Plain node runs dist/src/main.js; no TypeScript loader serves.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(ROOT, "dist");

export function build() {
  fs.rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  const copy = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const from = path.join(dir, e.name);
      if (e.isDirectory()) copy(from);
      else if (/\.(mjs|sql)$/.test(e.name)) {
        const to = path.join(DIST, path.relative(ROOT, from));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
      }
    }
  };
  copy(path.join(ROOT, "src"));
  fs.writeFileSync(path.join(DIST, ".built"), `${new Date().toISOString()}\n`);
}

/** True when dist/ is missing or older than any source it is built from. */
export function stale() {
  const built = fs.statSync(path.join(DIST, ".built"), { throwIfNoEntry: false });
  if (!built) return true;
  const newer = (p) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return false;
    if (!st.isDirectory()) return st.mtimeMs > built.mtimeMs;
    return fs.readdirSync(p).some((e) => newer(path.join(p, e)));
  };
  return ["src", "gen", "tsconfig.json", "tsconfig.build.json", "package-lock.json"].some((p) => newer(path.join(ROOT, p)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
