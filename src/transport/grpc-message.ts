// gRPC's status message (grpc-message) percent-encoded as the gRPC HTTP/2
// spec writes it: '%' and the bytes of the UTF-8 text outside 0x20-0x7E, and
// nothing else (grpc-go's encodeGrpcMessage). connect-es writes it with
// encodeURIComponent, which also escapes ':', ';', '+', '$', '/', ',' and the
// rest of URI syntax. Every decoder reads both, but grpc-js, the gRPC
// project's Node client, decodes with decodeURI, which leaves the escapes of
// URI syntax as they are: its callers read "2 validation errors%3A
// path.session_id%3A String should match pattern '^[a-zA-Z0-9_-]%2B%24'".

const PLAIN = /^[\x20-\x24\x26-\x7e]*$/;

/** The message as grpc-message carries it. */
export function grpcMessageText(message: string): string {
  if (PLAIN.test(message)) return message;
  let out = "";
  for (const b of Buffer.from(message, "utf8")) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A grpc-message connect-es encoded (encodeURIComponent) as the spec encodes it; any other value as it is. */
export function respelt(value: string): string {
  if (PLAIN.test(value)) return value;
  try {
    return grpcMessageText(decodeURIComponent(value));
  } catch {
    return value; // not connect-es's encoding
  }
}

/** Respells the grpc-message of a header or trailer block, if it has one. */
export function respellGrpcMessage(h: Headers | undefined): void {
  const value = h?.get("grpc-message");
  if (value !== null && value !== undefined) h!.set("grpc-message", respelt(value));
}
