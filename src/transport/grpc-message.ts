// gRPC's status message (grpc-message) percent-encoded as the gRPC HTTP/2
// spec writes it: '%' and the bytes of the UTF-8 text outside 0x20-0x7E, and
// nothing else (grpc-go's encodeGrpcMessage). connect-es writes it with
// encodeURIComponent, which also escapes ':', ';', '+', '$', '/', ',' and the
// rest of URI syntax. Every decoder reads both, but grpc-js, the gRPC
// project's Node client, decodes with decodeURI, which leaves the escapes of
// URI syntax as they are: its callers read "2 validation errors%3A
// path.session_id%3A String should match pattern '^[a-zA-Z0-9_-]%2B%24'".

import { quote } from "./percent-encoding.js";

const PLAIN = /^[\x20-\x24\x26-\x7e]*$/;
// what quote() leaves as it is besides letters, digits and `_.-~`: the rest of printable ASCII but '%'
const SAFE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== "%").join("");

/** The message as grpc-message carries it. */
export const grpcMessageText = (message: string): string => (PLAIN.test(message) ? message : quote(message, SAFE));

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
