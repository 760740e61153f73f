// protobuf-es checks every string it sets by reflection (Connect's JSON
// bodies go through fromJson) for lone surrogates with encodeURIComponent,
// which builds the escaped copy of the whole string only to throw it away:
// for a 25 000-character content, a string of 25 to 75 thousand characters
// per message. String.prototype.isWellFormed answers the same question
// without making anything. protobuf-es's own hook (configureTextEncoding)
// swaps it in; encoding and decoding stay the WHATWG API it uses itself.
import { configureTextEncoding } from "@bufbuild/protobuf/wire";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export const wellFormedTextEncoding = {
  encodeUtf8: (text: string) => encoder.encode(text),
  decodeUtf8: (bytes: Uint8Array, strict?: boolean) => (strict ? strictDecoder : decoder).decode(bytes),
  /** false for a string with a lone surrogate, as encodeURIComponent's throw says */
  checkUtf8: (text: string) => text.isWellFormed(),
};

export function useWellFormedCheck(): void {
  configureTextEncoding(wellFormedTextEncoding);
}
