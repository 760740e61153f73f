// Upload Messages' form fields as Honcho takes them: each case of
// test/oracle/upload-form-cases.json (written by test/oracle/upload_forms.py
// with Honcho's own parse_upload_form steps and pydantic models) posted over
// HTTP with a small text file. Where Honcho builds messages, the answer's
// metadata and created_at must be its text, byte for byte; where its models
// refuse the values (Honcho: 500, or its crud's 422 for a new peer's name),
// the service refuses with a 422 and writes nothing.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";
import { BOUNDARY, uploadForm } from "../support/multipart.js";
import { fieldText } from "../support/rest.js";

interface Case {
  fields: Record<string, string>;
  expect: { refused: true } | { metadata: string; created_at: string | null };
}

const cases = JSON.parse(fs.readFileSync(new URL("../oracle/upload-form-cases.json", import.meta.url), "utf8")) as Case[];
const t = useTestApp();

/** The upload's status and its body as written (the metadata's text is what is compared). */
async function upload(session: string, fields: Record<string, string>) {
  const res = await fetch(`${t.app.url}/v3/workspaces/oracle/sessions/${session}/messages/upload`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: uploadForm({ data: "hello", type: "text/plain" }, fields),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as unknown };
}

describe("Upload Messages' form fields as Honcho's parse_upload_form and models take them", () => {
  it("every oracle case", async () => {
    expect(cases.length).toBe(300);
    const wrong: unknown[] = [];
    for (const [i, c] of cases.entries()) {
      const session = `form-${i}`;
      const r = await upload(session, c.fields);
      if ("refused" in c.expect) {
        if (r.status !== 422) wrong.push({ fields: c.fields, want: "422", got: r.status, text: r.text });
        continue;
      }
      const got = r.status === 201 ? { metadata: fieldText(r.text, "metadata"), created_at: (r.json as { created_at: string }[])[0]!.created_at } : { status: r.status, text: r.text };
      // no created_at given: the database's now(), in UTC
      const want = { metadata: c.expect.metadata, created_at: c.expect.created_at ?? (got as { created_at?: string }).created_at };
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ fields: c.fields, want: c.expect, got });
    }
    expect(wrong).toEqual([]);
    // both kinds are there, and answers JavaScript alone would write otherwise
    expect(cases.filter((c) => "refused" in c.expect).length).toBeGreaterThan(50);
    expect(cases.filter((c) => "metadata" in c.expect && /[+-]\d\d:\d\d$|T\d\d:\d\d:\d\d(\.\d+)?$/.test(c.expect.created_at ?? "")).length).toBeGreaterThan(20);
  });
});
