// jsonInTurns (src/transport/turns.ts) writes what JSON.stringify writes,
// and lets the event loop run while it writes a big answer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonInTurns } from "../../src/transport/turns.js";

describe("jsonInTurns", () => {
  it("writes JSON.stringify's bytes for any JSON, and for objects whose members are lists", async () => {
    const member = fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue()), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), member), fc.array(fc.jsonValue())), async (value) => {
        expect((await jsonInTurns(value)).toString("utf8")).toBe(JSON.stringify(value));
      }),
      { numRuns: 1000 },
    );
  });

  it("lets timers run while it writes 2.5 MB", async () => {
    const answer = { messages: Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, content: "é".repeat(25_000) })), more: true };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const bytes = await jsonInTurns(answer);
      expect(bytes.toString("utf8")).toBe(JSON.stringify(answer));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(3); // 5 MB of UTF-8: about 20 turns of 256 KiB
  });
});
