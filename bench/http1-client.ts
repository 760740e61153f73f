// A minimal HTTP/1.1 keep-alive connection for the load generator, in the
// manner of wrk: one request in flight, the request written in one piece,
// the answer read by its content-length (or chunk by chunk) and only its
// status kept. On a 2-core machine the client shares the cores with the
// service it measures; undici's full client cost 0.2–0.27 ms of CPU per
// single-message request, this one a fraction of that.
import net from "node:net";

const HEAD_END = Buffer.from("\r\n\r\n");

export class Http1Connection {
  private socket?: net.Socket;
  private chunks: Buffer[] = [];
  private received = 0; // bytes in chunks
  private expected: number | undefined; // the answer's whole length, once its head has told
  private waiting?: { resolve: (status: number) => void; reject: (e: Error) => void };

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** sends one request (`head` without its blank line) and resolves with the answer's status once all of it is read */
  request(head: string, body: Buffer): Promise<number> {
    if (this.waiting) return Promise.reject(new Error("one request at a time"));
    const socket = this.socket ?? this.connect();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.cork();
      socket.write(`${head}\r\ncontent-length: ${body.length}\r\n\r\n`, "latin1");
      socket.write(body);
      socket.uncork();
    });
  }

  close() {
    this.socket?.destroy();
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on("data", (chunk: Buffer) => this.read(chunk));
    const fail = (e: Error) => {
      if (this.socket === socket) this.socket = undefined;
      this.chunks = [];
      this.received = 0;
      this.expected = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(e);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
    this.socket = socket;
    return socket;
  }

  private read(chunk: Buffer) {
    this.chunks.push(chunk);
    this.received += chunk.length;
    // a long body is only counted until all of it is here, not joined chunk by chunk
    if (this.expected !== undefined && this.received < this.expected) return;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks);
    let answer: ReturnType<typeof complete>;
    try {
      answer = complete(data);
    } catch (e) {
      return this.socket?.destroy(e as Error);
    }
    if (!("status" in answer)) {
      this.chunks = [data];
      this.expected = answer.expected;
      return;
    }
    if (answer.length !== data.length) return this.socket?.destroy(new Error("bytes after the answer"));
    this.chunks = [];
    this.received = 0;
    this.expected = undefined;
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve(answer.status);
  }
}

/** the status and length of the complete answer at the start of `data`; else the whole length when the head has told it */
function complete(data: Buffer): { status: number; length: number } | { expected?: number } {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return {};
  const head = data.toString("latin1", 0, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const bodyStart = headEnd + HEAD_END.length;
  const declared = /\r\ncontent-length: *(\d+)/.exec(head);
  if (declared) {
    const length = bodyStart + Number(declared[1]);
    return data.length >= length ? { status, length } : { expected: length };
  }
  if (!/\r\ntransfer-encoding: *chunked/.test(head)) throw new Error(`an answer with neither content-length nor chunks: ${head.split("\r\n")[0]}`);
  // chunked: size line, data, CRLF; the last chunk has size 0 (no trailers expected)
  let at = bodyStart;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) return {};
    const size = parseInt(data.toString("latin1", at, lineEnd), 16);
    at = lineEnd + 2 + size + 2;
    if (data.length < at) return {};
    if (size === 0) return { status, length: at };
  }
}
