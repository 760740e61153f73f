// A TCP proxy in front of PostgreSQL that counts round trips: each time the
// client speaks after the server has answered is one more turn.
import net from "node:net";

export interface CountingProxy {
  url: string;
  roundTrips(): number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  let turns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    let serverSpokeLast = true;
    client.on("data", (d) => {
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
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxied = new URL(targetUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    roundTrips: () => turns,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
