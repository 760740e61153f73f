// A TCP proxy in front of PostgreSQL. It counts round trips (each time the
// client speaks after the server has answered is one more turn), and can cut
// the database off and bring it back on the same address, as an outage would,
// or fail one statement as PostgreSQL would (an ErrorResponse, then ready).
import net from "node:net";
import { postgresTarget } from "../../src/store/connection-url.js";

export interface PgProxy {
  url: string;
  roundTrips(): number;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  /**
   * The next message containing `text` does not reach PostgreSQL: its sender
   * gets an error with `sqlstate` (as a cancelled statement gets 57014), then
   * ReadyForQuery, and the connection carries on.
   */
  failOnce(text: string, sqlstate: string): void;
  close(): Promise<void>;
}

export async function startPgProxy(targetUrl: string): Promise<PgProxy> {
  // host and port as the service reads them (a socket directory in the query, libpq's way)
  const { url: plainUrl, options } = postgresTarget(targetUrl);
  const target = new URL(plainUrl);
  const upstreamPort = options.port ?? Number(target.port || 5432);
  const upstreamHost = options.host ?? target.hostname;
  const connectUpstream = () => (upstreamHost.includes("/") ? net.connect(`${upstreamHost}/.s.PGSQL.${upstreamPort}`) : net.connect(upstreamPort, upstreamHost));
  let turns = 0;
  let failing: { text: Buffer; sqlstate: string } | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = connectUpstream();
    let serverSpokeLast = true;
    client.on("data", (d: Buffer) => {
      if (failing && d.includes(failing.text)) {
        client.write(errorThenReady(failing.sqlstate));
        failing = undefined;
        return;
      }
      if (serverSpokeLast) turns++;
      serverSpokeLast = false;
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      serverSpokeLast = true;
      client.write(d);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  const listen = (port: number) => new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const proxied = new URL(plainUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    roundTrips: () => turns,
    cut: stop,
    restore: () => listen(port),
    failOnce: (text, sqlstate) => (failing = { text: Buffer.from(text), sqlstate }),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

// ErrorResponse ('E': severity, code, message) and ReadyForQuery ('Z', idle).
function errorThenReady(sqlstate: string): Buffer {
  const fields = Buffer.from(`SERROR\0VERROR\0C${sqlstate}\0Mfailed by the test proxy\0\0`);
  const error = Buffer.alloc(5);
  error.write("E");
  error.writeUInt32BE(4 + fields.length, 1);
  return Buffer.concat([error, fields, Buffer.from([0x5a, 0, 0, 0, 5, 0x49])]);
}
