"""Pydantic models mirroring Honcho's Create Messages route, and a FastAPI-like
runner: path parameters first, then the body; loc starts with "path"/"body";
ctx exceptions encoded as {}. Used to generate test/oracle/cases.json."""
import datetime
import json
import re
from typing import Annotated, Any, cast

import subprocess
from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError, field_validator

RESOURCE_NAME_PATTERN = r"^[a-zA-Z0-9_-]+$"
Name = Annotated[str, Field(min_length=1, max_length=512, pattern=RESOURCE_NAME_PATTERN)]
_ROOT = __import__("os").path.abspath(__import__("os").path.join(__import__("os").path.dirname(__file__), "../.."))


def count_tokens(text: str) -> int:
    """o200k_base via the project's node_modules (python tiktoken is not installed here)."""
    js = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const {countTokens}=require('gpt-tokenizer/cjs/encoding/o200k_base');process.stdout.write(String(countTokens(s,{disallowedSpecial:new Set()})))})"
    out = subprocess.run(["node", "-e", js], input=text.encode("utf-8", "surrogatepass"), capture_output=True, cwd=_ROOT, check=True)
    return int(out.stdout)


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


def run(workspace_id: str, session_id: str, raw: str | None) -> dict:
    """raw: the body text ("" = empty). Returns {"status": 422, "detail": [...]} or {"status": 201, "value": ...}."""
    if raw:
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as e:
            return {"status": 422, "detail": [{"type": "json_invalid", "loc": ["body", e.pos], "msg": "JSON decode error", "input": {}, "ctx": {"error": e.msg}}]}
    errors = []
    for name, value in (("workspace_id", workspace_id), ("session_id", session_id)):
        try:
            _name.validate_python(value)
        except ValidationError as e:
            errors += _errors(e, ["path", name])
    if not raw:
        errors.append({"type": "missing", "loc": ["body"], "msg": "Field required", "input": None})
        return {"status": 422, "detail": errors}
    try:
        batch = _batch.validate_python(body)
    except ValidationError as e:
        return {"status": 422, "detail": errors + _errors(e, ["body"])}
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
