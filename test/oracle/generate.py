"""Writes test/oracle/cases.json: Create Messages requests and what FastAPI +
pydantic 2 answer, computed here by test/oracle/models.py.

Run: python3 test/oracle/generate.py   (needs pydantic 2 and node_modules)

Long strings are written as {"$repeat": s, "times": n} inside `body` so that
the file stays small; the test expands them (and the same in expectations)."""
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
    c["expect"] = shrink(expect, patterns)
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

# --- everything wrong at once, across items
case("many_errors_in_order", {"messages": [
    {"content": 1, "peer_id": "", "metadata": [], "configuration": {"reasoning": {"enabled": "x"}}, "created_at": "x"},
    {"content": "ok", "peer_id": "ok"},
    {"peer_id": "a b", "created_at": True},
]}, ws="w s")

out = os.path.join(os.path.dirname(__file__), "cases.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=True, indent=1, allow_nan=False)
    f.write("\n")
print(f"{len(cases)} cases -> {out}")
