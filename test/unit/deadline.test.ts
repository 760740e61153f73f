// withDeadline: a query past its deadline is cancelled; its own answer still
// counts if it comes within the grace (a commit that beat the cancel); one
// that never comes is given up, so no caller waits past deadline + grace.
import type { PendingQuery, Row } from "postgres";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GRACE_MS, withDeadline } from "../../src/store/deadline.js";

type Rows = { n: number }[];
function query(settle?: (resolve: (rows: Rows) => void) => void) {
  let resolve!: (rows: Rows) => void;
  const p = new Promise<Rows>((r) => (resolve = r));
  const cancel = vi.fn(() => settle?.(resolve));
  return { q: Object.assign(p, { cancel }) as unknown as PendingQuery<Rows & Row[]>, cancel, resolve };
}

describe("withDeadline", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("answers as the query does before its deadline, cancelling nothing", async () => {
    const { q, cancel, resolve } = query();
    const r = withDeadline(q, 3_000);
    resolve([{ n: 1 }]);
    await expect(r).resolves.toEqual([{ n: 1 }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(cancel).not.toHaveBeenCalled();
  });

  it("cancels at the deadline, and a result that comes within the grace still counts", async () => {
    const { q, cancel, resolve } = query();
    const r = withDeadline(q, 3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(cancel).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    resolve([{ n: 2 }]);
    await expect(r).resolves.toEqual([{ n: 2 }]);
  });

  it("gives a query that never settles up at deadline + grace, as ETIMEDOUT (a 503)", async () => {
    const { q, cancel } = query();
    const r = withDeadline(q, 3_000);
    const seen = r.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(3_000 + GRACE_MS - 1);
    expect(cancel).toHaveBeenCalledTimes(1);
    let settled = false;
    void r.then(() => (settled = true), () => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const err = (await seen) as Error & { code: string };
    expect(err.code).toBe("ETIMEDOUT");
    expect(err.message).toBe(`PostgreSQL did not answer within ${3_000 + GRACE_MS} ms`);
  });
});
