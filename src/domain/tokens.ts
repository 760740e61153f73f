// Token counting with tiktoken's o200k_base, the encoding Honcho uses.
// Special-token text such as "<|endoftext|>" is ordinary text here: both the
// allowed and the disallowed special sets are empty, so tiktoken neither
// rejects it (Honcho's 422) nor turns it into a control token.
import { get_encoding, type Tiktoken } from "tiktoken";

let encoder: Tiktoken | undefined;

function o200k(): Tiktoken {
  encoder ??= get_encoding("o200k_base");
  return encoder;
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return o200k().encode(text, [], []).length;
}
