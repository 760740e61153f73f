// json.loads(bytes) first guesses the encoding (json.detect_encoding): a
// body whose first or second byte is NUL is read as UTF-16 or UTF-32, not
// UTF-8. The service decodes bodies as UTF-8 (dropping one BOM, as Python's
// utf-8-sig does), so this re-reads those few bodies the way Python would.

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
