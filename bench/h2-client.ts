// A minimal HTTP/2 client connection (RFC 9113, cleartext, prior knowledge)
// for the load generator's gRPC calls, in the manner of h2load: frames
// written and read by hand, flow control kept, the answer's header fields
// decoded (hpack-decoder.ts) and its body counted, not kept. node:http2's
// client cost 0.36–0.45 ms of CPU per single-message call, about four times
// the HTTP/1.1 client's, and on a 2-core machine that CPU is taken from the
// service it measures.
import net from "node:net";
import { HpackDecoder } from "./hpack-decoder.js";

const DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const MAX_WINDOW = 2 ** 31 - 1;
const DEFAULT_WINDOW = 65_535;

/** every header field of the answer, its trailers included, in order */
export type H2Answer = [string, string][];

interface Stream {
  id: number;
  fields: H2Answer;
  body: Buffer;
  sent: number;
  window: number;
  resolve(a: H2Answer): void;
  reject(e: Error): void;
}

function frameHead(type: number, flags: number, stream: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(9);
  h.writeUIntBE(length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return h;
}

const frame = (type: number, flags: number, stream: number, payload: Buffer) => Buffer.concat([frameHead(type, flags, stream, payload.length), payload]);
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

/** an HPACK integer with an n-bit prefix (the first byte's high bits set from `first`) */
function hpackInt(first: number, prefixBits: number, value: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  for (value -= max; value >= 128; value = Math.floor(value / 128)) out.push((value % 128) | 128);
  out.push(value);
  return out;
}

/** a header block of literals that touch no table: each field by its static name index, or by name */
export function encodeHeaderBlock(fields: [number | string, string][]): Buffer {
  const bytes: number[] = [];
  const str = (s: string) => bytes.push(...hpackInt(0, 7, s.length), ...Buffer.from(s, "latin1"));
  for (const [name, value] of fields) {
    if (typeof name === "number") bytes.push(...hpackInt(0, 4, name));
    else {
      bytes.push(0);
      str(name);
    }
    str(value);
  }
  return Buffer.from(bytes);
}

export class H2Connection {
  private readonly socket: net.Socket;
  private readonly decoder = new HpackDecoder();
  private readonly streams = new Map<number, Stream>();
  private blocked: Stream[] = [];
  private nextId = 1;
  private sendWindow = DEFAULT_WINDOW; // the connection's, towards the server
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = 16_384;
  private unacknowledged = 0; // DATA received since our last connection WINDOW_UPDATE
  private pending: Buffer | undefined;
  private headerBlock: { stream: number; parts: Buffer[]; endStream: boolean } | undefined;
  private failed: Error | undefined;

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    // no server push; each stream's window and the connection's as large as they go: answers are counted, never held back
    const settings = Buffer.concat([Buffer.from([0, 2]), u32(0), Buffer.from([0, 4]), u32(MAX_WINDOW)]);
    this.socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, settings), frame(WINDOW_UPDATE, 0, 0, u32(MAX_WINDOW - DEFAULT_WINDOW))]));
    this.socket.on("data", (chunk: Buffer) => {
      try {
        this.read(chunk);
      } catch (e) {
        this.fail(e as Error);
      }
    });
    this.socket.on("error", (e) => this.fail(e));
    this.socket.on("close", () => this.fail(new Error("connection closed")));
  }

  /** one request: a header block (encodeHeaderBlock) and a body; resolves with the answer's header fields once the stream has ended */
  request(headerBlock: Buffer, body: Buffer): Promise<H2Answer> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId;
    this.nextId += 2;
    return new Promise((resolve, reject) => {
      const s: Stream = { id, fields: [], body, sent: 0, window: this.peerInitialWindow, resolve, reject };
      this.streams.set(id, s);
      this.socket.cork();
      this.socket.write(frame(HEADERS, END_HEADERS | (body.length === 0 ? END_STREAM : 0), id, headerBlock));
      this.send(s);
      this.socket.uncork();
    });
  }

  close() {
    this.socket.destroy();
  }

  /** as much of the stream's body as both windows allow */
  private send(s: Stream) {
    while (s.sent < s.body.length) {
      const n = Math.min(s.body.length - s.sent, this.peerMaxFrame, s.window, this.sendWindow);
      if (n <= 0) {
        if (!this.blocked.includes(s)) this.blocked.push(s);
        return;
      }
      const last = s.sent + n === s.body.length;
      this.socket.write(frameHead(DATA, last ? END_STREAM : 0, s.id, n));
      this.socket.write(s.body.subarray(s.sent, s.sent + n));
      s.sent += n;
      s.window -= n;
      this.sendWindow -= n;
    }
  }

  private unblock() {
    const waiting = this.blocked;
    this.blocked = [];
    this.socket.cork();
    for (const s of waiting) if (this.streams.has(s.id)) this.send(s);
    this.socket.uncork();
  }

  private read(chunk: Buffer) {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    while (data.length >= 9) {
      const length = data.readUIntBE(0, 3);
      if (data.length < 9 + length) break;
      this.frame(data[3]!, data[4]!, data.readUInt32BE(5) & 0x7fffffff, data.subarray(9, 9 + length));
      data = data.subarray(9 + length);
    }
    this.pending = data.length > 0 ? data : undefined;
  }

  private frame(type: number, flags: number, id: number, payload: Buffer) {
    if (this.headerBlock && type !== CONTINUATION) throw new Error("HTTP/2: a header block left unfinished");
    switch (type) {
      case DATA: {
        this.unacknowledged += payload.length;
        if (this.unacknowledged >= 1 << 24) {
          this.socket.write(frame(WINDOW_UPDATE, 0, 0, u32(this.unacknowledged)));
          this.unacknowledged = 0;
        }
        if (flags & END_STREAM) this.end(id);
        return;
      }
      case HEADERS: {
        let start = 0;
        let end = payload.length;
        if (flags & PADDED) {
          end -= payload[0]!;
          start = 1;
        }
        if (flags & PRIORITY) start += 5;
        this.headerBlock = { stream: id, parts: [payload.subarray(start, end)], endStream: (flags & END_STREAM) !== 0 };
        if (flags & END_HEADERS) this.headersDone();
        return;
      }
      case CONTINUATION: {
        if (!this.headerBlock || this.headerBlock.stream !== id) throw new Error("HTTP/2: CONTINUATION out of place");
        this.headerBlock.parts.push(payload);
        if (flags & END_HEADERS) this.headersDone();
        return;
      }
      case SETTINGS: {
        if (flags & ACK) return;
        for (let at = 0; at + 6 <= payload.length; at += 6) {
          const value = payload.readUInt32BE(at + 2);
          const setting = payload.readUInt16BE(at);
          if (setting === 4) {
            for (const s of this.streams.values()) s.window += value - this.peerInitialWindow;
            this.peerInitialWindow = value;
          } else if (setting === 5) this.peerMaxFrame = value;
        }
        this.socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
        this.unblock();
        return;
      }
      case WINDOW_UPDATE: {
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) this.sendWindow += increment;
        else {
          const s = this.streams.get(id);
          if (s) s.window += increment;
        }
        this.unblock();
        return;
      }
      case PING:
        if (!(flags & ACK)) this.socket.write(frame(PING, ACK, 0, payload));
        return;
      case RST_STREAM: {
        const s = this.streams.get(id);
        this.streams.delete(id);
        s?.reject(new Error(`HTTP/2: stream reset, code ${payload.readUInt32BE(0)}`));
        return;
      }
      case GOAWAY:
        throw new Error(`HTTP/2: GOAWAY, code ${payload.readUInt32BE(4)}`);
      case PUSH_PROMISE:
        throw new Error("HTTP/2: a push, which the client's settings refused");
      default:
        return; // PRIORITY and unknown frames mean nothing here
    }
  }

  private headersDone() {
    const { stream, parts, endStream } = this.headerBlock!;
    this.headerBlock = undefined;
    // every block is decoded, whosever it is: the dynamic table is the connection's
    const fields = this.decoder.decode(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    this.streams.get(stream)?.fields.push(...fields);
    if (endStream) this.end(stream);
  }

  private end(id: number) {
    const s = this.streams.get(id);
    if (!s) return;
    this.streams.delete(id);
    s.resolve(s.fields);
  }

  private fail(e: Error) {
    this.failed ??= e;
    for (const s of this.streams.values()) s.reject(e);
    this.streams.clear();
    this.socket.destroy();
  }
}
