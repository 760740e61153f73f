"""Writes test/oracle/body-cases.json: random request bodies for Honcho's
other JSON routes (workspaces, peers, sessions, session members, message
updates, the list routes' options), each validated by Honcho's own pydantic
models, loaded from a fetched plastic-labs/honcho at HONCHO_COMMIT, not
re-declared. test/e2e/body-oracle.test.ts sends each over real HTTP.

Run: HONCHO_MIRROR=<git dir of plastic-labs/honcho> python3 test/oracle/bodies.py [count per route]
(needs pydantic 2 and node_modules; models.count_tokens stands in for tiktoken)

src/schemas/api.py, src/schemas/configuration.py and src/utils/scopes.py
are imported as Honcho wrote them; only what they import besides pydantic is
stubbed: settings (Honcho's defaults: MAX_MESSAGE_SIZE 25 000,
DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS 2 000), tiktoken and
src.utils.tokens.estimate_tokens (o200k counts), src.exceptions and
src.utils.types (names only).

FastAPI validates a lone body parameter with a TypeAdapter of its annotation
on the parsed JSON (python mode) and puts "body" before pydantic's location;
a case is {name, method, path (a list route's with a random query), raw:
the body's JSON text, expect}, where
expect is {"status": 422, "body": the answer's exact text} or {"status":
"ok"}: pydantic takes the body, and what follows depends on the database, so
any answer but a 5xx or a 422 with pydantic's list of errors (Honcho's own
checks after validation answer 422 with a sentence)."""
import json
import os
import random
import subprocess
import sys
import tempfile
import types
import typing
import urllib.parse
from typing import Annotated, Any

sys.path.insert(0, os.path.dirname(__file__))
from pydantic import Field, TypeAdapter, ValidationError  # noqa: E402

import models  # noqa: E402  (count_tokens, _errors)

HONCHO_COMMIT = "ddbb90e36f2d148c7982f6ed85b09d31cabf5944"
HONCHO_FILES = ["src/schemas/api.py", "src/schemas/configuration.py", "src/utils/scopes.py"]
OUT = os.path.join(os.path.dirname(__file__), "body-cases.json")


def load_honcho_schemas(mirror: str) -> types.ModuleType:
    root = tempfile.mkdtemp(prefix="honcho-schemas-")
    for path in HONCHO_FILES:
        text = subprocess.run(["git", "--git-dir", mirror, "show", f"{HONCHO_COMMIT}:{path}"], check=True, capture_output=True, text=True).stdout
        os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(root, path), "w", encoding="utf-8") as f:
            f.write(text)
    stubs = {
        "src/__init__.py": "",
        "src/schemas/__init__.py": "",  # Honcho's re-exports everything, LLM schemas included
        "src/utils/__init__.py": "",
        "src/config.py": (
            "from types import SimpleNamespace\nfrom typing import Literal\n"
            "ReasoningLevel = Literal['minimal', 'low', 'medium', 'high', 'max']\n"
            "settings = SimpleNamespace(MAX_MESSAGE_SIZE=25000, EMBEDDING=SimpleNamespace(MAX_INPUT_TOKENS=8192),\n"
            "                           DERIVER=SimpleNamespace(MAX_CUSTOM_INSTRUCTIONS_TOKENS=2000))\n"
        ),
        "src/exceptions.py": "class ValidationException(Exception):\n    pass\n",
        "src/utils/types.py": "from typing import Literal\nDocumentLevel = Literal['explicit', 'deductive', 'inductive', 'contradiction']\n",
        "src/utils/tokens.py": "import models\n\ndef estimate_tokens(text):\n    if not text:\n        return 0\n    if isinstance(text, list):\n        text = '\\n'.join(text)\n    return models.count_tokens(text)\n",
        "tiktoken.py": "import models\n\nclass _Encoding:\n    def encode(self, text):\n        return [0] * models.count_tokens(text)\n\ndef get_encoding(name):\n    return _Encoding()\n",
    }
    for path, text in stubs.items():
        with open(os.path.join(root, path), "w", encoding="utf-8") as f:
            f.write(text)
    sys.path.insert(0, root)
    import src.schemas.api as api  # noqa: E402

    return api


# ---------------------------------------------------------------------------
# values: what a client might send for each kind of field, good and bad
# ---------------------------------------------------------------------------

ODD = [None, True, False, 0, 1, -1, 1.5, "", "x", "true", "no", [], {}, [1], {"a": 1}]


def name_value(r: random.Random) -> Any:
    if r.random() < 0.5:
        return r.choice(["a", "alice", "A-b_9", "x" * 512])
    return r.choice([
        "x" * 513, "", "bad name", "dot.name", "scope.x", "é", "a\n", "a/b",
        " a", 7, 1.5, True, None, [], {}, ["a"],
    ])


def nested(depth: int) -> dict:
    d: Any = 1
    for i in range(depth):
        d = {f"k{i}": d}
    return d


def metadata_value(r: random.Random) -> Any:
    if r.random() < 0.4:
        return r.choice([{}, {"k": "v"}, {"n": [1, None, {"x": 1.5}]}])
    return r.choice([
        {}, {"k": "v"}, {"k": "a\x00b", "n\x00": [1, {"x": "\x00"}]}, {"k": None, "l": [1, 2], "f": 1.5},
        nested(4), nested(5), nested(6), {"a": {"b": [nested(6)]}},
        {f"k{i}": i for i in range(100)}, {f"k{i}": i for i in range(101)},
        {"deep": nested(3), "wide": {f"w{i}": i for i in range(150)}},
        {"b": 1, "2": {"1": 1.0, "a": [{"z": 0, "0": 1}]}, "0": [3]}, {"10": "x", "9": {"k": 1}},
    ] + ODD)


def reasoning_value(r: random.Random) -> Any:
    return r.choice([
        {}, {"enabled": True}, {"enabled": "yes"}, {"enabled": "maybe"}, {"enabled": 2}, {"enabled": None},
        {"custom_instructions": "be brief"}, {"custom_instructions": "   "}, {"custom_instructions": 5},
        {"custom_instructions": "word " * 2100}, {"enabled": False, "extra": 1},
    ] + ODD)


def workspace_configuration(r: random.Random) -> Any:
    if r.random() < 0.2:
        return r.choice([{}, {"reasoning": {"enabled": False}}, {"summary": {"enabled": True}}])
    if r.random() < 0.3:
        return r.choice(ODD)
    c: dict[str, Any] = {}
    if r.random() < 0.5:
        c["reasoning"] = reasoning_value(r)
    if r.random() < 0.3:
        c["peer_card"] = r.choice([{"use": True, "create": False}, {"use": "x"}, {"create": 3}, None, "x", {}])
    if r.random() < 0.3:
        c["summary"] = r.choice([
            {"enabled": True}, {"messages_per_short_summary": 10, "messages_per_long_summary": 20},
            {"messages_per_short_summary": 9}, {"messages_per_short_summary": 30, "messages_per_long_summary": 20},
            {"messages_per_long_summary": "40"}, {"messages_per_short_summary": 12.0}, {"messages_per_short_summary": 12.5},
            None, [], {"enabled": "off"},
        ])
    if r.random() < 0.3:
        c["dream"] = r.choice([{"enabled": True}, {"enabled": 1}, {"enabled": "on"}, {"enabled": []}, None, 4])
    if r.random() < 0.15:
        c[r.choice(["other", "deriver", "Reasoning"])] = r.choice(ODD)
    return c


def observe_flag(r: random.Random) -> Any:
    return r.choice([True, False, None, "true", "false", "yes", "off", "1", "0", 1, 0, 2, 1.0, 0.0, 0.5, "", [], {}])


def member_config(r: random.Random) -> Any:
    if r.random() < 0.15:
        return r.choice(ODD)
    c: dict[str, Any] = {}
    for key in ("observe_me", "observe_others"):
        if r.random() < 0.6:
            c[key] = observe_flag(r)
    if r.random() < 0.1:
        c["extra"] = 1
    return c


def members_value(r: random.Random) -> Any:
    if r.random() < 0.1:
        return r.choice(ODD)
    out = {}
    for _ in range(r.choice([0, 1, 1, 2, 3])):
        out[str(r.choice(["alice", "bob", "carol", "", "bad name", "x" * 600, "dot.name", "é"]))] = member_config(r)
    return out


def filters_value(r: random.Random) -> Any:
    return r.choice([
        None, {}, {"metadata": {"k": "v"}}, {"peer_id": "alice"}, {"AND": [{"peer_id": "alice"}]},
        {"created_at": {"gte": "2024-01-01"}}, [], "x", 1, True, [{"a": 1}],
    ])


def scopes_value(r: random.Random) -> Any:
    return r.choice([
        None, [], ["a"], ["a", "b"], ["bad name"], ["scope.a"], ["x" * 505], ["x" * 506], [""], [1], "a",
        ["a"] * 100, ["a"] * 101, [None], {"a": 1},
    ])


def object_body(r: random.Random, fields: dict) -> Any:
    """Each field present half the time; now and then an unknown key, or a body that is no object."""
    if r.random() < 0.06:
        return r.choice([None, [], [{}], "x", 1, True, 2.5, 3.0])
    body = {name: make(r) for name, make in fields.items() if r.random() < 0.5}
    if r.random() < 0.1:
        body[r.choice(["extra", "ID", "metadata_", "h_metadata", "2", "10"])] = r.choice(ODD)  # "2": JavaScript would put it first
    return body


def peer_card_value(r: random.Random) -> Any:
    if r.random() < 0.4:
        return [r.choice(["likes tea", "", "a\x00b", "é"]) for _ in range(r.randrange(4))]
    return r.choice([None, "x", 1, 1.0, True, {}, {"a": 1}, ["a", 1], ["a", None], [["a"]], ["a", {"b": 2.0}], [True]] + ODD)  # no unpaired surrogate: pydantic takes one, Honcho fails to store it (500), a 422 here (peers.test.ts)


def member_names(r: random.Random) -> Any:
    if r.random() < 0.15:
        return r.choice(ODD)
    return [r.choice(["alice", "bob", "", "x" * 600, 1, None, [], "bad name"]) for _ in range(r.choice([0, 1, 2, 3]))]


# The list routes' query: fastapi_pagination's Params (a dependency, so solved
# first: page: int = Query(1, ge=1), size: int = Query(50, ge=1, le=100)), then
# the route's own reverse: bool (messages: bool | None), each validated from the
# string as sent.
QUERY = [
    ("page", TypeAdapter(Annotated[int, Field(ge=1)]), ["1", "2", "0", "-1", "x", "", "1.0", " 2", "1_0", "1e1", "99999999999999999999"]),
    ("size", TypeAdapter(Annotated[int, Field(ge=1, le=100)]), ["1", "50", "100", "101", "0", "x", "", "5.5", "+7"]),
    ("reverse", TypeAdapter(bool), ["true", "false", "1", "0", "yes", "no", "on", "off", "maybe", "", "TRUE", "t", "f", " true"]),
]


def query_value(r: random.Random) -> dict:
    return {name: r.choice(pool) for name, _, pool in QUERY if r.random() < 0.3}


# route name -> (method, path, annotation name, body maker); {w} {s} {p} {m} are filled by the test
def routes(api: types.ModuleType) -> dict:
    ws = {"id": name_value, "name": name_value, "metadata": metadata_value, "configuration": workspace_configuration}
    session = dict(ws, peers=members_value, peer_names=members_value, scopes=scopes_value)
    peer = {"id": name_value, "name": name_value, "metadata": metadata_value, "configuration": lambda r: r.choice([{}, {"any": [1]}] + ODD)}
    listing = {"filters": filters_value}
    return {
        "workspace_create": ("POST", "/v3/workspaces", api.WorkspaceCreate, lambda r: object_body(r, ws)),
        "workspace_update": ("PUT", "/v3/workspaces/{w}", api.WorkspaceUpdate, lambda r: object_body(r, {"metadata": metadata_value, "configuration": workspace_configuration})),
        "workspace_list": ("POST", "/v3/workspaces/list", api.WorkspaceGet | None, lambda r: object_body(r, listing)),
        "peer_create": ("POST", "/v3/workspaces/{w}/peers", api.PeerCreate, lambda r: object_body(r, peer)),
        "peer_update": ("PUT", "/v3/workspaces/{w}/peers/{p}", api.PeerUpdate, lambda r: object_body(r, {"metadata": metadata_value, "configuration": peer["configuration"]})),
        "peer_list": ("POST", "/v3/workspaces/{w}/peers/list", api.PeerGet | None, lambda r: object_body(r, dict(listing, kind=lambda r: r.choice(["scope", "all", None, "peer", "ALL", 1])))),
        "peer_sessions": ("POST", "/v3/workspaces/{w}/peers/{p}/sessions", api.SessionGet | None, lambda r: object_body(r, listing)),
        "session_create": ("POST", "/v3/workspaces/{w}/sessions", api.SessionCreate, lambda r: object_body(r, session)),
        "session_update": ("PUT", "/v3/workspaces/{w}/sessions/{s}", api.SessionUpdate, lambda r: object_body(r, {"metadata": metadata_value, "configuration": workspace_configuration})),
        "session_list": ("POST", "/v3/workspaces/{w}/sessions/list", api.SessionGet | None, lambda r: object_body(r, listing)),
        "members_add": ("POST", "/v3/workspaces/{w}/sessions/{s}/peers", dict[str, api.SessionPeerConfig], members_value),
        "members_set": ("PUT", "/v3/workspaces/{w}/sessions/{s}/peers", dict[str, api.SessionPeerConfig], members_value),
        "members_remove": ("DELETE", "/v3/workspaces/{w}/sessions/{s}/peers", list[str], member_names),
        "member_config": ("PUT", "/v3/workspaces/{w}/sessions/{s}/peers/{p}/config", api.SessionPeerConfig, member_config),
        "message_list": ("POST", "/v3/workspaces/{w}/sessions/{s}/messages/list", api.MessageGet | None, lambda r: object_body(r, listing)),
        "message_update": ("PUT", "/v3/workspaces/{w}/sessions/{s}/messages/{m}", api.MessageUpdate, lambda r: object_body(r, {"metadata": metadata_value})),
        "peer_card_set": ("PUT", "/v3/workspaces/{w}/peers/{p}/card", api.PeerCardSet, lambda r: object_body(r, {"peer_card": peer_card_value})),
    }


def expect(adapter: TypeAdapter, optional: bool, raw: str, query: dict) -> dict:
    """The answer FastAPI gives: the query's errors, then pydantic's on json.loads of the body, the 422
    rendered as Starlette's JSONResponse renders it (json.dumps, ensure_ascii=False, allow_nan=False,
    compact), byte for byte."""
    detail = []
    for name, param, _ in QUERY:
        if name in query:
            try:
                param.validate_python(query[name])
            except ValidationError as e:
                detail += models._errors(e, ["query", name])
    body = json.loads(raw)
    if body is None:  # FastAPI's _validate_value_with_model_field: None is a missing body, or the default
        if not optional:
            detail.append({"type": "missing", "loc": ["body"], "msg": "Field required", "input": None})
    else:
        try:
            adapter.validate_python(body)
        except ValidationError as e:
            detail += models._errors(e, ["body"])
    if detail:
        return {"status": 422, "body": json.dumps({"detail": detail}, ensure_ascii=False, allow_nan=False, separators=(",", ":"))}
    return {"status": "ok"}


def main() -> None:
    mirror = os.environ.get("HONCHO_MIRROR")
    if not mirror:
        sys.exit("set HONCHO_MIRROR to the git dir of a fetched plastic-labs/honcho")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    api = load_honcho_schemas(mirror)
    r = random.Random(17)
    cases, seen = [], set()
    for name, (method, path, annotation, make) in routes(api).items():
        adapter = TypeAdapter(annotation)
        optional = type(None) in typing.get_args(annotation)  # `X | None = Body(None)`
        made = 0
        for _ in range(count * 20):
            if made == count:
                break
            raw = json.dumps(make(r))
            query = query_value(r) if name.endswith(("_list", "_sessions")) else {}
            target = f"{path}?{urllib.parse.urlencode(query)}" if query else path
            if (name, target, raw) in seen:
                continue
            seen.add((name, target, raw))
            cases.append({"name": f"{name}_{made}", "method": method, "path": target, "raw": raw, "expect": expect(adapter, optional, raw, query)})
            made += 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n")  # a case a line
    bad = sum(1 for c in cases if c["expect"]["status"] == 422)
    print(f"{len(cases)} cases, {bad} answered 422, written to {out}")


if __name__ == "__main__":
    main()
