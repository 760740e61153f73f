"""Writes test/oracle/datetime-text-cases.json: created_at values a client
might send, each with the text pydantic 2 writes for the datetime it parsed
(TypeAdapter(datetime).dump_python(..., mode="json")): the wall-clock time in
the offset it was written with, Z for offset 0, nothing for a naive value,
microseconds truncated. Honcho answers a new message with that text
(src/crud/message.py keeps the parsed datetime on the ORM object).
test/unit/datetime-text.test.ts parses each as the service does and compares.

Run: python3 test/oracle/datetime_texts.py"""
import datetime
import json
import os
import random

from pydantic import TypeAdapter, ValidationError

OUT = os.path.join(os.path.dirname(__file__), "datetime-text-cases.json")
ADAPTER = TypeAdapter(datetime.datetime)


def value(r: random.Random):
    kind = r.randrange(6)
    if kind == 0:
        return r.choice([0, 1700000000, 1700000000.5, -1, 1e10, 2e10 + 1, 1700000000123, 86400, "1700000000", "1700000000.25"])
    date = f"{r.randrange(1, 10000):04d}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}"
    if kind == 1:
        return date
    time = f"{r.randrange(24):02d}:{r.randrange(60):02d}"
    if r.random() < 0.8:
        time += f":{r.randrange(60):02d}"
        if r.random() < 0.5:
            time += "." + "".join(str(r.randrange(10)) for _ in range(r.randrange(1, 10)))
    sep = r.choice(["T", "t", " ", "_"])
    zone = r.choice(["", "Z", "z", "+00:00", "-00:00", f"+{r.randrange(24):02d}:{r.choice([0, 15, 30, 45]):02d}",
                     f"-{r.randrange(24):02d}:{r.choice([0, 30]):02d}", f"+{r.randrange(24):02d}{r.randrange(60):02d}", "+05"])
    return f"{date}{sep}{time}{zone}"


def main() -> None:
    r = random.Random(11)
    cases, seen = [], set()
    while len(cases) < 400:
        v = value(r)
        if json.dumps(v) in seen:
            continue
        seen.add(json.dumps(v))
        try:
            text = ADAPTER.dump_python(ADAPTER.validate_python(v), mode="json")
        except ValidationError:
            text = None
        cases.append({"input": v, "text": text})
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")
    print(f"{len(cases)} cases ({sum(c['text'] is None for c in cases)} refused) written to {OUT}")


if __name__ == "__main__":
    main()
