// The bodies of every JSON route but Create Messages (which has its own
// oracle), validated as Honcho validates them: each case of
// test/oracle/body-cases.json (random bodies run through Honcho's own
// pydantic models by test/oracle/bodies.py) sent over real HTTP. A body
// pydantic refuses must get FastAPI's 422, byte for byte; one it takes must
// get past validation (no 5xx, no list of validation errors).
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";
import { rest, type Answer } from "../support/rest.js";

interface Case {
  name: string;
  method: string;
  path: string;
  raw: string;
  expect: { status: 422; body: string } | { status: "ok" };
}

const cases = JSON.parse(fs.readFileSync(new URL("../oracle/body-cases.json", import.meta.url), "utf8")) as Case[];
const routes = [...new Set(cases.map((c) => c.name.replace(/_\d+$/, "")))];

const t = useTestApp();
const at: Record<string, string> = { w: "acme", s: "s1", p: "alice", m: "" };

const send = (c: Case) => rest(t.app.url, c.method, c.path.replace(/\{(\w)\}/g, (_all, k: string) => encodeURIComponent(at[k]!)), c.raw);

/** Past validation: anything but a 5xx or FastAPI's list of errors (Honcho's own checks answer a sentence). */
function pastValidation(answer: Answer): boolean {
  if (answer.status >= 500) return false;
  return answer.status !== 422 || !Array.isArray((answer.json as { detail: unknown }).detail);
}

beforeAll(async () => {
  const made = await rest(t.app.url, "POST", "/v3/workspaces/acme/sessions/s1/messages", { messages: [{ content: "seed", peer_id: "alice" }] });
  expect(made.status).toBe(201);
  at.m = (made.json as { id: string }[])[0]!.id;
});

describe("request bodies as Honcho's pydantic models take them", () => {
  it("has cases for every route, refused and taken", () => {
    expect(routes.length).toBe(17);
    for (const route of routes) {
      const mine = cases.filter((c) => c.name.startsWith(`${route}_`));
      expect(mine.some((c) => c.expect.status === 422), route).toBe(true);
      expect(mine.some((c) => c.expect.status === "ok"), route).toBe(true);
    }
  });

  for (const route of routes) {
    it(route, async () => {
      const wrong: unknown[] = [];
      for (const c of cases.filter((x) => x.name.startsWith(`${route}_`))) {
        const got = await send(c);
        const ok = c.expect.status === 422 ? got.status === 422 && got.text === c.expect.body : pastValidation(got);
        if (!ok) wrong.push({ name: c.name, raw: c.raw, want: c.expect, got: { status: got.status, text: got.text } });
      }
      expect(wrong).toEqual([]);
    });
  }
});
