"""Random Create Messages requests with pydantic's answers, for a differential
check of the TypeScript validator (test/oracle/compare.ts). Not committed
output: the file goes to /tmp.

Run: [MODE=mixed|json|datetime] python3 test/oracle/fuzz.py [count=3000] [out=/tmp/fuzz.json] [seed=1]
     npx tsx test/oracle/compare.ts /tmp/fuzz.json

Bodies are written as `raw` text (Python's json.dumps, so NaN/Infinity and
escaped lone surrogates appear as Python sends them); a quarter of the
texts (MODE=json: all) are JSON-ish token soup, mostly invalid, for
json.loads' messages, offsets, encodings and limits; MODE=datetime puts
timestamps near speedate's edges into created_at."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import models  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
OUT = sys.argv[2] if len(sys.argv) > 2 else "/tmp/fuzz.json"
R = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

NAN, INF = float("nan"), float("inf")
OTHER = [None, True, False, [], {}, [1], {"a": 1}, [None], "", 0, 1, 1.5]
STRINGS = ["", "a", "alice", "a b", "abc\n", "\nabc", "abc\r", "a\x00b", "\x00", "😀", "é", "ålice", "日本", "\ud800", "a\udc00",
           "\ud83d\ude00", " ", "\t", "\u3000", "\x85", "\x1c", "\u200b", "\ufeff", "-", "_", "A-Z_09", "a" * 512, "a" * 513,
           "😀" * 512, "😀" * 513, "ß", "K", "\u212a", "a\u0301", "<|endoftext|>", "abc$", "^abc", "a\nb"]
NUMBERS = [0, 1, -1, 2, 0.0, 1.0, -0.0, 0.5, 1.5, -1.5, 1e20, 10**20, 10**30, -10**30, 2**63, 2**63 - 1, 2**64, -2**63, NAN, INF, -INF,
           1714560000, 1714560000.5, 1714560000.123456789, 20000000000, 20000000001, 2e10, 2e10 + 1, 1e10, 253402300799, 253402300800,
           253402300799999, 253402300800000, -62135596800, -62167219200, -62167219201, -2e10, -2e10 - 1, 1e-7, 0.0000005, 0.9999999,
           1e308, 1714560000123, 1714560000123.456, 86400, -86400.5, 10**15, 10**17, 10**19]
BOOL_STRINGS = ["true", "True", "TRUE", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n", "Y", "N", "T", "F", "tRuE",
                " true", "true ", "", "2", "-1", "1.0", "0.0", "yes!", "nope", "\u0130", "oN", "\ud800", "true\x00"]
NUMERIC_STRINGS = ["1714560000", "-1", "1e3", "0x10", " 1", "1 ", "+1", ".5", "5.", "1_000", "nan", "inf", "-0", "00", "0123", "1.5",
                   "20000000001", "-20000000001", "253402300800", "99999999999999999999", "1.", "-.5", "+.5", "1714560000.123456789",
                   "１２３", "0.0000001", "-62167219201", "12345678901234567890123"]


def datetime_string():
    r = R.random()
    if r < 0.15:
        return R.choice(NUMERIC_STRINGS)
    parts = [
        R.choice(["2024", "0000", "0001", "1969", "1970", "9999", "2000", "1900", "2100", "abcd", "202", "20245", "-2024", "+2024"]),
        R.choice(["-"] * 8 + ["/", "", "_"]),
        R.choice(["05", "01", "02", "12", "13", "00", "1", "0a", "5"]),
        R.choice(["-"] * 8 + ["/", ""]),
        R.choice(["01", "28", "29", "30", "31", "32", "00", "1", "x1"]),
    ]
    if R.random() < 0.8:
        parts += [
            R.choice(["T"] * 5 + ["t", " ", "_", "x", "", "TT"]),
            R.choice(["12", "00", "23", "24", "25", "1", "ab"]),
            R.choice([":"] * 6 + ["", "-"]),
            R.choice(["34", "00", "59", "60", "5"]),
        ]
        if R.random() < 0.7:
            parts += [R.choice([":"] * 6 + [""]), R.choice(["56", "00", "59", "60", "61", "5"])]
            parts.append(R.choice(["", "", "", ".", ".0", ".5", ".123", ".123456", ".1234567", ".123456789012", ",5", ".a", "..1", ".9999995"]))
        parts.append(R.choice(["", "", "Z", "z", "+00:00", "-00:00", "+02", "+0200", "+02:00", "+23:59", "+24:00", "-12:30", "+2", " Z",
                               "+02:0", "+02:00:00", "ZZ", "+02:60", "-23:59", "Z ", "+1400", "UTC"]))
    s = "".join(parts)
    if R.random() < 0.2:  # point mutation
        i = R.randrange(len(s) + 1)
        op = R.random()
        ch = R.choice("0123456789-:T Zz+.,_tx\n")
        s = s[:i] + ch + s[i + 1:] if op < 0.4 else s[:i] + ch + s[i:] if op < 0.7 else s[:i] + s[i + 1:]
    return s


def pick(pool, other=0.15):
    return R.choice(OTHER) if R.random() < other else R.choice(pool)


def metadata():
    r = R.random()
    if r < 0.1:
        return R.choice(OTHER + STRINGS[:5])
    if r < 0.2:
        return {f"k{i}": i for i in range(R.choice([99, 100, 101, 102]))}
    if r < 0.45:  # nested chain, sometimes hidden in a list
        depth = R.choice([3, 4, 5, 6, 7])
        d = {"leaf": 1}
        for _ in range(depth - 1):
            d = {R.choice(["k", "k\x00", ""]): [d] if R.random() < 0.1 else d}
        return {"x": 1, "chain": d} if R.random() < 0.5 else d
    return {R.choice(STRINGS[:12]): R.choice(STRINGS[:12] + NUMBERS[:10] + OTHER) for _ in range(R.randrange(4))}


def reasoning():
    if R.random() < 0.1:
        return R.choice(OTHER + ["x"])
    r = {}
    if R.random() < 0.6:
        r["enabled"] = pick(BOOL_STRINGS + [True, False, 0, 1, 2, -1, 0.0, 1.0, 0.5, 1e20, 10**20, NAN, INF, 2**64], 0.2)
    if R.random() < 0.5:
        r["custom_instructions"] = pick(["Focus on billing.", " ", "\t\n", "\u3000\x85", "\x1c\x1d\x1e\x1f", "\u200b", "\ufeff", "a\x00",
                                         " a" * 2000, " a" * 2001, "\u3000" * 3000, "<|endoftext|>" * 300, "\ud800", "x"], 0.2)
    if R.random() < 0.2:
        r["other"] = 1
    return r


def message():
    if R.random() < 0.05:
        return R.choice(OTHER + ["x"])
    m = {}
    if R.random() < 0.93:
        long = R.random() < 0.03
        m["content"] = R.choice(["x" * 25000, "x" * 25001, "😀" * 25000, "😀" * 25001, "\x00" * 25001]) if long else pick(STRINGS + ["a\r\nb"], 0.2)
    if R.random() < 0.93:
        m["peer_id"] = pick(STRINGS, 0.15) if R.random() < 0.5 else "alice"
    if R.random() < 0.3:
        m["metadata"] = metadata()
    if R.random() < 0.3:
        m["configuration"] = R.choice(OTHER + ["x"]) if R.random() < 0.15 else ({"reasoning": reasoning()} if R.random() < 0.9 else {})
    if R.random() < 0.45:
        m["created_at"] = R.choice(OTHER + NUMBERS) if R.random() < 0.3 else datetime_string()
    if R.random() < 0.1:
        m["unknown"] = R.choice(OTHER)
    items = list(m.items())
    R.shuffle(items)  # key order must not matter
    return dict(items)


def body():
    r = R.random()
    if r < 0.04:
        return R.choice(OTHER + ["x", NAN])
    if r < 0.08:
        return R.choice([{}, {"messages": R.choice(OTHER + ["x", {"0": {}}])}])
    n = R.choice([1] * 8 + [2, 3, 0, 100, 101])
    if n >= 100:  # big batches: small messages, a few of them wrong
        messages = [{"content": str(i), "peer_id": "a"} if R.random() < 0.97 else R.choice([{}, {"content": 1}, "x"]) for i in range(n)]
    else:
        messages = [message() for _ in range(n)]
    return {"messages": messages, **({"extra": 1} if R.random() < 0.05 else {})}


# Path parameters come percent-decoded from the URL: always text, never lone surrogates.
PATH_STRINGS = [x for x in STRINGS if not any(0xD800 <= ord(c) <= 0xDFFF for c in x)]


def name():
    return R.choice(PATH_STRINGS) if R.random() < 0.1 else "acme"


def mutate_json(text):
    """A random edit that usually makes the JSON invalid."""
    i = R.randrange(len(text) + 1)
    op = R.random()
    ch = R.choice(['"', "{", "}", "[", "]", ",", ":", "\\", "x", "1", "-", ".", "e", " ", "\n", "\x01", "\t", "é", "😀", "N", "I", "t", "n"])
    if op < 0.35:
        return text[:i] + ch + text[i:]
    if op < 0.7:
        return text[:i] + text[i + 1:]
    if op < 0.85:
        return text[:i]
    return text[:i] + ch + text[i + 1:]


TOKENS = ['"', '{', '}', '[', ']', ',', ':', '\\', '\\u', '\\ud800', '\\udc00', '\\u12', 'd83d', 'x', '1', '0', '-', '.', 'e', 'E', '+',
          ' ', '\n', '\t', '\r', '\x01', '\x1f', '\x7f', 'é', '😀', '日本', 'NaN', 'Infinity', '-Infinity', 'Inf', 'true', 'false', 'null', 'nul',
          '"messages"', '"a"', '\\n', '\\x', '\\/', '\ufeff', '\u2028', '\xa0', '00', '1e5', '1.5', '-0', '\x00', '1' * 4301, '-' + '1' * 4301,
          '1' * 4301 + '.5', '[' * 951, '{"a":' * 951]


def json_soup():
    """Short texts from JSON-ish tokens: mostly invalid JSON, for json.loads' messages and offsets."""
    prefix = R.choice(["", "", '{"messages": [{"content": "é😀', '{"messages": [', '["日本', '{"a": "\\ud83d\\ude00', "[1, 2", '"', "\x00", "{\x00", "\x00\x00"])
    return prefix + "".join(R.choice(TOKENS) for _ in range(R.randrange(1, 9)))


def raw_of(b):
    text = json.dumps(b, ensure_ascii=True)
    if R.random() < 0.5:  # raw non-ASCII too, unless it has lone surrogates (not text on the wire)
        try:
            json.dumps(b, ensure_ascii=False).encode("utf-8")
            text = json.dumps(b, ensure_ascii=False)
        except UnicodeEncodeError:
            pass
    if R.random() < 0.12:
        text = mutate_json(text)
    elif R.random() < 0.05:
        text = R.choice(["", " ", "\n", "\ufeff{}", "{}\ufeff", "nul", "[", '"\\ud800"', "1e999", "-", "01", "1.", "[1,]", "{,}", '{"a" 1}'])
    return text


def created_at_value():
    """Timestamps near the edges (seconds/milliseconds watershed, year 0/1/9999), as numbers or text."""
    edge = R.choice([0, 2e10, -2e10, 253402300799, 253402300799999, -62167219200, -62135596800, -62167219200000, -62135596800000,
                     1714560000, 1714560000123, 2**53, 2**63, 86400])
    v = edge + R.choice([0, 0, 1, -1, 0.5, -0.5, 0.001, -0.001, 1e-7, R.uniform(-2, 2), R.uniform(-1e6, 1e6)])
    if R.random() < 0.5 and v == int(v) and abs(v) < 2**63:
        v = int(v)
    r = R.random()
    if r < 0.4:
        return v
    if r < 0.7:
        return repr(v) if isinstance(v, float) else str(v)
    return datetime_string()


def datetime_body():
    return {"messages": [{"content": "x", "peer_id": "a", "created_at": created_at_value()} for _ in range(R.choice([1, 1, 2]))]}


MODE = os.environ.get("MODE", "mixed")
cases = []
for k in range(N):
    ws, ss = name(), name()
    b = datetime_body() if MODE == "datetime" else body()
    raw = json.dumps(b) if MODE == "datetime" else json_soup() if MODE == "json" or R.random() < 0.25 else raw_of(b)
    expect = models.run(ws, ss, raw)
    if expect["status"] == 201:
        expect = {"status": 201, "value": expect["value"]}
    cases.append({"name": f"fuzz_{k}", "workspace_id": ws, "session_id": ss, "raw": raw, "expect": expect})

with open(OUT, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=True)
print(f"{len(cases)} cases -> {OUT}")
