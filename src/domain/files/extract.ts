// Honcho's FileProcessingService (src/utils/files.py): an uploaded file's
// text, by its media type, tried in Honcho's order: exactly application/pdf,
// anything starting with text/, exactly application/json (so
// "application/json; charset=utf-8" is unsupported, as in Honcho).
import { DomainError } from "../errors.js";
import { isPythonBlank } from "../validation/strings.js";
import { readPdfText, type PdfReadOptions } from "./pdf.js";
import { pythonJsonRoundTrip } from "./python-json-text.js";

const SUPPORTED = "['PDFProcessor', 'TextProcessor', 'JSONProcessor']";

/** The file's text; DomainErrors carry Honcho's 415 and 422 answers. */
export async function extractText(bytes: Uint8Array, contentType: string | null, pdf: PdfReadOptions = {}): Promise<string> {
  const type = contentType ?? "";
  if (type === "application/pdf") return pdfTextOf(bytes, pdf);
  if (type.startsWith("text/")) return decodeText(bytes);
  if (type === "application/json") return jsonText(bytes);
  // Python's f-string of the part's content type: None when the part had none
  throw new DomainError("unsupported_media_type", `Unsupported file type: ${contentType ?? "None"}. Supported types: ${SUPPORTED}`);
}

async function pdfTextOf(bytes: Uint8Array, options: PdfReadOptions): Promise<string> {
  try {
    return await readPdfText(bytes, options);
  } catch {
    // Honcho: pdfplumber raises and the route answers 500. A file that is not
    // a readable PDF is the client's mistake: 422, like an invalid JSON file.
    throw new DomainError("invalid_argument", "Uploaded PDF could not be read");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder("utf-16be", { fatal: true, ignoreBOM: true });

/**
 * TextProcessor: bytes.decode tried with "utf-8" (strict, a BOM kept as
 * U+FEFF), then "utf-16" (a BOM picks the byte order and is dropped, else
 * little-endian; odd lengths and unpaired surrogates fail), then "latin-1"
 * (every byte is the code point of its value; it never fails).
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // not UTF-8
  }
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le.decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be.decode(bytes.subarray(2));
    return utf16le.decode(bytes);
  } catch {
    // not UTF-16
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** JSONProcessor: strict UTF-8, blank is "", else json.dumps(json.loads(text), ensure_ascii=False). */
export function jsonText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new DomainError("invalid_argument", "JSON uploads must be UTF-8 encoded");
  }
  if (isPythonBlank(text)) return "";
  const out = pythonJsonRoundTrip(text);
  if (!out.ok) throw new DomainError("invalid_argument", "Uploaded JSON is invalid");
  return out.text;
}
