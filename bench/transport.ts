// npm run bench:transport: what the port alone costs a call over REST
// (HTTP/1.1) and over gRPC (node:http2), with no service behind it
// (bench/bare-service.ts), driven by the benchmark's own load generator and
// clients. Rounds alternate the order of the two protocols, as `bench:ab`
// does. Prints, for each concurrency, calls a second, the bare port's and the
// client's CPU per call, and gRPC's rate against REST's round by round
// (median and range): the floor under gRPC's gap to REST in `npm run bench`.
//
//   TRANSPORT_CONCURRENCY=1,16 TRANSPORT_ROUNDS=6 TRANSPORT_SECONDS=4 npm run bench:transport
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { LoadResult, LoadSpec } from "./load.js";
import { child, median, ROOT } from "./processes.js";
import { cpuMsOf } from "./proc-stats.js";

const CONCURRENCY = (process.env.TRANSPORT_CONCURRENCY ?? "1,16").split(",").map(Number);
const ROUNDS = Number(process.env.TRANSPORT_ROUNDS ?? 6);
const SECONDS = Number(process.env.TRANSPORT_SECONDS ?? 4);
// the service's answers to one message of 250 characters, in bytes: REST's JSON (measured), gRPC's protobuf (about)
const ANSWER = { restBytes: 426, grpcBytes: 320 };
const PROTOCOLS = ["rest", "grpc"] as const;
type Sample = { rate: number; serverUs: number; clientUs: number };

const bare = spawn(process.execPath, ["--import", "tsx", "bench/bare-service.ts", JSON.stringify(ANSWER)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
try {
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: bare.stdout! }).once("line", resolve);
    bare.once("exit", (code) => reject(new Error(`bare-service.ts exited (${code})`)));
  });
  const url = `http://127.0.0.1:${(JSON.parse(first) as { port: number }).port}`;
  const rows: Record<string, string | number>[] = [];
  for (const concurrency of CONCURRENCY) {
    const spec = (protocol: LoadSpec["protocol"], seconds: number): LoadSpec => ({ protocol, url, concurrency, batch: 1, contentLength: 250, seconds, sessions: 1000, tag: "transport" });
    for (const p of PROTOCOLS) await child("bench/load.ts", spec(p, 1)); // warm-up
    const samples: Record<(typeof PROTOCOLS)[number], Sample[]> = { rest: [], grpc: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of r % 2 ? [...PROTOCOLS].reverse() : PROTOCOLS) {
        const cpu0 = cpuMsOf(bare.pid!);
        const load = await child<LoadResult>("bench/load.ts", spec(p, SECONDS));
        if (load.errors > 0) throw new Error(`${p}: ${load.errors} calls failed`);
        samples[p].push({ rate: load.requests / load.seconds, serverUs: ((cpuMsOf(bare.pid!) - cpu0) * 1000) / load.requests, clientUs: (load.cpuMs * 1000) / load.requests });
      }
    }
    const ratios = samples.grpc.map((s, i) => s.rate / samples.rest[i]!.rate);
    for (const p of PROTOCOLS) {
      const s = samples[p];
      rows.push({
        concurrency,
        protocol: p,
        "calls/s": Math.round(median(s.map((x) => x.rate))),
        "port CPU µs/call": Math.round(median(s.map((x) => x.serverUs))),
        "client CPU µs/call": Math.round(median(s.map((x) => x.clientUs))),
        "gRPC to REST": p === "grpc" ? `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : "",
      });
    }
    console.error(`done: ${concurrency} in flight`);
  }
  console.table(rows);
  console.log(JSON.stringify({ rounds: ROUNDS, seconds: SECONDS, answer: ANSWER, rows }));
} finally {
  bare.kill("SIGTERM");
}
