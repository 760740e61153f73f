// asciiText: the fast way to read a body that is all ASCII (a big one's string
// stays on the Buffer's memory). It must read exactly what UTF-8 reads, and
// step aside for every other byte.
import { describe, expect, it } from "vitest";
import { asciiText } from "../../src/domain/validation/ascii-text.js";
import { decodeJsonBytes } from "../../src/domain/validation/python-bytes.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const everyAscii = Buffer.from(Array.from({ length: 128 }, (_, i) => i));

describe("asciiText", () => {
  it.each([
    ["empty", Buffer.alloc(0)],
    ["every ASCII byte", everyAscii],
    ["a 2.5 MB body (past Node's external-string size)", Buffer.from(JSON.stringify({ messages: Array.from({ length: 100 }, () => ({ peer_id: "p", content: "a\\\"b ".repeat(5000) })) }))],
  ])("reads %s as UTF-8 does", (_, bytes) => {
    const text = asciiText(bytes);
    expect(text).toBe(utf8.decode(bytes));
    expect(text!.length).toBe(bytes.length);
  });

  it("reads a view at an offset inside a larger buffer, not the whole buffer", () => {
    const whole = Buffer.from("xx{\"a\":1}yy");
    expect(asciiText(whole.subarray(2, 9))).toBe('{"a":1}');
  });

  it.each([
    ["é (UTF-8)", Buffer.from("caf\u00e9")],
    ["a lone 0x80", Buffer.from([0x7b, 0x80, 0x7d])],
    ["0xff", Buffer.from([0xff])],
    ["a UTF-8 BOM", Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])],
    ["a non-BMP character at the end of 2 MB", Buffer.concat([Buffer.alloc(2 << 20, 0x61), Buffer.from("\u{1f600}")])],
  ])("steps aside for %s", (_, bytes) => {
    expect(asciiText(bytes)).toBeUndefined();
  });
});

describe("decodeJsonBytes with the ASCII path", () => {
  it("reads big ASCII and big UTF-8 bodies alike", () => {
    const ascii = JSON.stringify({ content: "x".repeat(1_500_000) });
    const mixed = JSON.stringify({ content: "x".repeat(1_500_000) + "\u00e9\u{1f600}" });
    expect(decodeJsonBytes(Buffer.from(ascii))).toBe(ascii);
    expect(decodeJsonBytes(Buffer.from(mixed))).toBe(mixed);
  });

  it("still refuses invalid UTF-8 after an ASCII start", () => {
    expect(decodeJsonBytes(Buffer.concat([Buffer.alloc(2 << 20, 0x20), Buffer.from([0xc3])]))).toBeUndefined();
  });
});
