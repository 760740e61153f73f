// A bound on a query's whole life, waiting for a connection included: when
// PostgreSQL is down, queries would otherwise queue until it is back. A
// cancelled query that had not started never runs; one that had is cancelled
// in PostgreSQL (rolled back) unless it already committed, and then its
// result still counts.
import type { PendingQuery, Row } from "postgres";

export async function withDeadline<T extends readonly (object | undefined)[]>(query: PendingQuery<T & Row[]>, ms: number): Promise<T> {
  const timer = setTimeout(() => {
    Promise.resolve(query.cancel()).catch(() => {});
  }, ms);
  try {
    return (await query) as T;
  } finally {
    clearTimeout(timer);
  }
}
