// A bound on a query's whole life, waiting for a connection included: when
// PostgreSQL is down, queries would otherwise queue until it is back. A
// cancelled query that had not started never runs; one that had is cancelled
// in PostgreSQL (rolled back) unless it already committed, and then its
// result still counts.
//
// A query that has not settled GRACE_MS after its cancel is given up: its
// caller gets ETIMEDOUT (a 503) and never waits longer. postgres.js can leave
// a query unsettled for good when PostgreSQL goes away while the query
// starts (seen under load in the outage test: every request of two write
// groups waited until its client gave up). Its outcome is then unknown to
// the caller, as with any answer lost with its connection.
import type { PendingQuery, Row } from "postgres";

export const GRACE_MS = 1_000;

export async function withDeadline<T extends readonly (object | undefined)[]>(query: PendingQuery<T & Row[]>, ms: number): Promise<T> {
  let cancelling: NodeJS.Timeout | undefined;
  let givingUp: NodeJS.Timeout | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    cancelling = setTimeout(() => {
      Promise.resolve(query.cancel()).catch(() => {});
      givingUp = setTimeout(() => reject(Object.assign(new Error(`PostgreSQL did not answer within ${ms + GRACE_MS} ms`), { code: "ETIMEDOUT" })), GRACE_MS);
    }, ms);
  });
  try {
    return (await Promise.race([query, givenUp])) as T;
  } finally {
    clearTimeout(cancelling);
    clearTimeout(givingUp);
  }
}
