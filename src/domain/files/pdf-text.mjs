// Text of a PDF as Honcho's PDFProcessor makes it with pdfplumber
// (src/utils/files.py): each page's page.extract_text(), pages whose text is
// blank left out, the others as "[Page n]\n<text>" joined by blank lines.
// The text is read with pdf.js; pdfplumber's layout rule (pdfplumber/utils/
// text.py, extract_text with layout=False) is applied to its glyph runs:
// characters grouped into lines by their top (3 pt tolerance), ordered left
// to right, cut into words at spaces and at gaps over 3 pt, words joined by
// one space and lines by "\n". Plain JS so that a worker thread loads it
// without a TypeScript loader (pdf-worker.mjs).
import { createRequire } from "node:module";
import path from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const require = createRequire(import.meta.url);
// Helvetica & co. are not embedded in PDFs: pdf.js reads their data from here
const STANDARD_FONTS = path.join(path.dirname(require.resolve("pdfjs-dist/package.json")), "standard_fonts") + path.sep;

const X_TOLERANCE = 3;
const Y_TOLERANCE = 3;
const LIGATURES = { "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb01": "fi", "\ufb02": "fl", "\ufb06": "st", "\ufb05": "st" };
// Python's str.isspace()
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

/** The PDF's text as Honcho stores it; throws when pdf.js cannot read the file. */
export async function pdfText(bytes) {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: STANDARD_FONTS,
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  try {
    const parts = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const { items } = await page.getTextContent();
      const text = pageText(items, page.view[3]);
      page.cleanup();
      if (text && !PY_SPACE.test(text)) parts.push(`[Page ${n}]\n${text}`);
    }
    return parts.join("\n\n");
  } finally {
    await doc.destroy();
  }
}

/**
 * pdfplumber's extract_text on one page, from pdf.js text items (runs of
 * glyphs: str, width, height, transform [a b c d e f] in PDF space). A run's
 * characters share its width evenly; a character's top is measured down
 * from the page's top edge `pageTop`.
 */
export function pageText(items, pageTop) {
  const chars = [];
  for (const item of items) {
    if (typeof item.str !== "string" || item.str.length === 0) continue;
    const [, b, c, , e, f] = item.transform;
    const upright = b === 0 && c === 0;
    const glyphs = [...item.str];
    const w = item.width / glyphs.length;
    glyphs.forEach((text, k) => {
      const x0 = upright ? e + k * w : e;
      const top = upright ? pageTop - f - item.height : pageTop - f + k * w;
      chars.push({ text, x0, x1: upright ? x0 + w : x0 + item.height, top, bottom: upright ? top + item.height : top + w, upright });
    });
  }
  if (chars.length === 0) return "";
  const words = [];
  // itertools.groupby(chars, upright): runs of upright and of rotated characters
  for (let i = 0; i < chars.length; ) {
    let j = i;
    while (j < chars.length && chars[j].upright === chars[i].upright) j++;
    const run = chars.slice(i, j);
    const upright = run[0].upright;
    // upright text: lines by top, characters left to right; rotated text:
    // lines by x0, characters top to bottom (pdfplumber's line_dir_rotated / char_dir_rotated)
    for (const line of clusterObjects(run, upright ? (ch) => ch.top : (ch) => ch.x0, upright ? Y_TOLERANCE : X_TOLERANCE)) {
      const sorted = stableSort(line, upright ? (ch) => ch.x0 : (ch) => ch.top);
      for (const word of charsToWords(sorted, upright)) words.push(mergeChars(word));
    }
    i = j;
  }
  return clusterObjects(words, (w) => w.top, Y_TOLERANCE)
    .map((line) => line.map((w) => w.text).join(" "))
    .join("\n");
}

// WordExtractor.iter_chars_to_words with keep_blank_chars=False
function charsToWords(chars, upright) {
  const words = [];
  let current = [];
  const flush = (next) => {
    if (current.length) words.push(current);
    current = next ? [next] : [];
  };
  for (const ch of chars) {
    if (PY_SPACE.test(ch.text)) flush(undefined);
    else if (current.length && beginsNewWord(current[current.length - 1], ch, upright)) flush(ch);
    else current.push(ch);
  }
  flush(undefined);
  return words;
}

// char_begins_new_word: backwards, past the previous character by more than
// the tolerance, or on a lower line
function beginsNewWord(prev, curr, upright) {
  if (upright) return curr.x0 < prev.x0 || curr.x0 > prev.x1 + X_TOLERANCE || curr.top > prev.top + Y_TOLERANCE;
  return curr.top < prev.top || curr.top > prev.bottom + Y_TOLERANCE || curr.x0 > prev.x0 + X_TOLERANCE;
}

function mergeChars(chars) {
  return { text: chars.map((ch) => LIGATURES[ch.text] ?? ch.text).join(""), top: Math.min(...chars.map((ch) => ch.top)) };
}

// pdfplumber's cluster_objects: distinct values sorted, chained while within
// the tolerance of the previous value; objects stably ordered by cluster
function clusterObjects(objects, key, tolerance) {
  const values = [...new Set(objects.map(key))].sort((a, b) => a - b);
  const clusterOf = new Map();
  let cluster = 0;
  values.forEach((v, i) => {
    if (i > 0 && v > values[i - 1] + tolerance) cluster++;
    clusterOf.set(v, cluster);
  });
  const groups = [];
  for (const o of stableSort(objects, (o) => clusterOf.get(key(o)))) {
    const k = clusterOf.get(key(o));
    if (groups.length && groups[groups.length - 1].k === k) groups[groups.length - 1].items.push(o);
    else groups.push({ k, items: [o] });
  }
  return groups.map((g) => g.items);
}

function stableSort(list, key) {
  return list
    .map((o, i) => [o, key(o), i])
    .sort((a, b) => a[1] - b[1] || a[2] - b[2])
    .map((x) => x[0]);
}
