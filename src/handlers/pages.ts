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

/** The rows to skip for a page. */
export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.size;

export function pageOf<R, T>(rows: R[], total: number, q: PageQuery, item: (row: R) => T): PageShape<T> {
  return { items: rows.map(item), total, page: q.page, size: q.size, pages: Math.ceil(total / q.size) };
}
