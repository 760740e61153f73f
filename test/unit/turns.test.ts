// nextTurn (src/transport/turns.ts) lets one waiting step run per event-loop
// iteration, and BIG_BODY_BYTES decides which requests' parses wait: a
// batch of 100 short messages does, a single message does not.
import { describe, expect, it } from "vitest";
import { nextTurn, BIG_BODY_BYTES } from "../../src/transport/turns.js";
import { lorem } from "../support/token-corpus.js";

describe("nextTurn", () => {
  it("runs one waiter per event-loop iteration, first come first served, with other work between", async () => {
    const order: string[] = [];
    let iterations = 0;
    // one tick per iteration: a setImmediate scheduled while the check phase runs waits for the next one
    const tick = () => {
      order.push("tick");
      if (++iterations < 12) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all([1, 2, 3, 4, 5].map((i) => nextTurn().then(() => order.push(`turn ${i}`))));
    const turns = order.filter((e) => e.startsWith("turn"));
    expect(turns).toEqual(["turn 1", "turn 2", "turn 3", "turn 4", "turn 5"]);
    // no two turns in one iteration: each pair of turns has a tick between
    for (let i = 1; i < order.length; i++) expect(order[i - 1]!.startsWith("turn") && order[i]!.startsWith("turn"), order.join(", ")).toBe(false);
  });

  it("lets a timer fire while steps wait their turns", async () => {
    let fired = false;
    const seen: boolean[] = [];
    // each step holds the thread 0.2 ms, as a parse does: 20 of them back to
    // back (in one iteration) would keep the first step's 1 ms timer out until all were done
    const step = (i: number) => {
      if (i === 0) setTimeout(() => (fired = true), 0);
      seen.push(fired);
      for (const end = performance.now() + 0.2; performance.now() < end; );
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => nextTurn().then(() => step(i))));
    expect(seen[0]).toBe(false);
    expect(seen.at(-1)).toBe(true);
  });
});

describe("BIG_BODY_BYTES", () => {
  const body = (count: number, length: number) =>
    Buffer.byteLength(JSON.stringify({ messages: Array.from({ length: count }, (_, i) => ({ content: lorem(i, length), peer_id: "alice" })) }));

  it("sends a batch of 100 short messages through turns, a single message straight through", () => {
    expect(body(100, 250)).toBeGreaterThan(BIG_BODY_BYTES);
    expect(body(1, 250)).toBeLessThan(BIG_BODY_BYTES / 10);
    expect(body(20, 250)).toBeLessThan(BIG_BODY_BYTES); // the benchmark mix's batches of 20
  });
});
