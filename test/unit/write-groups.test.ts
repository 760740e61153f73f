// The group-commit scheduler on its own: who shares a call, and when a slot
// is given back. (group-commit.test.ts checks the same against PostgreSQL.)
import { describe, expect, it } from "vitest";
import { createGrouper, type GroupResult } from "../../src/store/write-groups.js";

type Call = { kind: "alone" | "group"; batches: string[]; done: (fail?: boolean) => void };

// a batch named "big:N" holds N messages; any other, one
function harness(slots: number, { failing = [] as string[], queueDeadlineMs = 60_000, minMessagesWhileBusy = 1, maxWaitWhileBusyMs = 60_000 } = {}) {
  const calls: Call[] = [];
  const deferred = <T,>(kind: Call["kind"], batches: string[], value: (fail: boolean) => T) =>
    new Promise<T>((resolve, reject) => calls.push({ kind, batches, done: (fail = false) => (fail ? reject(new Error(`${batches} failed`)) : resolve(value(fail))) }));
  const grouper = createGrouper<string, string>(
    { slots, maxBatches: 64, maxMessages: 400, maxChars: 1 << 20, queueDeadlineMs, minMessagesWhileBusy, maxWaitWhileBusyMs, sizeOf: (b) => ({ messages: Number(/^big:(\d+)$/.exec(b)?.[1] ?? 1), chars: 1 }) },
    (batches) => deferred("group", batches, () => batches.map((b): GroupResult<string> => (failing.includes(b) ? { ok: false } : { ok: true, outcome: `${b} in a group` }))),
    (batch) => deferred("alone", [batch], () => `${batch} alone`),
  );
  return { calls, grouper };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("createGrouper", () => {
  it("writes a lone batch at once, and the ones that arrive meanwhile together", async () => {
    const { calls, grouper } = harness(1);
    const a = grouper.write("a");
    const b = grouper.write("b");
    const c = grouper.write("c");
    expect(calls.map((x) => [x.kind, x.batches])).toEqual([["alone", ["a"]]]);
    calls[0]!.done();
    await settle();
    expect(calls.map((x) => [x.kind, x.batches])).toEqual([["alone", ["a"]], ["group", ["b", "c"]]]);
    calls[1]!.done();
    expect(await Promise.all([a, b, c])).toEqual(["a alone", "b in a group", "c in a group"]);
  });

  it("sends the next group before it answers the requests of the last one", async () => {
    const { calls, grouper } = harness(1);
    const seenWhenAnswered: number[] = [];
    const a = grouper.write("a").then((o) => (seenWhenAnswered.push(calls.length), o));
    const b = grouper.write("b").then((o) => (seenWhenAnswered.push(calls.length), o));
    const c = grouper.write("c").then((o) => (seenWhenAnswered.push(calls.length), o));
    calls[0]!.done(); // a's answer: b and c go out before a hears back
    await settle();
    expect(seenWhenAnswered).toEqual([2]);
    const d = grouper.write("d");
    const e = grouper.write("e");
    calls[1]!.done(); // b and c's answer: d and e go out first
    await Promise.all([a, b, c]);
    expect(seenWhenAnswered).toEqual([2, 3, 3]);
    expect(calls[2]!.batches).toEqual(["d", "e"]);
    calls[2]!.done();
    expect(await Promise.all([d, e])).toEqual(["d in a group", "e in a group"]);
  });

  it("keeps the slot while a batch that failed in its group is written again alone", async () => {
    const { calls, grouper } = harness(1, { failing: ["c"] });
    const a = grouper.write("a");
    const b = grouper.write("b");
    const c = grouper.write("c");
    calls[0]!.done();
    await settle();
    const d = grouper.write("d");
    calls[1]!.done(); // b stored, c to be written again alone
    await settle();
    expect(calls.map((x) => [x.kind, x.batches])).toEqual([["alone", ["a"]], ["group", ["b", "c"]], ["alone", ["c"]]]);
    expect(await b).toBe("b in a group");
    calls[2]!.done(); // only now does d get the slot
    await settle();
    expect(calls[3]).toMatchObject({ kind: "alone", batches: ["d"] });
    calls[3]!.done();
    expect(await Promise.all([a, c, d])).toEqual(["a alone", "c alone", "d alone"]);
    await settle();
    expect(grouper.inFlight()).toBe(0);
  });

  it("writes every batch of a group that failed as a whole alone, and frees the slot after an error", async () => {
    const { calls, grouper } = harness(1);
    const a = grouper.write("a");
    const b = grouper.write("b");
    const c = grouper.write("c");
    calls[0]!.done(true);
    await expect(a).rejects.toThrow("a failed");
    await settle();
    calls[1]!.done(true); // the group call fails: b and c alone
    await settle();
    expect(calls.slice(2).map((x) => [x.kind, x.batches])).toEqual([["alone", ["b"]], ["alone", ["c"]]]);
    calls[2]!.done();
    calls[3]!.done(true);
    expect(await b).toBe("b alone");
    await expect(c).rejects.toThrow("c failed");
    expect(grouper.inFlight()).toBe(0);
  });

  it("starts a group beside one in flight only once enough messages wait, else when a write ends", async () => {
    const { calls, grouper } = harness(2, { minMessagesWhileBusy: 3 });
    const shape = () => calls.map((x) => [x.kind, x.batches]);
    const a = grouper.write("a"); // nothing in flight: at once
    const b = grouper.write("b");
    const c = grouper.write("c");
    expect(shape()).toEqual([["alone", ["a"]]]); // a slot is free, but two messages are not enough
    const d = grouper.write("d");
    expect(shape()).toEqual([["alone", ["a"]], ["group", ["b", "c", "d"]]]); // three are
    const e = grouper.write("e");
    calls[0]!.done(); // a's end: b, c and d are still in flight, and e alone is not enough
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.done(); // nothing in flight: e goes
    await settle();
    expect(shape()).toEqual([["alone", ["a"]], ["group", ["b", "c", "d"]], ["alone", ["e"]]]);
    calls[2]!.done();
    expect(await Promise.all([a, b, c, d, e])).toEqual(["a alone", "b in a group", "c in a group", "d in a group", "e alone"]);
  });

  it("starts a batch as big as the minimum beside a group in flight at once, and counts the messages that left the queue", async () => {
    const { calls, grouper } = harness(3, { minMessagesWhileBusy: 3 });
    const a = grouper.write("a");
    const big = grouper.write("big:3");
    expect(calls.map((x) => [x.kind, x.batches])).toEqual([["alone", ["a"]], ["alone", ["big:3"]]]);
    const b = grouper.write("b"); // the three messages of big:3 no longer count as waiting
    expect(calls).toHaveLength(2);
    calls[0]!.done();
    calls[1]!.done();
    await settle();
    expect(calls[2]).toMatchObject({ kind: "alone", batches: ["b"] });
    calls[2]!.done();
    expect(await Promise.all([a, big, b])).toEqual(["a alone", "big:3 alone", "b alone"]);
  });

  it("starts a write beside a group in flight once it has waited long enough, company or not", async () => {
    const { calls, grouper } = harness(2, { minMessagesWhileBusy: 3, maxWaitWhileBusyMs: 100 });
    const a = grouper.write("a");
    const started = performance.now();
    const b = grouper.write("b");
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(1); // a is still in flight: b waits on
    while (calls.length < 2 && performance.now() - started < 1000) await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(calls[1]).toMatchObject({ kind: "alone", batches: ["b"] });
    calls[0]!.done();
    calls[1]!.done();
    expect(await Promise.all([a, b])).toEqual(["a alone", "b alone"]);
  });

  it("counts the time batches wait for a slot, and none for a batch that finds one free", async () => {
    const { calls, grouper } = harness(1);
    const a = grouper.write("a");
    expect(grouper.waitedMs()).toBeLessThan(5); // a went at once
    const b = grouper.write("b");
    const c = grouper.write("c");
    await new Promise((r) => setTimeout(r, 60));
    calls[0]!.done(); // b and c have waited ~60 ms each
    await settle();
    const waited = grouper.waitedMs();
    expect(waited).toBeGreaterThanOrEqual(2 * 55);
    expect(waited).toBeLessThan(2 * 60 + 1000);
    calls[1]!.done();
    await Promise.all([a, b, c]);
    expect(grouper.waitedMs()).toBe(waited);
  });

  it("fails a write that waited past the deadline as a cancelled statement, counts its wait, and writes the fresh ones", async () => {
    const { calls, grouper } = harness(1, { queueDeadlineMs: 200 });
    const a = grouper.write("a");
    const stale = grouper.write("stale");
    const staleOutcome = stale.then(
      () => "written",
      (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const fresh = grouper.write("fresh");
    calls[0]!.done();
    await settle();
    expect(await staleOutcome).toBe("57014: waited too long for a turn to write");
    expect(calls.map((x) => [x.kind, x.batches])).toEqual([["alone", ["a"]], ["alone", ["fresh"]]]);
    expect(grouper.waitedMs()).toBeGreaterThanOrEqual(295);
    calls[1]!.done();
    expect(await Promise.all([a, fresh])).toEqual(["a alone", "fresh alone"]);
  });
});
