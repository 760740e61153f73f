// Every conformance case (test/data, a copy of ../shared) over REST against
// the running service: 422 details exactly (byte for byte), 201s with the same content,
// peer_id, metadata, token_count and created_at instant, stored in PostgreSQL.
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { loadConformance } from "../support/conformance.js";
import { pythonJson } from "../../src/json/exact-numbers.js";

const t = useTestApp();

const cases = loadConformance();

describe("conformance: 201 cases", () => {
  it.each(cases.filter((c) => c.expect.status === 201).map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const session = `${c.session_id}-${c.name}`.slice(0, 512);
    const before = Date.now();
    const res = await postMessages(t.app.url, c.workspace_id, session, c.raw ?? c.body);
    expect(res.status, res.text.slice(0, 500)).toBe(201);
    const got = res.json as Record<string, unknown>[];
    expect(got).toHaveLength(c.expect.messages!.length);
    got.forEach((m, i) => {
      const want = c.expect.messages![i]!;
      expect(m.content).toBe(want.content);
      expect(m.peer_id).toBe(want.peer_id);
      expect(m.workspace_id).toBe(want.workspace_id);
      expect(m.session_id).toBe(session);
      expect(m.metadata).toEqual(want.metadata);
      expect(m.token_count).toBe(want.token_count);
      const at = new Date(m.created_at as string).getTime();
      if (want.created_at) expect(at).toBe(new Date(want.created_at as string).getTime());
      else expect(Math.abs(at - before)).toBeLessThan(60_000);
    });
    const rows = await t.db.sql`
      SELECT public_id, content, peer_name, metadata, token_count, created_at FROM messages
      WHERE workspace_name = ${c.workspace_id} AND session_name = ${session} ORDER BY seq_in_session`;
    expect(rows.map((r) => [r.public_id, r.content, r.peer_name, r.metadata, r.token_count])).toEqual(
      got.map((m) => [m.id, m.content, m.peer_id, m.metadata, m.token_count]),
    );
  });
});

describe("conformance: 422 cases", () => {
  it.each(cases.filter((c) => c.expect.status === 422).map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await postMessages(t.app.url, c.workspace_id, c.session_id, c.raw ?? pythonJson(c.body));
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ detail: c.expect.detail });
    // byte for byte as FastAPI renders it (compact, non-ASCII as is, Python's numbers)
    expect(res.text).toBe(`{"detail":${pythonJson(c.expect.detail)}}`);
    const stored = await t.db.sql`SELECT count(*)::int AS n FROM messages WHERE session_name = ${c.session_id}`;
    expect(stored[0]!.n).toBe(0);
  });
});
