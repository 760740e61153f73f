// Types of token-work.mjs.

/** o200k_base tokens in the text, special-token text counted as ordinary text. */
export function countTokens(text: string): number;

/** Honcho's embedding chunks: null = the text itself is the one chunk; [] = none (blank); else the chunks in order. */
export function embeddingChunks(text: string, maxTokens: number): string[] | null;

export interface Analysis {
  counts: number[];
  /** present when chunkTokens > 0 */
  chunks?: (string[] | null)[];
}

/** Counts every text, and chunks it for embedding when chunkTokens > 0. */
export function analyse(texts: string[], chunkTokens: number): Analysis;
