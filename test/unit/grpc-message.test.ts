// grpc-message as the gRPC HTTP/2 spec encodes it (src/transport/grpc-message.ts):
// every decoder in use reads it back whole, grpc-js's decodeURI included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grpcMessageText, respellGrpcMessage } from "../../src/transport/grpc-message.js";

// lone surrogates have no UTF-8: a message is text
const text = fc.string({ unit: fc.oneof(fc.constantFrom("%", ":", "+", "$", ";", ",", "/", "?", "#", "&", "=", "@", "'", "\0", "\n", "\x7f", "é", "日", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })) });

describe("grpcMessageText", () => {
  it("leaves printable ASCII but '%' as it is, and escapes the rest as UTF-8 bytes", () => {
    expect(grpcMessageText("2 errors: path.session_id: String should match pattern '^[a-zA-Z0-9_-]+$'; x, y/z?#&=@")).toBe(
      "2 errors: path.session_id: String should match pattern '^[a-zA-Z0-9_-]+$'; x, y/z?#&=@",
    );
    expect(grpcMessageText("100% ünï\n\0\x7f😀")).toBe("100%25 %C3%BCn%C3%AF%0A%00%7F%F0%9F%98%80");
  });

  it("is read back whole by decodeURIComponent (connect-es, browsers) and by decodeURI (grpc-js)", () => {
    fc.assert(
      fc.property(text, (s) => {
        const wire = grpcMessageText(s);
        expect(wire).toMatch(/^[\x20-\x7e]*$/);
        expect(decodeURIComponent(wire)).toBe(s);
        expect(decodeURI(wire)).toBe(s);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("respellGrpcMessage", () => {
  it("turns connect-es's encodeURIComponent into the spec's encoding", () => {
    fc.assert(
      fc.property(text, (s) => {
        const h = new Headers({ "grpc-message": encodeURIComponent(s) });
        respellGrpcMessage(h);
        expect(h.get("grpc-message")).toBe(grpcMessageText(s));
      }),
      { numRuns: 2_000 },
    );
  });

  it("leaves a message that is not percent-encoding, and headers without one, as they are", () => {
    const h = new Headers({ "grpc-message": "100%" });
    respellGrpcMessage(h);
    expect(h.get("grpc-message")).toBe("100%");
    const none = new Headers({ "grpc-status": "0" });
    respellGrpcMessage(none);
    expect([...none.keys()]).toEqual(["grpc-status"]);
    expect(() => respellGrpcMessage(undefined)).not.toThrow();
  });
});
