// Honcho's split_text_into_chunks (src/utils/files.py): a file's text cut
// into messages of at most `max` characters, preferring to end a chunk just
// after a paragraph break, else a line break, else ". ", else a space.
// Python counts code points; JavaScript strings are UTF-16, so lengths and
// positions here are counted in code points and the cuts made in UTF-16
// (every delimiter is ASCII, so a cut never splits a surrogate pair).

const DELIMITERS = ["\n\n", "\n", ". ", " "];

export interface Chunk {
  text: string;
  /** code points of the text before this chunk */
  start: number;
}

export interface Chunking {
  chunks: Chunk[];
  /** code points in the whole text (Python's len) */
  length: number;
}

export function splitTextIntoChunks(text: string, max: number): Chunking {
  const length = codePoints(text);
  if (length <= max) return { chunks: [{ text, start: 0 }], length };
  const chunks: Chunk[] = [];
  let pos = 0; // UTF-16 index
  let posPoints = 0;
  while (pos < text.length) {
    // end = pos + max, in code points
    const end = advance(text, pos, max);
    if (end >= text.length) {
      chunks.push({ text: text.slice(pos), start: posPoints });
      break;
    }
    let cut = end;
    for (const d of DELIMITERS) {
      // text.rfind(d, pos, end): the last d lying wholly inside [pos, end); taken only when after pos
      const at = text.lastIndexOf(d, end - d.length);
      if (at > pos) {
        cut = at + d.length;
        break;
      }
    }
    const piece = text.slice(pos, cut);
    chunks.push({ text: piece, start: posPoints });
    posPoints += codePoints(piece);
    pos = cut;
  }
  return { chunks, length };
}

/** Python's len(s): code points, a lone surrogate counting as one. */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// The UTF-16 index `count` code points after `from` (or the end of s).
function advance(s: string, from: number, count: number): number {
  let i = from;
  for (let k = 0; k < count && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}
