// Paths as uvicorn reads them and as Starlette writes a redirect's Location:
// unquote is urllib.parse.unquote, quote is urllib.parse.quote with
// RedirectResponse's safe characters. Expected texts: Python 3.11's own.
import { describe, expect, it } from "vitest";
import { quote, unquote } from "../../src/transport/percent-encoding.js";

const SAFE = ":/%#?=@[]!$&'()*+,;";

describe("quote, as urllib.parse.quote(text, safe=RedirectResponse's)", () => {
  it.each([
    ["http://h:1/v3/workspaces/a b/sessions", "http://h:1/v3/workspaces/a%20b/sessions"],
    ["/x/é/日本/😀", "/x/%C3%A9/%E6%97%A5%E6%9C%AC/%F0%9F%98%80"],
    ["/a~b_c.d-e", "/a~b_c.d-e"],
    ["/q?x=1&y=%20", "/q?x=1&y=%20"],
    ['/<>"{}|\\^`', "/%3C%3E%22%7B%7D%7C%5C%5E%60"],
    ["/\u0000\u007f", "/%00%7F"],
    ["/\ufffd", "/%EF%BF%BD"],
  ])("%j", (text, want) => {
    expect(quote(text, SAFE)).toBe(want);
  });
});

describe("unquote, as urllib.parse.unquote", () => {
  it.each([
    ["a%20b", "a b"],
    ["%C3%A9%e6%97%a5", "é日"],
    ["a%FFb", "a\ufffdb"],
    ["100%", "100%"],
    ["%zz%2", "%zz%2"],
  ])("%j", (text, want) => {
    expect(unquote(text)).toBe(want);
  });

  it("gives back what quote wrote", () => {
    for (const text of ["/a b/é/😀?x=1", "/\u0000/~"]) expect(unquote(quote(text, SAFE))).toBe(text);
  });
});
