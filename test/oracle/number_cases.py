"""Writes test/oracle/number-cases.json: JSON texts full of numbers Python
and JavaScript write differently (integral floats, exponents, -0.0, ints
past 2^53, long fractions), each with Python's own round trip,
json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")),
and pydantic-core's (pydantic_core.to_json(json.loads(text)), what FastAPI
writes a response model's answer with). test/unit/exact-numbers.test.ts
parses each as the service parses a body and writes it back with
pythonJson() and pydanticJson(); each must be equal byte for byte.
Then texts whose keys are integer-like, which a JavaScript object puts first
where Python's dict keeps them as they came (exact-numbers.ts keeps that
order too): given twice, escaped, nested, past 2^32 - 2 (no index then).

Run: python3 test/oracle/number_cases.py (not numbers.py: that would hide the standard library's numbers module from the scripts beside it)"""
import json
import os
import random

import pydantic_core

OUT = os.path.join(os.path.dirname(__file__), "number-cases.json")


def number(r: random.Random) -> str:
    """A number literal as a client might write it."""
    kind = r.randrange(9)
    if kind == 0:
        return r.choice(["1.0", "0.0", "-0.0", "-0", "100.00", "2.50", "1e3", "1E3", "1e+3", "1.5e-7", "-2.0e2", "1e16", "1e15", "1e-5", "0.0001", "1e22", "1e-300"])
    if kind == 1:
        return str(r.randrange(-10**20, 10**20))
    if kind == 2:
        return str(r.choice([2**53, 2**53 + 1, -(2**53) - 1, 2**63 - 1, 2**64, 9007199254740993, 12345678901234567890]))
    if kind == 3:
        return f"{r.randrange(10**6)}.{'0' * r.randrange(1, 4)}"
    if kind == 4:
        return repr(r.uniform(-1e6, 1e6))
    if kind == 5:
        return f"{r.randrange(1, 10)}e{r.randrange(-30, 30)}"
    if kind == 6:
        return f"{r.random():.{r.randrange(1, 25)}f}"
    if kind == 7:
        return str(r.randrange(-1000, 1000))
    return json.dumps(r.choice(["1.0", 'a"b\\', "e5", "-0.0", "x" * 20]))


def value(r: random.Random, depth: int) -> str:
    if depth > 3 or r.random() < 0.5:
        return number(r)
    if r.random() < 0.5:
        return "[" + ", ".join(value(r, depth + 1) for _ in range(r.randrange(4))) + "]"
    keys = [r.choice(["a", "b", "score", "id", "k\\u00e9", "__proto__", "x y", "n1"]) for _ in range(r.randrange(5))]
    return "{" + ", ".join(f'"{k}": {value(r, depth + 1)}' for k in keys) + "}"


KEYS = ["b", "a", "0", "1", "2", "10", "9", "01", "-1", "1.0", "\\u0031", "4294967294", "4294967295", "__proto__", "k\\u0000"]


def keyed(r: random.Random, depth: int) -> str:
    """An object (or a list of them) with integer-like keys among others."""
    if depth > 2 or r.random() < 0.3:
        return number(r)
    if r.random() < 0.2:
        return "[" + ", ".join(keyed(r, depth + 1) for _ in range(r.randrange(3))) + "]"
    keys = [r.choice(KEYS) for _ in range(r.randrange(1, 6))]
    return "{" + ", ".join(f'"{k}": {keyed(r, depth + 1)}' for k in keys) + "}"


def case(text: str) -> dict:
    v = json.loads(text)
    return {"text": text, "python": json.dumps(v, ensure_ascii=False, separators=(",", ":")), "pydantic": pydantic_core.to_json(v).decode()}


def main() -> None:
    r = random.Random(7)
    cases = []
    for _ in range(600):
        text = value(r, 0)
        cases.append(case(text))
    r = random.Random(8)
    for _ in range(300):
        text = keyed(r, 0)
        cases.append(case(text))
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    print(f"{len(cases)} cases written to {OUT}")


if __name__ == "__main__":
    main()
