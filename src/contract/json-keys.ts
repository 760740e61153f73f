// Duplicate member names in JSON text, found quickly. protobuf-es's
// fromJsonString rejects them (JSON.parse keeps the last), scanning the text
// one character at a time, long string values included: 5 % of the
// service's CPU for 100 messages of 2 500 characters over Connect. This scan
// jumps over each string to its closing quote with indexOf. It is only ever
// used to let a body through: where it says "maybe", the caller leaves the
// body to fromJsonString, which decides. test/unit/json-keys.test.ts compares
// the two on random JSON.

/**
 * True when no object in `json` (text JSON.parse has accepted) names a member
 * twice, and no member name holds an escape (those are left to the full check).
 */
export function duplicateFree(json: string): boolean {
  // one Set of names per open object; null for an array
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const open = i;
      let close = json.indexOf('"', i + 1);
      // a quote after an odd run of backslashes is escaped
      while (close > 0 && backslashesBefore(json, close) % 2 === 1) close = json.indexOf('"', close + 1);
      if (close < 0) return false;
      i = close + 1;
      const names = stack[stack.length - 1];
      if (expectKey && names) {
        const name = json.slice(open + 1, close);
        if (name.includes("\\") || names.has(name)) return false;
        names.add(name);
      }
      continue;
    }
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    } else if (c === 0x3a /* : */) {
      expectKey = false;
    }
    i++;
  }
  return true;
}

function backslashesBefore(s: string, at: number): number {
  let k = 0;
  while (s.charCodeAt(at - 1 - k) === 0x5c) k++;
  return k;
}
