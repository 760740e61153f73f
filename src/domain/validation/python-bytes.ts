// json.loads(bytes) first guesses the encoding (json.detect_encoding): a
// BOM names UTF-32, UTF-16 or UTF-8 (removed), and a body whose first or
// second byte is NUL is read as UTF-16 or UTF-32, not UTF-8; it then decodes
// with 'surrogatepass'. decodeJsonBytes does that on a request's bytes;
// decodeLikePython re-reads text already decoded as UTF-8 the same way.

import { asciiText } from "./ascii-text.js";

/**
 * The text Python's json.loads would parse for a body that decoded (as
 * UTF-8, one BOM removed) to `text`; undefined when Python cannot decode it
 * (UnicodeDecodeError, FastAPI's 400).
 */
export function decodeLikePython(text: string): string | undefined {
  const c0 = text.charCodeAt(0);
  // A BOM left after the transport removed one: Python's utf-8-sig kept it too.
  if (c0 === 0xfeff) return text;
  const nul0 = c0 === 0;
  const nul1 = c0 < 0x80 && text.length > 1 && text.charCodeAt(1) === 0;
  if (!nul0 && !nul1) return text; // the common case: plain UTF-8
  const b = Buffer.from(text, "utf8");
  let encoding: "utf-16be" | "utf-16le" | "utf-32be" | "utf-32le";
  if (b.length >= 4) {
    if (b[0] === 0) encoding = b[1] ? "utf-16be" : "utf-32be";
    else encoding = b[2] || b[3] ? "utf-16le" : "utf-32le";
  } else if (b.length === 2) encoding = b[0] === 0 ? "utf-16be" : "utf-16le";
  else return text;
  return encoding.startsWith("utf-16") ? utf16(b, encoding === "utf-16be") : utf32(b, encoding === "utf-32be");
}

/**
 * The text Python's json.loads parses for a body's bytes (CPython 3.11
 * json.detect_encoding, then bytes.decode(encoding, 'surrogatepass'));
 * undefined where Python raises UnicodeDecodeError (FastAPI's 400).
 */
export function decodeJsonBytes(bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts = (...prefix: number[]) => b.length >= prefix.length && prefix.every((x, i) => b[i] === x);
  // 'utf-32' and 'utf-16' read the BOM for the byte order and drop it; 'utf-8-sig' drops one BOM
  if (starts(0x00, 0x00, 0xfe, 0xff)) return utf32(b.subarray(4), true);
  if (starts(0xff, 0xfe, 0x00, 0x00)) return utf32(b.subarray(4), false);
  if (starts(0xfe, 0xff)) return utf16(b.subarray(2), true);
  if (starts(0xff, 0xfe)) return utf16(b.subarray(2), false);
  if (starts(0xef, 0xbb, 0xbf)) return utf8(b.subarray(3));
  if (b.length >= 4) {
    if (!b[0]) return b[1] ? utf16(b, true) : utf32(b, true);
    if (!b[1]) return b[2] || b[3] ? utf16(b, false) : utf32(b, false);
  } else if (b.length === 2) {
    if (!b[0]) return utf16(b, true);
    if (!b[1]) return utf16(b, false);
  }
  return utf8(b);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const strict = (b: Uint8Array) => {
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
};

// UTF-8 with 'surrogatepass': strict, except that a surrogate encoded as UTF-8
// (ED A0..BF 80..BF, which strict UTF-8 refuses) is let through as that code
// unit. ED is never a continuation byte, so the pieces between such triples
// are whole UTF-8 on their own exactly when Python decodes the lot. (Two such
// triples in a row stay two lone surrogates in Python; a JS string cannot keep
// them apart from the pair they spell.)
function utf8(b: Buffer): string | undefined {
  const fast = asciiText(b) ?? strict(b);
  if (fast !== undefined) return fast;
  let out = "";
  let from = 0;
  for (let i = 0; i + 2 < b.length; i++) {
    if (b[i] !== 0xed || b[i + 1]! < 0xa0 || b[i + 1]! > 0xbf || b[i + 2]! < 0x80 || b[i + 2]! > 0xbf) continue;
    const piece = strict(b.subarray(from, i));
    if (piece === undefined) return undefined;
    out += piece + String.fromCharCode(0xd000 | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
    from = i + 3;
    i += 2;
  }
  if (from === 0) return undefined;
  const rest = strict(b.subarray(from));
  return rest === undefined ? undefined : out + rest;
}

// Python's 'surrogatepass' lets lone surrogates through; a trailing odd byte is an error.
function utf16(b: Buffer, bigEndian: boolean): string | undefined {
  if (b.length % 2 !== 0) return undefined;
  let out = "";
  for (let i = 0; i < b.length; i += 2) out += String.fromCharCode(bigEndian ? b.readUInt16BE(i) : b.readUInt16LE(i));
  return out;
}

function utf32(b: Buffer, bigEndian: boolean): string | undefined {
  if (b.length % 4 !== 0) return undefined;
  let out = "";
  for (let i = 0; i < b.length; i += 4) {
    const cp = bigEndian ? b.readUInt32BE(i) : b.readUInt32LE(i);
    if (cp > 0x10ffff) return undefined;
    out += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return out;
}
