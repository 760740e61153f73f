"""Writes test/oracle/cases.json: Create Messages requests and what FastAPI +
pydantic 2 answer, computed here by test/oracle/models.py.

Run: python3 test/oracle/generate.py   (needs pydantic 2 and node_modules)

Long strings are written as {"$repeat": s, "times": n} (in bodies, path
parameters and expectations) so that the file stays small, and NaN/±Infinity
in expectations as {"$float": "NaN" | "Infinity" | "-Infinity"}; the test
expands both (test/oracle/harness.ts). `expect` is {"status": 422, "detail"} (with
"renders": false where Starlette cannot render that detail, so FastAPI
answers 500), {"status": 201, "value": the normalized messages} or
{"status": 400}."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import models  # noqa: E402


def rep(s, n):
    return {"$repeat": s, "times": n}


def expand(v):
    if isinstance(v, dict):
        if set(v) == {"$repeat", "times"}:
            return v["$repeat"] * v["times"]
        return {k: expand(x) for k, x in v.items()}
    if isinstance(v, list):
        return [expand(x) for x in v]
    return v


def shrink(v, patterns):
    """Puts the $repeat form back into expectations for strings we generated."""
    if isinstance(v, str):
        for p in patterns:
            if len(v) > 200 and v == p["$repeat"] * p["times"]:
                return p
        return v
    if isinstance(v, dict):
        return {k: shrink(x, patterns) for k, x in v.items()}
    if isinstance(v, list):
        return [shrink(x, patterns) for x in v]
    return v


def specials(v):
    """NaN and ±Infinity (echoed inputs) as {"$float": "NaN" | "Infinity" | "-Infinity"}: cases.json stays strict JSON."""
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return {"$float": "NaN" if v != v else "Infinity" if v > 0 else "-Infinity"}
    if isinstance(v, dict):
        return {k: specials(x) for k, x in v.items()}
    if isinstance(v, list):
        return [specials(x) for x in v]
    return v


def reps(v, out):
    if isinstance(v, dict):
        if set(v) == {"$repeat", "times"}:
            out.append(v)
        else:
            for x in v.values():
                reps(x, out)
    elif isinstance(v, list):
        for x in v:
            reps(x, out)
    return out


cases = []


def case(name, body=None, raw=None, ws="acme", ss="s1"):
    text = raw if raw is not None else json.dumps(expand(body), ensure_ascii=False)
    expect = models.run(expand(ws), expand(ss), text)
    patterns = reps([body, ws, ss], [])
    c = {"name": name, "workspace_id": ws, "session_id": ss}
    if raw is not None:
        c["raw"] = raw
    else:
        c["body"] = body
    c["expect"] = specials(shrink(expect, patterns))
    cases.append(c)


def M(**fields):
    return {"messages": [{"content": "hi", "peer_id": "alice", **fields}]}


def without(key):
    m = {"content": "hi", "peer_id": "alice"}
    del m[key]
    return {"messages": [m]}


# --- bodies that are not MessageBatchCreate
for n, b in [("null", None), ("list", []), ("string", "x"), ("number", 1), ("float", 1.5), ("true", True), ("false", False)]:
    case(f"body_{n}", raw=json.dumps(b))
case("body_empty", raw="")
case("body_whitespace_only", raw="   ")
for i, raw in enumerate(['{"messages": [', "{", '{"a"', '{"a":', '{"messages": []', '{"messages": [],}', "[1,]", "[1 2]", "{'messages': []}",
                         '{"messages": [{"content": "é😀 unterminated}]}', '{"messages": [{"content": "bad \\x escape", "peer_id": "a"}]}',
                         '{"messages": [{"content": "\\u12G4"}]}', '{"messages": [{"content": "tab\tinside"}]}', '{"messages": []} extra',
                         "nul", "tru", "-", "01", '{"messages": [1.]}', '{"x": NaN, "messages": [{"content": "😀😀😀", "peer_id": "a"}], }',
                         '\n\n  {"messages": [{"content": "日本語", "peer_id": "a"}] ]', '{"messages": [{"content": "x", "peer_id": "a"}]}}']):
    case(f"json_invalid_{i}", raw=raw)
case("json_nan_infinity_accepted_in_unknown_fields", raw='{"messages": [{"content": "x", "peer_id": "a"}], "n": NaN, "i": -Infinity}')
case("json_duplicate_keys_last_wins", raw='{"messages": [], "messages": [{"content": "x", "peer_id": "a"}]}')
case("json_escaped_surrogate_pair", raw='{"messages": [{"content": "\\ud83d\\ude00", "peer_id": "a"}]}')

# --- messages list
case("messages_missing", {})
for n, v in [("null", None), ("string", "hi"), ("object", {"a": 1}), ("number", 3), ("true", True)]:
    case(f"messages_{n}", {"messages": v})
case("messages_empty", {"messages": []})
case("messages_exactly_100", {"messages": [{"content": str(i), "peer_id": "a"} for i in range(100)]})
case("messages_101", {"messages": [{"content": str(i), "peer_id": "a"} for i in range(101)]})
case("messages_101_all_invalid", {"messages": [{"content": i} for i in range(101)]})
case("messages_items_not_objects", {"messages": ["x", 1, None, [], True]})
case("messages_mixed_errors", {"messages": [{"content": "ok", "peer_id": "a"}, {}, {"content": None, "peer_id": "b c"}, "x"]})
case("unknown_fields_everywhere", {"messages": [{"content": "x", "peer_id": "a", "extra": {"deep": [1]}, "configuration": {"reasoning": {"enabled": True, "other": 1}, "more": 2}}], "top": 1})

# --- content
for n, v in [("int", 123), ("float", 1.5), ("bool", True), ("null", None), ("list", ["a"]), ("object", {"a": 1})]:
    case(f"content_{n}", M(content=v))
case("content_missing", without("content"))
case("content_empty", M(content=""))
case("content_25000_ascii", M(content=rep("a", 25000)))
case("content_25001_ascii", M(content=rep("a", 25001)))
case("content_25000_emoji", M(content=rep("😀", 25000)))
case("content_25001_emoji", M(content=rep("😀", 25001)))
case("content_25000_mixed_width", M(content=rep("a😀", 12500)))
case("content_nul_bytes", M(content="a\u0000b\u0000"))
case("content_only_nul", M(content="\u0000\u0000"))
case("content_special_tokens", M(content="<|endoftext|><|im_start|>"))
case("content_lone_surrogate", raw='{"messages": [{"content": "x\\ud800y", "peer_id": "a"}]}')
case("peer_id_lone_surrogate", raw='{"messages": [{"content": "x", "peer_id": "a\\udc00"}]}')
case("lone_surrogates_where_pydantic_takes_them", raw='{"messages": [{"content": "x", "peer_id": "a", "metadata": {"\\ud800": "\\udc00"}, "configuration": {"reasoning": {"custom_instructions": "\\ud800"}}}]}')
case("lone_surrogates_in_bool_and_datetime", raw='{"messages": [{"content": "x", "peer_id": "a", "created_at": "\\ud800", "configuration": {"reasoning": {"enabled": "\\ud800"}}}]}')

# --- peer_id and path names
for n, v in [("int", 5), ("null", None), ("bool", False), ("list", ["a"]), ("empty", ""), ("space", "a b"), ("slash", "a/b"),
             ("dot", "a.b"), ("unicode", "ålice"), ("trailing_newline", "abc\n"), ("emoji", "😀"), ("dash_underscore", "a-b_C9"),
             ("512", rep("p", 512)), ("513", rep("p", 513)), ("513_bad_chars", rep("!", 513))]:
    case(f"peer_id_{n}", M(peer_id=v))
case("peer_id_missing", without("peer_id"))
case("peer_and_content_missing", {"messages": [{}]})
case("path_workspace_empty", M(), ws="")
case("path_workspace_bad", M(), ws="acme corp")
case("path_session_513", M(), ss=rep("s", 513))
case("path_session_512", M(), ss=rep("s", 512))
case("path_both_bad_and_body_bad", {"messages": []}, ws="a b", ss="c!d")
case("path_bad_and_body_empty", raw="", ss="x y")
case("path_bad_and_json_invalid", raw="{", ss="x y")

# --- metadata
for n, v in [("list", [1, 2]), ("string", "x"), ("int", 1), ("bool", True)]:
    case(f"metadata_{n}", M(metadata=v))
case("metadata_null", M(metadata=None))
case("metadata_empty", M(metadata={}))
case("metadata_100_keys", M(metadata={f"k{i}": i for i in range(100)}))
case("metadata_101_keys", M(metadata={f"k{i}": i for i in range(101)}))
deep5 = {"leaf": 1}
for _ in range(4):
    deep5 = {"k": deep5}
case("metadata_depth_5", M(metadata=deep5))
case("metadata_depth_6", M(metadata={"k": deep5}))
case("metadata_deep_inside_list", M(metadata={"a": [{"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}]}))
case("metadata_deep_and_wide", M(metadata={**{f"k{i}": i for i in range(101)}, "d": {"k": deep5}}))
case("metadata_nul_keys_values", M(metadata={"k\u0000": ["v\u0000", {"x\u0000y": "\u0000"}], "n": None, "f": 1.5, "b": False}))

# --- configuration / reasoning
for n, v in [("string", "x"), ("list", []), ("int", 1), ("bool", True)]:
    case(f"configuration_{n}", M(configuration=v))
case("configuration_null", M(configuration=None))
case("configuration_empty", M(configuration={}))
case("reasoning_null", M(configuration={"reasoning": None}))
for n, v in [("string", "x"), ("list", []), ("int", 0)]:
    case(f"reasoning_{n}", M(configuration={"reasoning": v}))
for v in [True, False, None, "true", "False", "YES", "no", "on", "OFF", "1", "0", "t", "f", "y", "n", 1, 0, 2, -1, 1.0, 0.0, 0.5,
          "", " true", "maybe", [], {}, [True]]:
    case(f"enabled_{json.dumps(v)}", M(configuration={"reasoning": {"enabled": v}}))
for n, v in [("int", 5), ("bool", True), ("list", ["x"]), ("null", None), ("blank", "   \t\n"), ("python_blank", "\u3000\x85\x1c"),
             ("short", "Focus on billing."), ("special_tokens", "<|endoftext|> please")]:
    case(f"custom_instructions_{n}", M(configuration={"reasoning": {"custom_instructions": v}}))
case("custom_instructions_2000_tokens", M(configuration={"reasoning": {"custom_instructions": rep(" a", 2000)}}))
case("custom_instructions_2001_tokens", M(configuration={"reasoning": {"custom_instructions": rep(" a", 2001)}}))
case("reasoning_two_errors", M(configuration={"reasoning": {"enabled": "maybe", "custom_instructions": 1}}))

# --- created_at
for v in ["2024-05-01", "2024-05-01T12:00:00", "2024-05-01T12:00:00Z", "2024-05-01 12:00:00+02:00", "2024-05-01T12:00:00.123456Z",
          "2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00,5Z", "2024-05-01t12:00:00z", "2024-05-01_12:00", "2024-05-01T12:00Z",
          "2024-05-01T12:00:00+0530", "2024-05-01T12:00:00-23:59", "2024-05-01T12:00:00-00:00", "2024-02-29", "1969-12-31T23:59:59Z",
          "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1714560000", "1714560000.5", "-1", "+1", ".5", "2024",
          1714560000, 1714560000.25, 0, -1, 1714560000123, -100000000000, 20000000000, 20000000001,
          "2024-13-01", "2024-00-01", "2024-02-30", "2023-02-29", "2024-04-31", "2024-05-00", "2024-0a-01", "2024-05-0b", "abcd-05-01",
          " 2024-05-01", "2024-05-01 ", "2024/05/01", "10000-01-01", "2024-05-1", "yesterday", "", "2024-05", "2024-05-01T",
          "2024-05-01T25:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z", "2024-05-01T12Z", "2024-05-01T12:00:00+24:00",
          "2024-05-01T12:00:00+2", "2024-05-01T12:00:00+02", "2024-05-01T12:00:00.", "2024-05-01T12:00:00ZZ", "2024-05-01T12:00:00 +02:00",
          "1e10", "1_000", "0x10", "-", ".", "日本語の日付です。", "0000-01-01", "99999999999999999", "-99999999999999",
          True, False, [], {}, 1e20, -1e20]:
    case(f"created_at_{json.dumps(v, ensure_ascii=False)}", M(created_at=v))
case("created_at_null", M(created_at=None))

# speedate's corners: timestamp text (i64 wrapping, floats, the ms watershed applied twice), U+2212 offsets,
# truncated fractions, year 0 reached through milliseconds, carries from rounding
for v in ["1.5e3", "+.5", "-.5", "1.e3", "5.", "1.5e", "20000000000000000000", "9223372036854775807", "9223372036854775808",
          "-9223372036854775808", "1714560000.9999996", "30000000000000.5", "-62167219200000", "-62135596800000", "253402300799999",
          "253402300800000", "-20000000001", "1e999", "1.0e300", " 1", "1 ", "true", "2024-05-01T12:00:00\u221202:00",
          "2024-05-01T12:00:00\u2212", "2024-05-01T12:00:00.1234567Z", "2024-05-01T12:00:00.9999999Z", "2024-05-01T23:59:59.999999-23:59",
          "0000-12-31T23:00:00-02:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2024-05-01T12:00:00+02:00:00",
          "2024-05-01T12:00:00+0260", "2024-05-01T12:00:00.+02:00", "2024-05-01T12:00:00,123", "２０２４-05-01", "2024-05-01\u00a0"]:
    case(f"created_at_text_{json.dumps(v, ensure_ascii=False)}", M(created_at=v))
for v in [1714560000.9999996, -0.5, -1.5, 1e300, -1e300, 2**63, -2**63, 2**64, 9007199254740993, -62167219200000, -62135596800000,
          253402300799999, 253402300799999.5, -20000000000.5, 2e10 + 0.5, 1e-7, 0.0000005]:
    case(f"created_at_number_{json.dumps(v)}", M(created_at=v))
for n, text in [("nan", "NaN"), ("infinity", "Infinity"), ("minus_infinity", "-Infinity")]:
    case(f"created_at_{n}", raw='{"messages": [{"content": "x", "peer_id": "a", "created_at": %s}]}' % text)

# bools: numbers past i64 are no bool at all; text is compared ASCII-only
for v in [2**62, 2**63, -2**63, 2**64, 2.0, -1.0, 1e300, "\u0130", "TRUE ", "oN", "Yes", "\uff59es"]:
    case(f"enabled_more_{json.dumps(v)}", M(configuration={"reasoning": {"enabled": v}}))
for n, text in [("nan", "NaN"), ("infinity", "Infinity")]:
    case(f"enabled_{n}", raw='{"messages": [{"content": "x", "peer_id": "a", "configuration": {"reasoning": {"enabled": %s}}}]}' % text)

# lengths count code points; NUL is stripped only after the length check
case("content_25000_with_nul", M(content=rep("a\u0000", 12500)))
case("content_25001_only_nul", M(content=rep("\u0000", 25001)))
case("content_too_long_in_second_item", {"messages": [{"content": rep("😀", 25000), "peer_id": "a"}, {"content": rep("😀", 25001), "peer_id": "a"}]})
case("peer_id_512_then_513_in_batch", {"messages": [{"content": "x", "peer_id": rep("z", 512)}, {"content": "x", "peer_id": rep("z", 513)}]})
case("custom_instructions_long_blank", M(configuration={"reasoning": {"custom_instructions": rep("\u3000\n", 150000)}}))
case("custom_instructions_far_over_budget", M(configuration={"reasoning": {"custom_instructions": rep("a ", 128001)}}))
case("custom_instructions_2000_special_tokens", M(configuration={"reasoning": {"custom_instructions": rep("<|endoftext|>", 285)}}))

# metadata: keys that collide once NUL is gone (the later wins), "__proto__", numeric-looking keys, NaN values
case("metadata_keys_collide_after_nul", M(metadata={"a\u0000": 1, "a": 2, "b": {"c\u0000": [1], "c": [2]}}))
case("metadata_proto_key", raw='{"messages": [{"content": "x", "peer_id": "a", "metadata": {"__proto__": {"admin": true}, "2": 1, "1": 0}}]}')
case("metadata_100_keys_depth_5", M(metadata={**{f"k{i}": i for i in range(99)}, "deep": deep5}))
case("metadata_depth_5_in_second_key", M(metadata={"a": 1, "b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}))
case("optional_fields_all_null", M(metadata=None, configuration=None, created_at=None))
case("reasoning_all_null", M(configuration={"reasoning": {"enabled": None, "custom_instructions": None}}))

def deep_body(depth):
    """Valid JSON nesting `depth` containers in an ignored field (deep lists in metadata crash Honcho's
    _sanitize_value with a RecursionError, a 500, near 480 levels), with a 422 that does not echo them."""
    return '{"messages": [{"content": "x", "peer_id": "a b"}], "extra": %s}' % ("[" * (depth - 1) + "]" * (depth - 1))


def ok_with_extra(number):
    """A valid batch with `number` in an ignored field (a Python int past 2**1024 has no JS counterpart to echo)."""
    return '{"messages": [{"content": "x", "peer_id": "a"}], "n": %s}' % number


# json.loads on the body's bytes: UTF-16/32 guessed from NUL bytes, one BOM already gone, nesting and int() limits
for n, raw in [("utf16le", '{\u0000}\u0000'), ("utf16be", '\u0000{\u0000}'), ("utf32le", '{\u0000\u0000\u0000}\u0000\u0000\u0000'),
               ("utf16_odd", '{\u0000}\u0000 '), ("utf32_bad", '{\u0000\u0000\u0000\u0000\u0000\u0011\u0000'), ("nul_3_bytes", '\u0000{}'),
               ("second_bom", '\ufeff{}'), ("depth_950", deep_body(950)), ("depth_951", deep_body(951)),
               ("depth_951_after_error", '{"a" 1, "b": ' + "[" * 951), ("depth_951_before_error", "[" * 951 + "x"),
               ("int_4300_digits", ok_with_extra("1" * 4300)), ("int_4301_digits", ok_with_extra("1" * 4301)),
               ("int_4301_digits_negative", "-" + "1" * 4301), ("float_4301_digits", ok_with_extra("1" * 4301 + ".5")),
               ("escape_at_end", '"\\u1234'), ("escape_short", '"\\u12"'), ("pair_at_end", '"\\ud800\\udc00'),
               ("pair_bad_low", '"\\ud800\\uzzzz"'), ("pair_not_low", '"\\ud800\\u0041"'), ("trailing_comma_object", '{"messages": [],}'),
               ("nan_body", "NaN"), ("minus_infinity_body", "-Infinity"), ("exponent_no_digits", "[1e]"), ("exponent_sign_last", "[1e+"),
               ("nested_invalid_after_emoji", '{"messages": [{"content": "😀😀", "peer_id": "a", "metadata": {"k": [1, 2,]}}]}')]:
    case(f"json_{n}", raw=raw)

# --- everything wrong at once, across items
case("many_errors_in_order", {"messages": [
    {"content": 1, "peer_id": "", "metadata": [], "configuration": {"reasoning": {"enabled": "x"}}, "created_at": "x"},
    {"content": "ok", "peer_id": "ok"},
    {"peer_id": "a b", "created_at": True},
]}, ws="w s")

names = [c["name"] for c in cases]
assert len(names) == len(set(names)), "case names must be unique"
out = os.path.join(os.path.dirname(__file__), "cases.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=True, indent=1, allow_nan=False)
    f.write("\n")
print(f"{len(cases)} cases -> {out}")
