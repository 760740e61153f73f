// Group commit keeps every request's own outcome: with many requests written
// together in one transaction, a request that fails (its session inactive, a
// row PostgreSQL refuses) fails alone; every other request of its group is
// acknowledged and stored once, gapless. Groups are seen in PostgreSQL
// itself: messages without a created_at of their own get the transaction's
// now(), the same for a whole group.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../support/app.js";
import { startService, type ServiceProcess } from "../support/service-process.js";

let db: TestDb;
let svc: ServiceProcess;
beforeAll(async () => {
  db = await createTestDatabase();
  svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: "warn" });
});
afterAll(async () => {
  svc?.child.kill("SIGTERM");
  await svc?.exited;
  await db?.drop();
});

const post = async (session: string, content: string, peer = "alice") => {
  const res = await fetch(`${svc.url}/v3/workspaces/group/sessions/${session}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ content, peer_id: peer }, { content: `${content} (2)`, peer_id: "bob" }] }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe("group commit", () => {
  it("isolates a failing request from the others of its group", async () => {
    // a row PostgreSQL refuses (as an oversized one would be), and a session that is inactive
    await db.sql.unsafe(`
      CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content LIKE 'boom%' THEN RAISE EXCEPTION 'row refused' USING ERRCODE = '54000'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_boom BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
    expect((await post("closed", "before")).status).toBe(201);
    await db.sql`UPDATE sessions SET is_active = false WHERE name = 'closed'`;

    const sessions = Array.from({ length: 40 }, (_, i) => `s${i % 8}`);
    const outcomes: { kind: "ok" | "boom" | "closed"; session: string; status: number; body: unknown }[] = [];
    for (let round = 0; round < 6; round++) {
      const wave = await Promise.all([
        ...sessions.map(async (s, i) => ({ kind: "ok" as const, session: s, ...(await post(s, `r${round} m${i}`)) })),
        ...[0, 1, 2].map(async (i) => ({ kind: "boom" as const, session: `s${i}`, ...(await post(`s${i}`, `boom r${round} ${i}`)) })),
        ...[0, 1].map(async () => ({ kind: "closed" as const, session: "closed", ...(await post("closed", `late r${round}`)) })),
      ]);
      outcomes.push(...wave);
    }
    expect(outcomes.filter((o) => o.kind === "ok" && o.status !== 201)).toEqual([]);
    // written again alone, it gets its own error (a refused row is a server fault: 500)
    expect(new Set(outcomes.filter((o) => o.kind === "boom").map((o) => o.status))).toEqual(new Set([500]));
    expect(outcomes.filter((o) => o.kind === "closed").every((o) => o.status === 404)).toBe(true);

    // every acknowledged message stored once, each session gapless, nothing of the failed ones
    const ids = outcomes.filter((o) => o.status === 201).flatMap((o) => (o.body as { id: string }[]).map((m) => m.id));
    const rows = await db.sql<{ public_id: string; session_name: string; seq: number; content: string; tx: string }[]>`
      SELECT public_id, session_name, seq_in_session::int AS seq, content, created_at::text AS tx FROM messages WHERE workspace_name = 'group' AND session_name <> 'closed'`;
    expect(rows.map((r) => r.public_id).sort()).toEqual([...ids].sort());
    expect(rows.filter((r) => r.content.startsWith("boom"))).toEqual([]);
    for (let i = 0; i < 8; i++) {
      const seqs = rows.filter((r) => r.session_name === `s${i}`).map((r) => r.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    }
    // requests really were written together: transactions holding several requests' messages
    const perTx = new Map<string, number>();
    for (const r of rows) perTx.set(r.tx, (perTx.get(r.tx) ?? 0) + 1);
    const grouped = [...perTx.values()].filter((n) => n > 2).length;
    console.log(`group commit: ${rows.length} messages in ${perTx.size} transactions (${grouped} holding more than one request)`);
    expect(grouped).toBeGreaterThan(0);
    // and every message has its work, written with it (in its batch's own subtransaction)
    const orphans = await db.sql`SELECT 1 FROM messages m WHERE m.workspace_name = 'group' AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id AND q.xmin = m.xmin)`;
    expect(orphans).toHaveLength(0);
  });
});
