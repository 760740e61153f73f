// fastapi-pagination's Page, the answer of every /list route:
// {items, total, page, size, pages}, pages = ceil(total / size) (0 when
// there are no rows); a page past the end has no items and the real total.
import type { PageQuery } from "../domain/validation/paging.js";

export interface PageShape<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

// No table holds 2^53 rows: a page that starts further on is past the end.
// Clamped, the OFFSET stays a bigint PostgreSQL takes (page=99999999999999999999
// is a valid page query, and was a 500).
const PAST_EVERY_ROW = Number.MAX_SAFE_INTEGER;

/** The rows to skip for a page. */
export const offsetOf = (q: PageQuery): number => Math.min((q.page - 1) * q.size, PAST_EVERY_ROW);

export function pageOf<R, T>(rows: R[], total: number, q: PageQuery, item: (row: R) => T): PageShape<T> {
  return { items: rows.map(item), total, page: q.page, size: q.size, pages: Math.ceil(total / q.size) };
}
