import { isAscii } from "node:buffer";

/**
 * The text of bytes that are all ASCII, else undefined (decode them as UTF-8).
 * For ASCII, latin1 and UTF-8 read the same; Node makes a big latin1 string
 * (past ~1 MB) outside V8's heap, on the Buffer's own memory, where a
 * TextDecoder's string takes fresh pages: for a 2.5 MB body, ~0.3 ms against
 * 9–11 ms of page faults on the benchmark's host (docs/performance.md).
 */
export function asciiText(bytes: Uint8Array): string | undefined {
  return isAscii(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1") : undefined;
}
