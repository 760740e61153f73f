// DATABASE_URL's host and port in the query, as libpq reads them
// (src/store/connection-url.ts); test/e2e/database-url.test.ts connects through them.
import { describe, expect, it } from "vitest";
import { postgresTarget } from "../../src/store/connection-url.js";

describe("postgresTarget", () => {
  it("moves host and port out of the query into postgres.js's options", () => {
    expect(postgresTarget("postgresql://honcho@/honcho?host=/var/run/postgresql")).toEqual({ url: "postgresql://honcho@localhost/honcho", options: { host: "/var/run/postgresql" } });
    expect(postgresTarget("postgres://u:p%40ss@db.example:5433/x?sslmode=require&host=10.0.0.5&port=6432&application_name=a")).toEqual({
      url: "postgres://u:p%40ss@db.example:5433/x?sslmode=require&application_name=a",
      options: { host: "10.0.0.5", port: 6432 },
    });
    expect(postgresTarget("postgres://u@:5433/x?host=%2Ftmp%2Fsock")).toEqual({ url: "postgres://u@localhost:5433/x", options: { host: "/tmp/sock" } });
  });

  it("leaves every other URL as it is", () => {
    for (const url of ["postgres://u:p@h:1/d", "postgres://u@h/d?sslmode=disable", "postgresql://h/d#x", "postgres://a,b/d?target_session_attrs=read-write"]) {
      expect(postgresTarget(url)).toEqual({ url, options: {} });
    }
  });

  it("refuses a port that is not a number", () => {
    expect(() => postgresTarget("postgres://u@h/d?port=abc")).toThrow(/port=abc is not a port number/);
  });
});
