// DATABASE_URL as libpq reads it, for postgres.js. libpq (so psycopg, and
// the URIs Honcho is configured with) also takes the host and port from the
// query: `postgresql://honcho@/honcho?host=/var/run/postgresql` is the Unix
// socket in that directory, and `?host=` overrides the authority's host.
// postgres.js reads them from the authority only: it connected to
// localhost:5432 instead and would have sent `host` to the server as a
// setting. They are moved into postgres.js's options (a host with a slash is
// a socket directory there too).
import postgres, { type Sql } from "postgres";

export interface PostgresTarget {
  /** the URL without host and port in its query (and a placeholder host where it had none, for the URL parser) */
  url: string;
  /** postgres.js options that take their place */
  options: { host?: string; port?: number };
}

/** postgres.js on a libpq URL, host and port in its query read as libpq reads them */
export function connect(url: string, options: postgres.Options<Record<string, postgres.PostgresType>>): Sql {
  const target = postgresTarget(url);
  return postgres(target.url, { ...options, ...target.options });
}

export function postgresTarget(url: string): PostgresTarget {
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
  if (!m?.[4]) return { url, options: {} };
  const [, scheme, authority, path, search, hash = ""] = m;
  const query = new URLSearchParams(search!.slice(1));
  const host = query.get("host") ?? undefined;
  const port = query.get("port") ?? undefined;
  if (host === undefined && port === undefined) return { url, options: {} };
  if (port !== undefined && port !== "" && !/^\d{1,5}$/.test(port)) throw new Error(`DATABASE_URL: port=${port} is not a port number`);
  query.delete("host");
  query.delete("port");
  // userinfo, then host[:port]; an empty host is not a URL postgres.js can parse
  const at = authority!.lastIndexOf("@");
  const hostPart = authority!.slice(at + 1);
  const withHost = hostPart === "" || hostPart.startsWith(":") ? `${authority!.slice(0, at + 1)}localhost${hostPart}` : authority!;
  const rest = query.toString();
  return {
    url: `${scheme}${withHost}${path}${rest ? `?${rest}` : ""}${hash}`,
    options: { ...(host !== undefined && host !== "" ? { host } : {}), ...(port !== undefined && port !== "" ? { port: Number(port) } : {}) },
  };
}
