"""Pydantic models mirroring Honcho's Create Messages route, and a FastAPI-like
runner: path parameters first, then the body; loc starts with "path"/"body";
ctx exceptions encoded as {}. Used to generate test/oracle/cases.json."""
import codecs
import datetime
import json
import os
import subprocess
import sys
from typing import Annotated, Any, cast

from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError, field_validator

RESOURCE_NAME_PATTERN = r"^[a-zA-Z0-9_-]+$"
Name = Annotated[str, Field(min_length=1, max_length=512, pattern=RESOURCE_NAME_PATTERN)]
_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))

# o200k_base through the tiktoken package in node_modules (the reference the
# service's counter is tested against; python tiktoken is not installed here),
# special-token text counted as ordinary text. One long-lived node process:
# a JSON string per line in, a count per line out.
_COUNTER_JS = """
const {get_encoding} = require('tiktoken');
const enc = get_encoding('o200k_base');
require('readline').createInterface({input: process.stdin}).on('line', (l) => {
  process.stdout.write(enc.encode(JSON.parse(l), [], []).length + '\\n');
});
"""
_counter = None


def count_tokens(text: str) -> int:
    global _counter
    if _counter is None:
        _counter = subprocess.Popen(["node", "-e", _COUNTER_JS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_ROOT, text=True, encoding="utf-8")
    _counter.stdin.write(json.dumps(text) + "\n")  # ensure_ascii: lone surrogates travel as escapes
    _counter.stdin.flush()
    return int(_counter.stdout.readline())


def _sanitize_value(v: Any) -> Any:
    if isinstance(v, str):
        return v.replace("\x00", "")
    if isinstance(v, dict):
        return {_sanitize_value(k): _sanitize_value(val) for k, val in v.items()}
    if isinstance(v, list):
        return [_sanitize_value(i) for i in v]
    return v


def _check_metadata_limits(data: dict, *, _current_depth: int = 1) -> None:
    if _current_depth > 5:
        raise ValueError("Metadata nesting exceeds maximum depth of 5")
    if _current_depth == 1 and len(data) > 100:
        raise ValueError("Metadata exceeds maximum of 100 top-level keys")
    for v in data.values():
        if isinstance(v, dict):
            _check_metadata_limits(cast(dict, v), _current_depth=_current_depth + 1)


def _validate_metadata(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    _check_metadata_limits(v)
    return _sanitize_value(v)


SanitizedMetadata = Annotated[dict[str, Any], BeforeValidator(_validate_metadata)]


class ReasoningConfiguration(BaseModel):
    enabled: bool | None = None
    custom_instructions: str | None = None

    @field_validator("custom_instructions")
    @classmethod
    def budget(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            return value
        # special-token text counts as ordinary text, as in the service
        if count_tokens(value) > 2000:
            raise ValueError("custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS (2000 tokens)")
        return value


class MessageConfiguration(BaseModel):
    reasoning: ReasoningConfiguration | None = None


class MessageCreate(BaseModel):
    content: Annotated[str, Field(min_length=0, max_length=25000)]
    peer_name: Name = Field(alias="peer_id")
    metadata: SanitizedMetadata | None = None
    configuration: MessageConfiguration | None = None
    created_at: datetime.datetime | None = None

    @field_validator("content", mode="after")
    @classmethod
    def sanitize_content(cls, v: str) -> str:
        return v.replace("\x00", "")


class MessageBatchCreate(BaseModel):
    messages: list[MessageCreate] = Field(..., min_length=1, max_length=100)


_name = TypeAdapter(Name)
_batch = TypeAdapter(MessageBatchCreate)


def _errors(e: ValidationError, prefix: list) -> list:
    out = []
    for err in e.errors(include_url=False):
        d = {"type": err["type"], "loc": prefix + list(err["loc"]), "msg": err["msg"], "input": err["input"]}
        if "ctx" in err:
            d["ctx"] = {k: ({} if isinstance(v, Exception) else v) for k, v in err["ctx"].items()}
        out.append(d)
    return out


# FastAPI's json.loads runs some frames deep, so RecursionError (a 400) comes
# at about 958 nested containers on a bare app; the service takes 950.
MAX_JSON_DEPTH = 950


def _frames() -> int:
    n, f = 0, sys._getframe()
    while f:
        n, f = n + 1, f.f_back
    return n


def _loads_at(data: bytes, slack: int):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + slack)
    try:
        return json.loads(data)
    finally:
        sys.setrecursionlimit(old)


def _calibrate() -> int:
    """The recursion headroom with which exactly MAX_JSON_DEPTH nested arrays parse."""
    nest = lambda n: b"[" * n + b"]" * n  # noqa: E731
    for slack in range(MAX_JSON_DEPTH - 10, MAX_JSON_DEPTH + 40):
        try:
            _loads_at(nest(MAX_JSON_DEPTH), slack)
        except RecursionError:
            continue
        try:
            _loads_at(nest(MAX_JSON_DEPTH + 1), slack)
        except RecursionError:
            return slack
    raise RuntimeError("cannot calibrate the JSON depth limit")


_SLACK = None


def loads_like_fastapi(data: bytes):
    """json.loads with the recursion headroom FastAPI leaves (calibrated on first use, from this frame:
    calls entered through C, such as an import, use recursion without showing a frame)."""
    global _SLACK
    if _SLACK is None:
        _SLACK = _calibrate()
    return _loads_at(data, _SLACK)


def body_bytes(raw: str) -> bytes:
    """The body FastAPI would have received for `raw`, the text the service
    hands to parseJsonBody: UTF-8, whose decoder already dropped one BOM (so a
    BOM still in `raw` was a second one)."""
    data = raw.encode("utf-8", "surrogatepass")
    return codecs.BOM_UTF8 + data if raw.startswith("\ufeff") else data


def _rendered(result: dict) -> dict:
    """Starlette renders the 422 with json.dumps(allow_nan=False) and UTF-8: an echoed NaN/Infinity
    or lone surrogate fails there, and FastAPI answers 500 instead (marked "renders": false)."""
    if result["status"] == 422:
        try:
            json.dumps(result["detail"], ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (ValueError, UnicodeEncodeError):
            result["renders"] = False
    return result


def run(workspace_id: str, session_id: str, raw: str) -> dict:
    return _rendered(_run(workspace_id, session_id, raw))


def _run(workspace_id: str, session_id: str, raw: str) -> dict:
    """raw: the body text ("" = empty). Returns {"status": 422, "detail": [...]},
    {"status": 400} (FastAPI's "There was an error parsing the body") or
    {"status": 201, "value": [...]}."""
    data = body_bytes(raw)
    if data:  # Starlette's request.json(): json.loads on the bytes
        try:
            body = loads_like_fastapi(data)
        except json.JSONDecodeError as e:
            return {"status": 422, "detail": [{"type": "json_invalid", "loc": ["body", e.pos], "msg": "JSON decode error", "input": {}, "ctx": {"error": e.msg}}]}
        except Exception:  # RecursionError, int() digit limit, UnicodeDecodeError
            return {"status": 400}
    errors = []
    for name, value in (("workspace_id", workspace_id), ("session_id", session_id)):
        try:
            _name.validate_python(value)
        except ValidationError as e:
            errors += _errors(e, ["path", name])
    if not data:
        errors.append({"type": "missing", "loc": ["body"], "msg": "Field required", "input": None})
        return {"status": 422, "detail": errors}
    try:
        batch = _batch.validate_python(body)
    except ValidationError as e:
        return {"status": 422, "detail": errors + _errors(e, ["body"])}
    except RecursionError:  # _sanitize_value on lists nested hundreds deep: Honcho answers 500
        return {"status": 500}
    if errors:
        return {"status": 422, "detail": errors}
    return {"status": 201, "value": [
        {
            "content": m.content,
            "peer_id": m.peer_name,
            "metadata": m.metadata or {},
            "configuration": m.configuration.model_dump(exclude_none=True) if m.configuration else None,
            "created_at": None if m.created_at is None else (m.created_at if m.created_at.tzinfo else m.created_at.replace(tzinfo=datetime.timezone.utc)).isoformat(),
        }
        for m in batch.messages
    ]}
