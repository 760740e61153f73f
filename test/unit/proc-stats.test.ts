// bench/proc-stats.ts's TCP counter, which bench:ab divides by requests: it
// must move with the segments this machine sends, loopback included.
import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { tcpSegmentsOut } from "../../bench/proc-stats.js";

describe("tcpSegmentsOut", () => {
  it("counts at least one segment per message sent and echoed one at a time", async () => {
    const server = net.createServer({ noDelay: true }, (s) => s.on("data", (d) => s.write(d)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const client = net.connect({ port: (server.address() as AddressInfo).port, host: "127.0.0.1", noDelay: true });
    await new Promise((r) => client.once("connect", r));
    const before = tcpSegmentsOut();
    const rounds = 50;
    for (let i = 0; i < rounds; i++) {
      await new Promise((r) => {
        client.once("data", r);
        client.write("ping");
      });
    }
    // each round is a segment each way (acknowledgements may ride along)
    expect(tcpSegmentsOut() - before).toBeGreaterThanOrEqual(2 * rounds);
    client.destroy();
    await new Promise((r) => server.close(r));
  });
});
