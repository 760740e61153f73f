// The array parameters of the write statements (text[] and int[]), sent
// without postgres.js's look-up of array types.
//
// postgres.js learns how to send arrays from a query of its own on every new
// connection (pg_catalog.pg_type) and keeps what it learnt for the life of
// the pool. When that query fails (the connection lost under it, the
// statement cancelled: porsager/postgres#1192) it is not tried again on that
// connection, and a pool whose only connection it was cannot send an array
// until a new connection is opened. The write connections are one or two
// that never go idle (database.ts), so such a failure would stop every write.
// With these serializers the write connections make no such query
// (fetch_types: false) and have nothing to learn.
//
// The literal is the one postgres.js makes (its arraySerializer with the
// element types' serializers): every element quoted, backslashes and quotes
// escaped, null as null. test/e2e/array-types.test.ts compares the two.
import type postgres from "postgres";

const TEXT_ARRAY = 1009;
const INT4_ARRAY = 1007;

/** a one-dimensional array as a PostgreSQL array literal */
export function arrayLiteral(xs: readonly unknown[]): string {
  let out = "{";
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === undefined) throw new Error("Undefined values are not allowed"); // as postgres.js (no transform.undefined here)
    if (i > 0) out += ",";
    out += x === null ? "null" : `"${String(x).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  }
  return `${out}}`;
}

const serialize = (x: unknown) => (Array.isArray(x) ? arrayLiteral(x) : (x as string));

/** postgres.js `types`: serializers for the write statements' array parameters, no parsers (no arrays come back) */
export const WRITE_ARRAY_TYPES = {
  textArray: { to: TEXT_ARRAY, from: [] as number[], serialize, parse: (x: string) => x },
  int4Array: { to: INT4_ARRAY, from: [] as number[], serialize, parse: (x: string) => x },
} satisfies Record<string, postgres.PostgresType>;
