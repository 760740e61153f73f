// multipart/form-data as Honcho's stack reads it: python-multipart 0.0.27's
// MultipartParser (a byte-level state machine, ported here with the same
// strictness and the same leniency) under Starlette 1.0's MultiPartParser.
// What python-multipart refuses is a MultipartError (FastAPI answers 400
// "There was an error parsing the body"); what it lets through the same way:
// newlines and anything up to the first "-" before the first boundary, an
// epilogue after the last one, and a body that ends early (its unfinished
// part is dropped, no error). Header options are read as
// parse_options_header does (email.message's get_params).

export class MultipartError extends Error {}

export interface MultipartEvents {
  partBegin(): void;
  /** one header line of the part: its name (as sent) and value (leading spaces dropped) */
  header(name: Buffer, value: Buffer): void;
  headersDone(): void;
  data(bytes: Buffer): void;
  partEnd(): void;
  end(): void;
}

const MAX_BOUNDARY_LENGTH = 256;
const MAX_HEADER_COUNT = 8;
const MAX_HEADER_SIZE = 4096 + 128;
const CR = 0x0d;
const LF = 0x0a;
const HYPHEN = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;
// RFC 7230 token characters (python-multipart's TOKEN_CHARS)
const TOKEN = new Uint8Array(256);
for (const c of Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~", "latin1")) TOKEN[c] = 1;

type State = "start" | "headers" | "data" | "end";

export class MultipartParser {
  #state: State = "start";
  #buf: Buffer = Buffer.alloc(0);
  readonly #opening: Buffer; // "--" + boundary
  readonly #delimiter: Buffer; // "\r\n--" + boundary
  #headerCount = 0;

  constructor(
    boundary: Buffer,
    private readonly on: MultipartEvents,
  ) {
    if (boundary.length > MAX_BOUNDARY_LENGTH) throw new MultipartError(`Boundary length ${boundary.length} exceeds maximum of ${MAX_BOUNDARY_LENGTH}`);
    this.#opening = Buffer.concat([Buffer.from("--"), boundary]);
    this.#delimiter = Buffer.concat([Buffer.from("\r\n--"), boundary]);
  }

  write(chunk: Buffer): void {
    if (this.#state === "end") return; // the epilogue is dropped
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const before = this.#buf.length;
      const state: State = this.#state;
      if (state === "start") this.#start();
      else if (state === "headers") this.#headers();
      else if (state === "data") this.#data();
      else {
        this.#buf = Buffer.alloc(0);
        return;
      }
      // stop when a step could not move on without more bytes
      if (this.#state === state && this.#buf.length === before) return;
    }
  }

  // python-multipart's finalize checks nothing: an unfinished part is simply never reported
  finish(): void {}

  #start(): void {
    const b = this.#buf;
    if (b.length === 0) return;
    if (b[0] === CR || b[0] === LF) {
      // "Skip leading newlines": straight to the next "-" of what has come
      const dash = b.indexOf(HYPHEN);
      this.#buf = dash < 0 ? Buffer.alloc(0) : b.subarray(dash);
      return;
    }
    const n = this.#opening.length;
    for (let i = 0; i < Math.min(b.length, n); i++) if (b[i] !== this.#opening[i]) throw new MultipartError("Expected boundary character");
    if (b.length < n + 2) return;
    if (b[n] === HYPHEN) {
      if (b[n + 1] !== HYPHEN) throw new MultipartError("Did not find - at end of boundary");
      this.on.end();
      this.#state = "end";
      this.#buf = Buffer.alloc(0);
      return;
    }
    if (b[n] !== CR) throw new MultipartError("Did not find CR at end of boundary");
    if (b[n + 1] !== LF) throw new MultipartError("Did not find LF at end of boundary");
    this.#beginPart(b.subarray(n + 2));
  }

  #beginPart(rest: Buffer): void {
    this.on.partBegin();
    this.#headerCount = 0;
    this.#state = "headers";
    this.#buf = rest;
  }

  // One header line, or the empty line that ends the headers.
  #headers(): void {
    const b = this.#buf;
    if (b.length === 0) return;
    if (b[0] === CR) {
      if (b.length < 2) return;
      if (b[1] !== LF) throw new MultipartError("Did not find LF at end of headers");
      this.on.headersDone();
      this.#state = "data";
      this.#buf = b.subarray(2);
      return;
    }
    if (this.#headerCount + 1 > MAX_HEADER_COUNT) throw new MultipartError("Maximum header count exceeded");
    const colon = b.indexOf(COLON);
    const nameEnd = colon < 0 ? b.length : colon;
    for (let i = 0; i < nameEnd; i++) if (!TOKEN[b[i]!]) throw new MultipartError("Found invalid character in header");
    if (colon < 0) {
      if (b.length > MAX_HEADER_SIZE) throw new MultipartError("Maximum header size exceeded");
      return;
    }
    if (colon === 0) throw new MultipartError("Found 0-length header");
    let v = colon + 1;
    while (v < b.length && b[v] === SPACE) v++;
    const cr = b.indexOf(CR, v);
    if ((cr < 0 ? b.length : cr) > MAX_HEADER_SIZE) throw new MultipartError("Maximum header size exceeded");
    if (cr < 0 || cr + 1 >= b.length) return;
    if (b[cr + 1] !== LF) throw new MultipartError("Did not find LF character at end of header");
    this.#headerCount++;
    this.on.header(b.subarray(0, colon), b.subarray(v, cr));
    this.#buf = b.subarray(cr + 2);
  }

  // Part data up to the next delimiter that is followed by CRLF (another
  // part) or "--" (the last); any other occurrence is data.
  #data(): void {
    const b = this.#buf;
    const d = this.#delimiter;
    let from = 0;
    for (;;) {
      const k = b.indexOf(d, from);
      if (k < 0) {
        // keep what could be the start of a delimiter split across chunks
        const keep = Math.min(b.length, d.length + 1);
        const emit = b.length - keep;
        if (emit > 0) this.on.data(b.subarray(0, emit));
        this.#buf = b.subarray(emit);
        return;
      }
      const after = k + d.length;
      if (b.length < after + 2) {
        if (k > 0) this.on.data(b.subarray(0, k));
        this.#buf = b.subarray(k);
        return;
      }
      if (b[after] === CR && b[after + 1] === LF) {
        if (k > 0) this.on.data(b.subarray(0, k));
        this.on.partEnd();
        this.#beginPart(b.subarray(after + 2));
        return;
      }
      if (b[after] === HYPHEN && b[after + 1] === HYPHEN) {
        if (k > 0) this.on.data(b.subarray(0, k));
        this.on.partEnd();
        this.on.end();
        this.#state = "end";
        this.#buf = Buffer.alloc(0);
        return;
      }
      from = k + 1; // not a boundary: its bytes are data
    }
  }
}

/**
 * python-multipart 0.0.27's parse_options_header on a header value (decoded
 * as latin-1): the main value (lowercased and stripped only when there are
 * no parameters, as there) and the parameters by lowercased name, unquoted.
 */
export function parseOptionsHeader(value: string | null | undefined): [string, Map<string, string>] {
  const params = new Map<string, string>();
  if (!value) return ["", params];
  if (!value.includes(";")) return [pyStrip(value.toLowerCase()), params];
  const [main, ...rest] = emailParseParams(value);
  const encoded = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    const name = eq < 0 ? pyStrip(p) : pyStrip(p.slice(0, eq));
    let val = eq < 0 ? "" : unquote(pyStrip(p.slice(eq + 1)));
    // RFC 2231 (name*=charset'language'percent-encoded): email.utils.decode_params
    const ext = /^(\w+)\*$/.exec(name);
    if (ext) {
      const parts = val.split("'");
      const text = parts.length >= 3 ? parts.slice(2).join("'") : val;
      encoded.set(ext[1]!, Buffer.from(percentDecode(text)).toString("latin1"));
      continue;
    }
    if (name === "filename" && (val.slice(1, 3) === ":\\" || val.slice(0, 2) === "\\\\")) val = val.split("\\").pop()!;
    params.set(name, val);
  }
  for (const [k, v] of encoded) params.set(k, v);
  return [pyStrip(main ?? ""), params];
}

// email.message._parseparam: ";"-separated, a ";" inside quotes kept; names lowercased
function emailParseParams(header: string): string[] {
  let s = ";" + header;
  const out: string[] = [];
  while (s.startsWith(";")) {
    s = s.slice(1);
    let end = s.indexOf(";");
    while (end > 0 && (count(s, '"', end) - count(s, '\\"', end)) % 2) end = s.indexOf(";", end + 1);
    if (end < 0) end = s.length;
    let f = s.slice(0, end);
    const i = f.indexOf("=");
    if (i >= 0) f = pyStrip(f.slice(0, i)).toLowerCase() + "=" + pyStrip(f.slice(i + 1));
    out.push(pyStrip(f));
    s = s.slice(end);
  }
  return out;
}

function count(s: string, sub: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0 && i + sub.length <= end; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

// email.utils.unquote
function unquote(s: string): string {
  if (s.length > 1) {
    if (s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replaceAll("\\\\", "\\").replaceAll('\\"', '"');
    if (s.startsWith("<") && s.endsWith(">")) return s.slice(1, -1);
  }
  return s;
}

function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

// Python's str.strip()
export const pyStrip = (s: string) =>
  s.replace(/^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");
