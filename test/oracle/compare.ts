// Differential check: runs every case of a cases file (default: the output
// of test/oracle/fuzz.py) through the validator and prints each case where
// our answer differs from pydantic's.
//   python3 test/oracle/fuzz.py 5000 /tmp/fuzz.json && npx tsx test/oracle/compare.ts /tmp/fuzz.json
import fs from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { parseJsonBody } from "../../src/domain/validation/index.js";
import { comparable, run, type OracleCase } from "./harness.js";

const file = process.argv[2] ?? "/tmp/fuzz.json";
// Python writes NaN/Infinity; parse the file the way Python would read it.
const parsed = parseJsonBody(fs.readFileSync(file, "utf8"));
if (!parsed.ok) throw new Error(`cannot read ${file}: ${JSON.stringify(parsed.issues)}`);
const cases = parsed.value as OracleCase[];

const limit = Number(process.env.SHOW ?? 40);
const clip = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
};

// The case and the first issue (or message) where the answers part.
function firstDifference(c: OracleCase, got: unknown, want: unknown) {
  let at = 0;
  if (Array.isArray(got) && Array.isArray(want)) while (at < want.length && isDeepStrictEqual(got[at], want[at])) at++;
  const pick = (v: unknown) => (Array.isArray(v) ? v[at] : v);
  return { name: c.name, raw: clip(c.raw ?? c.body), ws: clip(c.workspace_id), ss: clip(c.session_id), at, got: clip(pick(got)), want: clip(pick(want)) };
}

// -0 and 0 print alike in JSON (Python's -0 int is 0; JS cannot tell -0.0 from -0).
const zeroes = (v: unknown): unknown =>
  Object.is(v, -0) ? 0 : Array.isArray(v) ? v.map(zeroes) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, zeroes(x)])) : v;

let bad = 0;
const started = performance.now();
for (const c of cases) {
  let got: unknown;
  let want: unknown;
  try {
    [got, want] = comparable(c, run(c));
  } catch (err) {
    got = `threw ${(err as Error).stack}`;
  }
  if (!isDeepStrictEqual(zeroes(got), zeroes(want))) {
    bad++;
    if (bad <= limit) console.log(JSON.stringify(firstDifference(c, got, want), (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));
  }
}
console.log(`${cases.length} cases, ${bad} mismatches, ${(performance.now() - started).toFixed(0)} ms`);
process.exitCode = bad ? 1 : 0;
