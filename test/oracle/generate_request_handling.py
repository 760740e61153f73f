"""Writes test/oracle/request-handling-cases.json: how FastAPI answers a JSON
route depending on how the body arrives (no body, empty, `null`, content
types, BOMs, bytes that are not UTF-8), computed by fastapi_request.py (FastAPI
0.136.1's steps re-implemented around real pydantic 2.13 and Python's json).

Run: python3 test/oracle/generate_request_handling.py   (needs pydantic 2 and node_modules)

A case: route ("create": POST .../messages, "list": POST .../messages/list),
workspace_id, session_id, content_type (null: no content-type header),
framing ("none": neither content-length nor transfer-encoding, "length",
"chunked"), the body as "body" (text, sent as UTF-8) or "body_base64", and
`expect`: {"status", "body"} (the exact JSON answer) for failures,
{"status": 201, "messages"} (models.py's normalized messages) for create,
{"status": 200, "options", "items"} for list (the MessageGet the endpoint
gets, and how many of the session's one message, from peer alice, it lists).
test/e2e/request-handling.test.ts sends each over real HTTP."""
import base64
import codecs
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import fastapi_request  # noqa: E402

VALID = '{"messages": [{"content": "hi", "peer_id": "alice"}]}'
FILTER_NOBODY = '{"filters": {"peer_id": "nobody"}}'
MULTIPART = '--b\r\nContent-Disposition: form-data; name="messages"\r\n\r\n[{"content": "hi", "peer_id": "alice"}]\r\n--b--\r\n'
LIST_WS, LIST_SESSION = "acme", "listed"

cases = []


def case(name, route, body, content_type="application/json", framing="length", ws="acme", ss=None):
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    ss = ss if ss is not None else (LIST_SESSION if route == "list" else f"rh-{len(cases)}")
    answer = fastapi_request.handle(route, ws, ss, content_type, data)
    c = {"name": f"{route}_{name}", "route": route, "workspace_id": ws, "session_id": ss, "content_type": content_type, "framing": framing}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # bytes that are not UTF-8, or hold a BOM or NUL, are written as base64 so the file shows what is sent
    if text is None or "\ufeff" in text or "\x00" in text:
        c["body_base64"] = base64.b64encode(data).decode("ascii")
    else:
        c["body"] = text
    if answer.value is None and answer.body is not None:
        expect = {"status": answer.status, "body": answer.body}
    elif route == "create":
        expect = {"status": answer.status, "messages": [
            {
                "content": m.content,
                "peer_id": m.peer_name,
                "metadata": m.metadata or {},
                "created_at": None if m.created_at is None else m.created_at.astimezone(datetime.timezone.utc).isoformat(),
            }
            for m in answer.value.messages
        ]}
    else:
        options = None if answer.value is None else answer.value.model_dump()
        peer = ((options or {}).get("filters") or {}).get("peer_id")
        # the seeded session holds one message, from alice; any other session none
        expect = {"status": answer.status, "options": options, "items": 1 if peer in (None, "alice") and ws == "acme" and ss == LIST_SESSION else 0}
    c["expect"] = expect
    cases.append(c)


BOM8 = codecs.BOM_UTF8
for route, good in (("create", VALID), ("list", FILTER_NOBODY)):
    # --- no body, empty body, null
    case("no_body_no_content_type", route, "", content_type=None, framing="none")
    case("no_body_json_content_type", route, "", framing="none")
    case("empty_body_content_length_0", route, "")
    case("empty_body_chunked", route, "", framing="chunked")
    case("empty_body_text_plain", route, "", content_type="text/plain")
    case("null", route, "null")
    case("null_with_whitespace", route, " \r\n null \n")
    case("null_text_plain", route, "null", content_type="text/plain")
    case("whitespace_only", route, "  ")
    case("json_ok", route, good)
    case("json_ok_chunked", route, good, framing="chunked")
    # --- JSON sent with a content type FastAPI does not read as JSON: pydantic gets the bytes
    for n, ct in [("text_plain", "text/plain"), ("text_plain_charset", "text/plain; charset=utf-8"),
                  ("form_urlencoded", "application/x-www-form-urlencoded"), ("multipart", "multipart/form-data; boundary=b"),
                  ("no_content_type", None), ("empty_content_type", ""), ("text_json", "text/json"), ("application_x_json", "application/x-json"),
                  ("application_jsonx", "application/jsonx"), ("json_plus_xml", "application/json+xml"), ("no_slash", "json"),
                  ("two_slashes", "application/json/x"), ("space_in_subtype", "application/ json"), ("octet_stream", "application/octet-stream")]:
        case(f"ct_{n}", route, good, content_type=ct)
    case("ct_form_urlencoded_form_body", route, "messages=hi&peer_id=alice", content_type="application/x-www-form-urlencoded")
    case("ct_multipart_form_body", route, MULTIPART, content_type="multipart/form-data; boundary=b")
    case("ct_text_plain_invalid_json", route, '{"messages": [', content_type="text/plain")
    case("ct_text_plain_big_unicode", route, good.replace("}", ', "x": "日本語 😀"}', 1), content_type="text/plain")
    case("ct_no_content_type_chunked", route, good, content_type=None, framing="chunked")
    # --- content types FastAPI reads as JSON
    for n, ct in [("vnd_api_json", "application/vnd.api+json"), ("merge_patch_json", "application/merge-patch+json"),
                  ("json_patch_json", "application/json-patch+json"), ("bare_plus_json", "application/+json"),
                  ("charset_utf8", "application/json; charset=utf-8"), ("charset_upper", "application/json;charset=UTF-8"),
                  ("upper_case", "APPLICATION/JSON"), ("spaces_and_params", " application/json ; charset=latin-1 ; q=1"),
                  ("trailing_nbsp", "application/json\u00a0"), ("vnd_charset", "application/vnd.api+json; charset=utf-8")]:
        case(f"ct_{n}", route, good, content_type=ct)
    # charset is ignored: json.loads guesses from the bytes, so latin-1 é is a decoding error (400)
    case("ct_charset_latin1_latin1_bytes", route, good.replace('"}', '\u00e9"}', 1).encode("latin-1"), content_type="application/json; charset=latin-1")
    # --- invalid JSON
    case("json_invalid", route, '{"messages": [')
    case("json_invalid_vnd", route, "{'a': 1}", content_type="application/vnd.api+json")
    case("json_invalid_after_emoji", route, '{"x": "😀", ]')
    # --- byte order marks (json.detect_encoding)
    case("bom_utf8", route, BOM8 + good.encode())
    case("bom_utf8_null", route, BOM8 + b"null")
    case("bom_utf8_only", route, BOM8)
    case("bom_utf8_twice", route, BOM8 + BOM8 + good.encode())
    case("bom_utf8_text_plain", route, BOM8 + good.encode(), content_type="text/plain")
    case("bom_utf8_no_content_type", route, BOM8 + good.encode(), content_type=None)
    for n, enc in [("utf16le", "utf-16-le"), ("utf16be", "utf-16-be"), ("utf32le", "utf-32-le"), ("utf32be", "utf-32-be")]:
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[enc]
        case(f"bom_{n}", route, bom + good.encode(enc))
        case(f"no_bom_{n}", route, good.encode(enc))
    case("bom_utf16le_odd_length", route, codecs.BOM_UTF16_LE + good.encode("utf-16-le") + b" ")
    case("bom_utf16le_lone_surrogate_ignored", route, codecs.BOM_UTF16_LE + good.replace("{", '{"x": "\ud800", ', 1).encode("utf-16-le", "surrogatepass"))
    case("bom_utf16le_text_plain", route, codecs.BOM_UTF16_LE + good.encode("utf-16-le"), content_type="text/plain")
    case("bom_utf32le_past_unicode", route, codecs.BOM_UTF32_LE + b"\x00\x00\x11\x00")
    # --- bytes that are not UTF-8
    bad = good.replace("{", '{"x": "\xff", ', 1).encode("latin-1")
    case("not_utf8_json", route, bad)
    case("not_utf8_text_plain", route, bad, content_type="text/plain")
    case("not_utf8_no_content_type", route, bad, content_type=None)
    case("not_utf8_form", route, b"messages=\xff", content_type="application/x-www-form-urlencoded")
    case("not_utf8_only_byte", route, b"\xff")
    case("not_utf8_truncated_sequence", route, good.encode() + b"\xe6\x97")
    case("not_utf8_overlong_slash", route, good.replace("{", '{"x": "', 1).replace('"messages"', '\xc0\xaf", "messages"', 1).replace('"filters"', '\xc0\xaf", "filters"', 1).encode("latin-1"))
    # 'surrogatepass': a UTF-8-encoded surrogate (ED A0 80) decodes, to a lone surrogate in an ignored field
    case("utf8_encoded_surrogate_ignored", route, good.replace("{", '{"x": "\ud800", ', 1).encode("utf-8", "surrogatepass"))
    case("utf8_encoded_surrogate_truncated", route, good.encode().replace(b"{", b'{"x": "\xed\xa0", ', 1))

# --- path parameters: checked after the body is read, before the body is validated
case("bad_path_text_plain", "create", VALID, content_type="text/plain", ws="a b")
case("bad_path_no_body", "create", "", framing="none", content_type=None, ss="x y")
case("bad_path_null", "create", "null", ss="x y")
case("bad_path_json_invalid", "create", "{", ss="x y")
case("bad_path_not_utf8_text_plain", "create", b"\xff", content_type="text/plain", ws="a b")
case("bad_path_no_body", "list", "", framing="none", content_type=None, ss="x y")
case("bad_path_text_plain", "list", FILTER_NOBODY, content_type="text/plain", ss="x y")

names = [c["name"] for c in cases]
assert len(names) == len(set(names)), "case names must be unique"
out = os.path.join(os.path.dirname(__file__), "request-handling-cases.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=True, indent=1, allow_nan=False)
    f.write("\n")
print(f"{len(cases)} cases -> {out}")
