// The pydantic oracle's cases for Create Messages (test/oracle/cases.json,
// also run against the validator alone in test/unit/validation.test.ts) sent
// over real HTTP: each 422 must be the text FastAPI writes, byte for byte
// (compact JSON, non-ASCII as is, Python's numbers), and each 400 FastAPI's.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../../src/domain/validation/index.js";
import { pythonJson } from "../../src/json/exact-numbers.js";
import { bodyText, expand, type OracleCase } from "../oracle/harness.js";
import { useTestApp } from "../support/app.js";

const parsed = parseJsonBody(fs.readFileSync(new URL("../oracle/cases.json", import.meta.url), "utf8"));
if (!parsed.ok) throw new Error("cannot read test/oracle/cases.json");
// Left to the validator's own test: what pydantic renders but HTTP never
// carries to it. An empty path segment matches no route (FastAPI's 404 too),
// and a JSON null body is a missing body to FastAPI (request-handling-cases.json).
const overHttp = (c: OracleCase) => expand(c.workspace_id) !== "" && expand(c.session_id) !== "" && bodyText(c).trim() !== "null";
const cases = (parsed.value as OracleCase[]).filter((c) => c.expect.status !== 201 && c.expect.renders !== false && overHttp(c));

// models.py's body_bytes: a BOM left at the start of a case's text was the second one of the bytes
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const bytesOf = (text: string) => (text.startsWith("\ufeff") ? Buffer.concat([BOM, Buffer.from(text)]) : Buffer.from(text));

const t = useTestApp();

describe("pydantic oracle cases over HTTP", () => {
  it(`${cases.length} refusals, each the text FastAPI writes`, async () => {
    expect(cases.length).toBeGreaterThan(150);
    const wrong: unknown[] = [];
    for (const c of cases) {
      const path = `/v3/workspaces/${encodeURIComponent(expand(c.workspace_id) as string)}/sessions/${encodeURIComponent(expand(c.session_id) as string)}/messages`;
      const res = await fetch(`${t.app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: bytesOf(bodyText(c)) });
      const text = await res.text();
      const want = c.expect.status === 400 ? '{"detail":"There was an error parsing the body"}' : `{"detail":${pythonJson(expand(c.expect.detail))}}`;
      if (res.status !== c.expect.status || text !== want) wrong.push({ name: c.name, status: res.status, text: text.slice(0, 300), want: want.slice(0, 300) });
    }
    expect(wrong).toEqual([]);
  });
});
