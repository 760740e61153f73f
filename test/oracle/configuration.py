"""Writes test/oracle/configuration-cases.json: Honcho's configuration models
(WorkspaceConfiguration, SessionConfiguration, SessionPeerConfig, PeerConfig)
validated by pydantic itself, for src/domain/validation/configuration.ts.

Run: python3 test/oracle/configuration.py   (needs pydantic 2 and node_modules)

The models are re-declared verbatim from plastic-labs/honcho ddbb90e3
src/schemas/configuration.py:26-145 and 190-208 (descriptions trimmed), with
DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS a variable each case sets, and
o200k counting through tiktoken in node_modules (models.count_tokens).

Each case: {"name", "model", "max_tokens", "json": the value as JSON text
(parsed by json.loads here and by the service's Python-compatible parser
there), "expect": {"value": what Honcho stores} | {"detail": [...]}}, where
the value is model_dump(exclude_none=True) for workspace and session
configuration and model_dump() for the membership models, and the detail is
pydantic's errors as FastAPI writes them, under the location ["body"]. The
file itself is written with NaN allowed and non-ASCII escaped; the test reads
it with the same parser."""
import json
import os
import sys
from typing import Self

sys.path.insert(0, os.path.dirname(__file__))
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator  # noqa: E402

import models  # noqa: E402  (count_tokens)

MAX_TOKENS = 2000


def _validate_custom_instructions_budget(custom_instructions: str | None) -> str | None:
    if custom_instructions is None:
        return None
    if not custom_instructions.strip():
        return custom_instructions

    max_tokens = MAX_TOKENS
    if max_tokens <= 0:
        raise ValueError("custom_instructions are not enabled for this deployment")

    if models.count_tokens(custom_instructions) > max_tokens:
        raise ValueError(f"custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS ({max_tokens} tokens)")

    return custom_instructions


class ReasoningConfiguration(BaseModel):
    enabled: bool | None = Field(default=None)
    custom_instructions: str | None = Field(default=None)

    @field_validator("custom_instructions")
    @classmethod
    def validate_custom_instructions(cls, value: str | None) -> str | None:
        return _validate_custom_instructions_budget(value)


class PeerCardConfiguration(BaseModel):
    use: bool | None = Field(default=None)
    create: bool | None = Field(default=None)


class SummaryConfiguration(BaseModel):
    enabled: bool | None = Field(default=None)
    messages_per_short_summary: int | None = Field(default=None, ge=10)
    messages_per_long_summary: int | None = Field(default=None, ge=20)

    @model_validator(mode="after")
    def validate_summary_thresholds(self) -> Self:
        short = self.messages_per_short_summary
        long = self.messages_per_long_summary
        if short is not None and long is not None and short >= long:
            raise ValueError("messages_per_short_summary must be less than messages_per_long_summary")
        return self


class DreamConfiguration(BaseModel):
    enabled: bool | None = Field(default=None)


class WorkspaceConfiguration(BaseModel):
    model_config = ConfigDict(extra="allow")  # pyright: ignore

    reasoning: ReasoningConfiguration | None = Field(default=None)
    peer_card: PeerCardConfiguration | None = Field(default=None)
    summary: SummaryConfiguration | None = Field(default=None)
    dream: DreamConfiguration | None = Field(default=None)


class SessionConfiguration(WorkspaceConfiguration):
    pass


class PeerConfig(BaseModel):
    observe_me: bool | None = Field(default=None)


class SessionPeerConfig(PeerConfig):
    observe_others: bool | None = Field(default=None)


MODELS = {
    "WorkspaceConfiguration": (WorkspaceConfiguration, True),
    "SessionConfiguration": (SessionConfiguration, True),
    "SessionPeerConfig": (SessionPeerConfig, False),
    "PeerConfig": (PeerConfig, False),
}

W, S, SP, P = "WorkspaceConfiguration", "SessionConfiguration", "SessionPeerConfig", "PeerConfig"
LONG = "word " * 2100  # over 2000 o200k tokens
# (name, model, json text, max tokens)
CASES = [
    ("empty", W, "{}", 2000),
    ("every field", W, '{"reasoning": {"enabled": true, "custom_instructions": "be brief"}, "peer_card": {"use": false, "create": true}, "summary": {"enabled": true, "messages_per_short_summary": 10, "messages_per_long_summary": 20}, "dream": {"enabled": false}}', 2000),
    ("nulls dropped at every level, extra keys kept", W, '{"reasoning": null, "peer_card": {"use": null, "create": true}, "summary": {"enabled": null}, "x": null, "y": {"a": null}, "z": [null]}', 2000),
    ("empty sub-models kept", S, '{"reasoning": {}, "dream": {}}', 2000),
    ("extra keys of any type", W, '{"deriver": {"enabled": false}, "skip_deriver": true, "n": 1.5, "s": "x", "l": [1, {"a": 2}]}', 2000),
    ("not an object", W, '"x"', 2000),
    ("a list", S, "[]", 2000),
    ("null", S, "null", 2000),
    ("sub-model not an object", W, '{"reasoning": "x", "peer_card": 1, "summary": [], "dream": true}', 2000),
    ("lax bools", W, '{"reasoning": {"enabled": "YES"}, "peer_card": {"use": "off", "create": 0}, "dream": {"enabled": 1}}', 2000),
    ("bad bools", W, '{"reasoning": {"enabled": 2}, "peer_card": {"use": "maybe", "create": []}, "dream": {"enabled": 0.5}}', 2000),
    ("bool from a huge number", W, '{"dream": {"enabled": 1e300}}', 2000),
    ("bool from a lone surrogate", W, '{"dream": {"enabled": "\\ud800"}}', 2000),
    ("custom_instructions not a string", W, '{"reasoning": {"custom_instructions": 5}}', 2000),
    ("custom_instructions over budget", S, json.dumps({"reasoning": {"custom_instructions": LONG}}), 2000),
    ("custom_instructions at a lower budget", S, '{"reasoning": {"custom_instructions": "one two three four five six"}}', 3),
    ("custom_instructions within a lower budget", S, '{"reasoning": {"custom_instructions": "one two"}}', 3),
    ("custom_instructions disabled", W, '{"reasoning": {"custom_instructions": "anything"}}', 0),
    ("blank custom_instructions pass a disabled budget", W, '{"reasoning": {"custom_instructions": " \\t\\n\\u3000"}}', 0),
    ("custom_instructions and enabled both wrong", W, '{"reasoning": {"custom_instructions": [], "enabled": "x"}}', 2000),
    ("summary below the minimums", W, '{"summary": {"messages_per_short_summary": 5, "messages_per_long_summary": 5}}', 2000),
    ("summary short not below long", W, '{"summary": {"messages_per_short_summary": 30, "messages_per_long_summary": 25}}', 2000),
    ("summary short equal to long", W, '{"summary": {"messages_per_short_summary": 20, "messages_per_long_summary": 20}}', 2000),
    ("summary validator skipped when a field fails", W, '{"summary": {"enabled": "x", "messages_per_short_summary": 30, "messages_per_long_summary": 25}}', 2000),
    ("summary ints from strings", W, '{"summary": {"messages_per_short_summary": " +12 ", "messages_per_long_summary": "1_000.00"}}', 2000),
    ("summary int strings refused", W, '{"summary": {"messages_per_short_summary": "20.", "messages_per_long_summary": "1e2"}}', 2000),
    ("summary int strings refused 2", W, '{"summary": {"messages_per_short_summary": "_20", "messages_per_long_summary": "2__0"}}', 2000),
    ("summary int strings with unicode spaces", W, '{"summary": {"messages_per_short_summary": "\\u00a012", "messages_per_long_summary": "\\u200b20"}}', 2000),
    ("summary int from a fraction", W, '{"summary": {"messages_per_short_summary": 12.5, "messages_per_long_summary": 25.0}}', 2000),
    ("summary int from bools", W, '{"summary": {"messages_per_short_summary": true, "messages_per_long_summary": false}}', 2000),
    ("summary int of other types", W, '{"summary": {"messages_per_short_summary": [], "messages_per_long_summary": {}}}', 2000),
    ("summary int not finite", W, '{"summary": {"messages_per_short_summary": NaN, "messages_per_long_summary": Infinity}}', 2000),
    ("summary int too big", W, '{"summary": {"messages_per_short_summary": 1e30}}', 2000),
    ("summary int string too long", W, json.dumps({"summary": {"messages_per_long_summary": "1" * 4301}}), 2000),
    ("summary negative zero string", W, '{"summary": {"messages_per_long_summary": "-0"}}', 2000),
    ("summary int string with a lone surrogate", W, '{"summary": {"messages_per_long_summary": "\\ud800"}}', 2000),
    ("errors in every sub-model, in field order", S, '{"dream": {"enabled": "x"}, "summary": {"messages_per_long_summary": 1}, "peer_card": {"use": "x"}, "reasoning": {"enabled": "x"}}', 2000),
    ("membership: empty", SP, "{}", 2000),
    ("membership: both", SP, '{"observe_me": true, "observe_others": false}', 2000),
    ("membership: lax, unknown keys dropped", SP, '{"observe_me": "on", "observe_others": 1, "z": 1}', 2000),
    ("membership: nulls", SP, '{"observe_me": null, "observe_others": null}', 2000),
    ("membership: bad values", SP, '{"observe_me": 0.5, "observe_others": "maybe"}', 2000),
    ("membership: not an object", SP, "[true]", 2000),
    ("membership: null", SP, "null", 2000),
    ("peer config", P, '{"observe_me": "false", "observe_others": true}', 2000),
    ("peer config: bad", P, '{"observe_me": -1}', 2000),
]


def errors(e: ValidationError) -> list:
    out = []
    for err in e.errors(include_url=False):
        d = {"type": err["type"], "loc": ["body", *err["loc"]], "msg": err["msg"], "input": err["input"]}
        if "ctx" in err:
            d["ctx"] = {k: ({} if isinstance(v, Exception) else v) for k, v in err["ctx"].items()}
        out.append(d)
    return out


def main() -> None:
    global MAX_TOKENS
    out = []
    for name, model_name, text, max_tokens in CASES:
        MAX_TOKENS = max_tokens
        model, exclude_none = MODELS[model_name]
        try:
            m = TypeAdapter(model).validate_python(json.loads(text))
            expect = {"value": m.model_dump(exclude_none=exclude_none)}
        except ValidationError as e:
            expect = {"detail": errors(e)}
        out.append({"name": name, "model": model_name, "max_tokens": max_tokens, "json": text, "expect": expect})
    path = os.path.join(os.path.dirname(__file__), "configuration-cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{len(out)} cases → {path}")


if __name__ == "__main__":
    main()
