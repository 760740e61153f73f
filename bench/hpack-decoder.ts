// An HPACK decoder (RFC 7541) for the load generator's HTTP/2 client: the
// static and dynamic tables, integers, and string literals plain or Huffman
// coded. Only what the server sends is decoded; the client's own requests
// use literals that touch no table (h2-client.ts).

// RFC 7541 Appendix A
const STATIC: [string, string][] = (
  [":authority", [":method", "GET"], [":method", "POST"], [":path", "/"], [":path", "/index.html"], [":scheme", "http"], [":scheme", "https"],
    [":status", "200"], [":status", "204"], [":status", "206"], [":status", "304"], [":status", "400"], [":status", "404"], [":status", "500"],
    "accept-charset", ["accept-encoding", "gzip, deflate"], "accept-language", "accept-ranges", "accept", "access-control-allow-origin", "age",
    "allow", "authorization", "cache-control", "content-disposition", "content-encoding", "content-language", "content-length",
    "content-location", "content-range", "content-type", "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match",
    "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "link", "location", "max-forwards",
    "proxy-authenticate", "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
    "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate"] as (string | [string, string])[]
).map((e) => (typeof e === "string" ? [e, ""] : e));

// RFC 7541 Appendix B, the code length of each symbol (256 = EOS). The code is
// canonical: codes are given in order of length, then of symbol.
const LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12,
  13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11,
  14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20,
  19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21,
  21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];

/** the canonical code's decoding tree: node i's children at 2i+0/1 in `next`, a leaf holds ~symbol */
function huffmanTree(): Int32Array {
  const order = LENGTHS.map((len, sym) => [len, sym] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const next = new Int32Array(2 * 1024).fill(0); // 256 inner nodes suffice for 257 leaves
  let nodes = 1;
  let code = 0;
  let prev = order[0]![0];
  for (const [len, sym] of order) {
    code <<= len - prev;
    prev = len;
    let node = 0;
    for (let bit = len - 1; bit > 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (next[slot] === 0) next[slot] = nodes++;
      node = next[slot]!;
    }
    next[2 * node + (code & 1)] = ~sym;
    code++;
  }
  return next;
}
const TREE = huffmanTree();

function huffmanDecode(bytes: Buffer, start: number, end: number): string {
  let out = "";
  let node = 0;
  for (let i = start; i < end; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const n = TREE[2 * node + ((bytes[i]! >> bit) & 1)]!;
      if (n < 0) {
        if (~n === 256) throw new Error("HPACK: EOS in a string");
        out += String.fromCharCode(~n);
        node = 0;
      } else node = n;
    }
  }
  // what is left must be a prefix of EOS (all ones), shorter than a byte: not checked further here
  return out;
}

export class HpackDecoder {
  private dynamic: [string, string][] = []; // newest first
  private size = 0;
  private maxSize = 4096;

  /** the header list of one complete header block */
  decode(block: Buffer): [string, string][] {
    const headers: [string, string][] = [];
    let at = 0;
    const int = (prefixBits: number): number => {
      const mask = (1 << prefixBits) - 1;
      let value = block[at++]! & mask;
      if (value < mask) return value;
      let shift = 0;
      let b: number;
      do {
        b = block[at++]!;
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      return value;
    };
    const str = (): string => {
      const huffman = (block[at]! & 0x80) !== 0;
      const length = int(7);
      const s = huffman ? huffmanDecode(block, at, at + length) : block.toString("latin1", at, at + length);
      at += length;
      return s;
    };
    while (at < block.length) {
      const b = block[at]!;
      if (b & 0x80) {
        headers.push(this.entry(int(7)));
      } else if (b & 0x40) {
        const index = int(6);
        const name = index === 0 ? str() : this.entry(index)[0];
        const header: [string, string] = [name, str()];
        headers.push(header);
        this.add(header);
      } else if (b & 0x20) {
        this.maxSize = int(5);
        this.evict();
      } else {
        // literal without indexing (0000) or never indexed (0001)
        const index = int(4);
        const name = index === 0 ? str() : this.entry(index)[0];
        headers.push([name, str()]);
      }
    }
    return headers;
  }

  private entry(index: number): [string, string] {
    const e = index <= STATIC.length ? STATIC[index - 1] : this.dynamic[index - STATIC.length - 1];
    if (!e) throw new Error(`HPACK: no entry ${index}`);
    return e;
  }

  private add(header: [string, string]) {
    this.dynamic.unshift(header);
    this.size += header[0].length + header[1].length + 32;
    this.evict();
  }

  private evict() {
    while (this.size > this.maxSize) {
      const [name, value] = this.dynamic.pop()!;
      this.size -= name.length + value.length + 32;
    }
  }
}
