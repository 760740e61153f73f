// The string check protobuf-es runs on every string it sets (Connect's JSON
// bodies) is String.prototype.isWellFormed once the service has started; it
// must refuse exactly what the encodeURIComponent check it replaces refused.
import { fromJson } from "@bufbuild/protobuf";
import { getTextEncoding } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { CreateMessagesRequestSchema } from "../../gen/honcho/v3/messages_pb.js";
import { useWellFormedCheck, wellFormedTextEncoding } from "../../src/contract/text-encoding.js";

const byUri = (text: string) => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

const corpus = [
  "", "plain", "é ☃ 𝄞 😀", "\u0000\uffff\ufffe", "\ud800", "\udc00", "a\ud83dz", "\ude00\ud83d", "\ud83d\ude00", "\ud83d\ude00\ud83d",
  "x".repeat(30_000) + "\udfff", "y".repeat(30_000) + "\ud83d\ude00",
];

describe("useWellFormedCheck", () => {
  it("is the text encoding protobuf-es uses after it", () => {
    useWellFormedCheck();
    expect(getTextEncoding()).toBe(wellFormedTextEncoding);
  });

  it.each(corpus.map((t) => [JSON.stringify(t.length > 40 ? `${t.slice(0, 3)}…${t.slice(-2)}` : t), t]))("judges %s as encodeURIComponent did", (_, text) => {
    expect(wellFormedTextEncoding.checkUtf8(text)).toBe(byUri(text));
  });

  it("for random strings of code units too", () => {
    const units = [0x41, 0xe9, 0x2603, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xfffd];
    for (let i = 0; i < 2000; i++) {
      const text = String.fromCharCode(...Array.from({ length: 1 + (i % 7) }, (_, k) => units[(i * 7 + k * 13 + (i >> 3)) % units.length]!));
      expect(wellFormedTextEncoding.checkUtf8(text)).toBe(byUri(text));
    }
  });

  it("still makes protobuf-es refuse a lone surrogate in a message, and take the rest", () => {
    useWellFormedCheck();
    expect(() => fromJson(CreateMessagesRequestSchema, { workspaceId: "w\ud800" })).toThrow(/UTF8/i);
    expect(fromJson(CreateMessagesRequestSchema, { workspaceId: "w 😀 é" }).workspaceId).toBe("w 😀 é");
  });

  it("encodes and decodes as the WHATWG API does", () => {
    expect(Buffer.from(wellFormedTextEncoding.encodeUtf8("é😀")).toString("hex")).toBe("c3a9f09f9880");
    expect(wellFormedTextEncoding.decodeUtf8(new Uint8Array([0x61, 0xff]))).toBe("a\ufffd");
    expect(() => wellFormedTextEncoding.decodeUtf8(new Uint8Array([0x61, 0xff]), true)).toThrow();
  });
});
