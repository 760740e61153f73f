// Percent-encoding as Python's urllib.parse does it: the path uvicorn hands
// Starlette (unquote), the URL Starlette's redirect writes (quote), and
// gRPC's status message, which the gRPC spec percent-encodes the same way
// with its own safe set (grpc-message.ts).

/**
 * Python's urllib.parse.unquote, as uvicorn decodes a path: each run of %XX
 * escapes is bytes read as UTF-8 with U+FFFD for what is not, and a `%` not
 * followed by two hex digits stays as it is.
 */
export function unquote(segment: string): string {
  if (!segment.includes("%")) return segment;
  return segment.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"));
}

/**
 * Python's urllib.parse.quote(text, safe): each UTF-8 byte but letters,
 * digits, `_.-~` and those in `safe` written as %XX.
 */
export function quote(text: string, safe: string): string {
  let out = "";
  for (const b of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && (/[A-Za-z0-9_.~-]/.test(c) || safe.includes(c)) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
