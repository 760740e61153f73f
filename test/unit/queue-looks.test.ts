// The floor below which a look through the queue may skip rows
// (src/store/queue-looks.ts): by example, and against a model of writers
// whose transactions overlap the looks, short and long, committed and not.
import { describe, expect, it } from "vitest";
import { type QueueLook, settledFloor } from "../../src/store/queue-looks.js";

const look = (maxId: number, xmin: number, xmax: number): QueueLook => ({ maxId: BigInt(maxId), xmin: BigInt(xmin), xmax: BigInt(xmax) });

describe("settledFloor", () => {
  it("reads the whole queue until two looks have been seen through", () => {
    expect(settledFloor([])).toEqual({ floor: 0n, keep: [] });
    expect(settledFloor([look(10, 5, 5)]).floor).toBe(0n);
  });

  it("rises to a look's highest id once a later look's xmin reaches the xmax of the look after it", () => {
    // nothing running at any look: the second look's xmax is reached at once
    const idle = [look(10, 100, 100), look(20, 101, 101)];
    expect(settledFloor(idle)).toEqual({ floor: 10n, keep: idle });
    // under load: look 2's xmax (205) is passed only by look 4's xmin
    const busy = [look(10, 100, 110), look(20, 104, 205), look(30, 190, 300), look(40, 210, 400)];
    expect(settledFloor(busy.slice(0, 3)).floor).toBe(0n);
    expect(settledFloor(busy)).toEqual({ floor: 10n, keep: busy });
    const later = [...busy, look(50, 305, 500)];
    expect(settledFloor(later)).toEqual({ floor: 20n, keep: later.slice(1) });
  });

  it("stays down while one long transaction runs", () => {
    // a transaction with xid 150 runs from before look 2 to after look 5
    const looks = [look(10, 100, 140), look(20, 150, 200), look(30, 150, 300), look(40, 150, 400), look(50, 150, 500)];
    expect(settledFloor(looks).floor).toBe(0n);
    expect(settledFloor([...looks, look(60, 501, 600)]).floor).toBe(40n);
  });

  it("never skips a row that commits, whatever the transactions do (a model)", () => {
    // Writers start at random ticks, draw an id and an xid at once (as one
    // INSERT does), and end after 0-40 ticks, committing or not; a look every
    // 3 ticks reads the committed rows above its floor. Every committed row
    // must be read by some look.
    for (let seed = 1; seed <= 300; seed++) {
      let rnd = seed;
      const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      let nextId = 1, nextXid = 1000;
      const txs: { id: number; xid: number; end: number; commits: boolean }[] = [];
      let looks: QueueLook[] = [];
      const seen = new Set<number>();
      for (let tick = 0; tick < 400; tick++) {
        for (let k = Math.floor(random() * 3); k > 0 && tick < 300; k--) {
          const long = random() < 0.05;
          txs.push({ id: nextId++, xid: nextXid++, end: tick + Math.floor(random() * (long ? 40 : 3)), commits: random() < 0.9 });
        }
        if (tick % 3 !== 0) continue;
        const committed = txs.filter((t) => t.commits && t.end < tick);
        const running = txs.filter((t) => t.end >= tick);
        const xmin = Math.min(nextXid, ...running.map((t) => t.xid));
        const { floor, keep } = settledFloor(looks);
        for (const t of committed) if (BigInt(t.id) > floor) seen.add(t.id);
        looks = [...keep, look(Math.max(0, ...committed.map((t) => t.id)), xmin, nextXid)];
      }
      const missed = txs.filter((t) => t.commits && !seen.has(t.id));
      expect(missed, `seed ${seed}`).toEqual([]);
    }
  });
});
