// Types of o200k-count.mjs.

/** o200k_base tokens in the text, as tiktoken counts them; special-token text counted as ordinary text. */
export function countTokens(text: string): number;

/** The o200k_base pre-tokenizer's pieces of the text, in order (their concatenation is the text). */
export function pieces(text: string): string[];
