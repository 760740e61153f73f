"""Checks queue rows against Honcho's own payload models.

Reads a JSON array of queue rows {task_type, work_unit_key, workspace_name,
payload} on stdin and prints a JSON array of problems (empty when every row is
one Honcho could have written). For each row:
  * the payload validates with the model for its task_type (extra="forbid");
  * model_dump(mode="json", exclude_none=True) gives back the stored payload,
    key for key and type for type, except created_at, whose string form may
    differ (e.g. milliseconds vs microseconds): those are compared parsed;
  * work_unit_key is what construct_work_unit_key gives for it.

The models are re-declared verbatim from plastic-labs/honcho ddbb90e3:
src/utils/queue_payload.py:1-108, src/schemas/configuration.py:16-23, 90-107
and 160-208, src/schemas/internal.py:16-20, src/utils/work_unit.py:19-86
(docstrings and comments trimmed).

Exit code 3 (and a message on stderr) when pydantic >= 2 is missing, so the
caller can skip instead of failing.
"""

import json
import os
import subprocess
import sys
from enum import Enum
from typing import Any, cast

try:
    import pydantic
    from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator, model_validator

    if int(pydantic.VERSION.split(".")[0]) < 2:
        raise ImportError(f"pydantic {pydantic.VERSION} < 2")
except ImportError as e:
    print(f"honcho_payloads.py needs pydantic>=2: {e}", file=sys.stderr)
    sys.exit(3)

from datetime import datetime
from typing import Literal

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))

# --- token estimate for custom_instructions ----------------------------------
# Honcho: estimate_tokens(text) = len(tiktoken o200k_base.encode(text)), or
# len(text) // 4 when encode raises, which it does for text containing a
# special token (encode's default disallowed_special="all")
# (src/utils/tokens.py:11-23). Python's tiktoken is not installed here, so
# this does not need it: it uses it when importable, and otherwise counts
# with the npm `tiktoken` package in node_modules (the same o200k_base BPE,
# compiled to WASM; test/oracle/models.py counts the same way). Only texts
# that could exceed the budget are counted at all: a BPE token is at least one
# UTF-8 byte, so a text of at most max_tokens bytes is within it.
_O200K_SPECIAL = ("<|endoftext|>", "<|endofprompt|>")
_COUNT_JS = """
const {get_encoding} = require('tiktoken');
const enc = get_encoding('o200k_base');
let s = ''; process.stdin.on('data', (d) => s += d).on('end', () => {
  process.stdout.write(String(enc.encode(JSON.parse(s), [], []).length));
});
"""


def estimate_tokens(text: str | None) -> int:
    if not text:
        return 0
    if any(special in text for special in _O200K_SPECIAL):
        return len(text) // 4
    try:
        import tiktoken  # type: ignore[import-not-found]

        return len(tiktoken.get_encoding("o200k_base").encode(text))
    except ImportError:
        pass
    out = subprocess.run(["node", "-e", _COUNT_JS], input=json.dumps(text), capture_output=True, text=True, cwd=_ROOT, check=True)
    return int(out.stdout)


# DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS, Honcho's default 2000 (src/config.py:939-941).
MAX_CUSTOM_INSTRUCTIONS_TOKENS = int(os.environ.get("DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS", "2000"))


def _validate_custom_instructions_budget(
    custom_instructions: str | None,
) -> str | None:
    if custom_instructions is None:
        return None
    if not custom_instructions.strip():
        return custom_instructions

    max_tokens = MAX_CUSTOM_INSTRUCTIONS_TOKENS
    if max_tokens <= 0:
        raise ValueError("custom_instructions are not enabled for this deployment")

    # Short cut (see above): at most max_tokens UTF-8 bytes is at most max_tokens tokens.
    if len(custom_instructions.encode("utf-8", "surrogatepass")) > max_tokens and estimate_tokens(custom_instructions) > max_tokens:
        raise ValueError(
            f"custom_instructions exceeds DERIVER.MAX_CUSTOM_INSTRUCTIONS_TOKENS ({max_tokens} tokens)"
        )

    return custom_instructions


# --- src/schemas/configuration.py, src/schemas/internal.py --------------------


class DreamType(str, Enum):
    OMNI = "omni"
    CARD_REFRESH = "card_refresh"


class ReconcilerType(str, Enum):
    SYNC_VECTORS = "sync_vectors"
    CLEANUP_QUEUE = "cleanup_queue"


class ResolvedReasoningConfiguration(BaseModel):
    enabled: bool
    custom_instructions: str | None = None

    @field_validator("custom_instructions")
    @classmethod
    def validate_custom_instructions(cls, value: str | None) -> str | None:
        return _validate_custom_instructions_budget(value)


class ResolvedPeerCardConfiguration(BaseModel):
    use: bool
    create: bool


class ResolvedSummaryConfiguration(BaseModel):
    enabled: bool
    messages_per_short_summary: int
    messages_per_long_summary: int


class ResolvedDreamConfiguration(BaseModel):
    enabled: bool


class ResolvedConfiguration(BaseModel):
    reasoning: ResolvedReasoningConfiguration
    peer_card: ResolvedPeerCardConfiguration
    summary: ResolvedSummaryConfiguration
    dream: ResolvedDreamConfiguration

    @model_validator(mode="before")
    @classmethod
    def migrate_deriver_to_reasoning(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data

        config = cast(dict[str, Any], data)

        if "deriver" in config and "reasoning" not in config:
            config["reasoning"] = config.pop("deriver")

        return config


# --- src/utils/queue_payload.py -----------------------------------------------


class BasePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepresentationPayload(BasePayload):
    task_type: Literal["representation"] = "representation"
    session_name: str
    content: str
    observers: list[str]
    observed: str
    created_at: datetime
    configuration: ResolvedConfiguration


class RepresentationPayloads(BasePayload):
    payloads: list[RepresentationPayload]


class SummaryPayload(BasePayload):
    task_type: Literal["summary"] = "summary"
    session_name: str
    message_seq_in_session: int
    configuration: ResolvedConfiguration
    message_public_id: str | None = None


class WebhookPayload(BasePayload):
    task_type: Literal["webhook"] = "webhook"
    event_type: str
    data: dict[str, Any]


class DreamPayload(BasePayload):
    task_type: Literal["dream"] = "dream"
    dream_type: DreamType
    observer: str
    observed: str
    session_name: str | None = None
    trigger_reason: str | None = None
    delay_reason: str | None = None
    documents_since_last_dream_at_schedule: int | None = None
    document_threshold: int | None = None
    rebuild: bool = False


class ScopeBackfillPayload(BasePayload):
    task_type: Literal["scope_backfill"] = "scope_backfill"
    scope_peer: str
    session_name: str


class ScopeRemovalPayload(BasePayload):
    task_type: Literal["scope_removal"] = "scope_removal"
    scope_peer: str
    session_name: str


class DeletionPayload(BasePayload):
    task_type: Literal["deletion"] = "deletion"
    deletion_type: Literal["session", "observation", "workspace"]
    resource_id: str


class ReconcilerPayload(BasePayload):
    task_type: Literal["reconciler"] = "reconciler"
    reconciler_type: ReconcilerType


# --- src/utils/work_unit.py ---------------------------------------------------


def construct_work_unit_key(workspace_name: str, payload: dict[str, Any]) -> str:
    task_type: str | None = payload.get("task_type")
    if not workspace_name or not task_type:
        raise ValueError(
            "workspace_name and task_type are required to generate a work_unit_key"
        )

    if task_type in ["representation", "summary", "dream"]:
        observer = payload.get("observer", "None")
        observed = payload.get("observed", "None")
        session_name = payload.get("session_name", "None")
        if task_type == "dream":
            dream_type = payload.get("dream_type")
            if not dream_type:
                raise ValueError("dream_type is required for dream tasks")
            return f"{task_type}:{dream_type}:{workspace_name}:{observer}:{observed}"
        if task_type == "representation":
            return f"{task_type}:{workspace_name}:{session_name}:{observed}"
        return f"{task_type}:{workspace_name}:{session_name}:{observer}:{observed}"

    if task_type == "webhook":
        return f"webhook:{workspace_name}"

    if task_type == "deletion":
        deletion_type = payload.get("deletion_type")
        resource_id = payload.get("resource_id")
        if not deletion_type or not resource_id:
            raise ValueError(
                "deletion_type and resource_id are required for deletion tasks"
            )
        return f"deletion:{workspace_name}:{deletion_type}:{resource_id}"

    if task_type == "reconciler":
        reconciler_type = payload.get("reconciler_type")
        if not reconciler_type:
            raise ValueError("reconciler_type is required for reconciler tasks")
        return f"reconciler:{reconciler_type}"

    if task_type in ("scope_backfill", "scope_removal"):
        scope_peer = payload.get("scope_peer")
        session_name = payload.get("session_name")
        if not scope_peer or not session_name:
            raise ValueError(
                f"scope_peer and session_name are required for {task_type} tasks"
            )
        return f"{task_type}:{workspace_name}:{scope_peer}:{session_name}"

    raise ValueError(f"Invalid task type: {task_type}")


# --- the check ----------------------------------------------------------------

MODELS: dict[str, type[BasePayload]] = {
    "representation": RepresentationPayload,
    "summary": SummaryPayload,
    "webhook": WebhookPayload,
    "dream": DreamPayload,
    "deletion": DeletionPayload,
    "reconciler": ReconcilerPayload,
    "scope_backfill": ScopeBackfillPayload,
    "scope_removal": ScopeRemovalPayload,
}

_DATETIME = TypeAdapter(datetime)


def _canonical(value: Any) -> str:
    # Type-exact: True vs 1, "20" vs 20 and 20 vs 20.0 all differ.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _differences(stored: Any, dumped: Any, path: str) -> list[str]:
    """Where the stored JSON and the model's dump differ, as path: stored vs model."""
    if isinstance(stored, dict) and isinstance(dumped, dict):
        out: list[str] = []
        for k in sorted(set(stored) | set(dumped)):
            p = f"{path}.{k}" if path else k
            if k not in dumped:
                out.append(f"{p}: stored {_canonical(stored[k])}, absent from the model's dump")
            elif k not in stored:
                out.append(f"{p}: absent from the stored payload, model dumps {_canonical(dumped[k])}")
            else:
                out.extend(_differences(stored[k], dumped[k], p))
        return out
    if _canonical(stored) != _canonical(dumped):
        return [f"{path or '(payload)'}: stored {_canonical(stored)}, model dumps {_canonical(dumped)}"]
    return []


def _expected_key(task_type: str, workspace: Any, payload: dict[str, Any]) -> str:
    # Reconciler rows carry no workspace: their keys are written as literals
    # (src/reconciler/scheduler.py:44-49), the same construct_work_unit_key gives.
    if task_type == "reconciler" and not workspace:
        return f"reconciler:{payload.get('reconciler_type')}"
    return construct_work_unit_key(workspace, payload)


def check_row(index: int, row: Any) -> list[str]:
    if not isinstance(row, dict):
        return [f"row {index}: not an object"]
    key = row.get("work_unit_key")
    where = f"row {index} ({key})"
    task_type = row.get("task_type")
    payload = row.get("payload")
    model = MODELS.get(task_type) if isinstance(task_type, str) else None
    if model is None:
        return [f"{where}: unknown task_type {task_type!r}"]
    if not isinstance(payload, dict):
        return [f"{where}: payload is not an object"]
    problems: list[str] = []
    if payload.get("task_type") != task_type:
        problems.append(f"{where}: payload task_type {payload.get('task_type')!r} != column task_type {task_type!r}")

    # Honcho builds the key from the dumped payload (src/deriver/enqueue.py:206,247);
    # the stored one stands in when the payload does not validate.
    key_source: dict[str, Any] = payload
    try:
        validated = model.model_validate(json.loads(json.dumps(payload)))  # a copy: the before-validator mutates
    except ValidationError as e:
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{where}: {model.__name__}: {loc}: {err['msg']}")
        validated = None

    if validated is not None:
        # Valid for the model, but Honcho's consumer refuses it (src/deriver/consumer.py:221-222).
        if isinstance(validated, RepresentationPayload) and not validated.observers:
            problems.append(f"{where}: observers is empty; Honcho's deriver rejects such a representation task")
        dumped = validated.model_dump(mode="json", exclude_none=True)
        key_source = dict(dumped)
        stored = dict(payload)
        if "created_at" in dumped and isinstance(stored.get("created_at"), str):
            stored_at = _DATETIME.validate_python(stored.pop("created_at"))
            dumped_at = _DATETIME.validate_python(dumped.pop("created_at"))
            if stored_at != dumped_at:
                problems.append(f"{where}: created_at {stored_at.isoformat()} != {dumped_at.isoformat()} after a round trip")
        for d in _differences(stored, dumped, ""):
            problems.append(f"{where}: not what {model.__name__}.model_dump(mode='json', exclude_none=True) gives: {d}")

    try:
        expected = _expected_key(task_type, row.get("workspace_name"), key_source)
        if key != expected:
            problems.append(f"{where}: work_unit_key {key!r} != construct_work_unit_key(...) {expected!r}")
    except ValueError as e:
        problems.append(f"{where}: construct_work_unit_key: {e}")
    return problems


def main() -> None:
    rows = json.load(sys.stdin)
    if not isinstance(rows, list):
        print(json.dumps(["input is not a JSON array"]))
        return
    problems: list[str] = []
    for i, row in enumerate(rows):
        problems.extend(check_row(i, row))
    print(json.dumps(problems, ensure_ascii=False))


if __name__ == "__main__":
    main()
