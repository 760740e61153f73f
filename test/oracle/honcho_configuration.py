"""Honcho's configuration resolution, as an oracle for the service's SQL.

Reads a JSON array of cases {defaults, workspace, session, message} on stdin
and prints, for each, the resolved configuration as Honcho would serialise it
into a queue payload (ResolvedConfiguration.model_dump(mode="json",
exclude_none=True)), or {"error": "..."} where Honcho's resolution fails (a
value of the wrong type: Honcho then writes no work for the batch).

deep_update, normalize_configuration_dict and get_configuration are
re-declared verbatim from plastic-labs/honcho ddbb90e3
src/utils/config_helpers.py:16-137 (docstrings trimmed; the settings defaults
come in as `defaults`); the Resolved* models are honcho_payloads.py's.

Exit code 3 when pydantic >= 2 is missing (honcho_payloads.py's convention).
"""

import json
import os
import sys
from typing import Any, cast

sys.path.insert(0, os.path.dirname(__file__))
from honcho_payloads import ResolvedConfiguration  # noqa: E402  (exits 3 without pydantic)


def deep_update(base: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if value is None:
            continue

        if isinstance(value, dict) and key in base and isinstance(base[key], dict):
            deep_update(cast(dict[str, Any], base[key]), cast(dict[str, Any], value))
        else:
            base[key] = value


def normalize_configuration_dict(raw: dict[str, Any]) -> dict[str, Any]:
    normalized: dict[str, Any] = dict(raw)

    reasoning_raw = normalized.get("reasoning")
    reasoning_present = "reasoning" in normalized
    reasoning: dict[str, Any]
    if isinstance(reasoning_raw, dict):
        reasoning = dict(cast(dict[str, Any], reasoning_raw))
    else:
        reasoning = {}
    reasoning_enabled_explicit = reasoning.get("enabled") is not None

    if not reasoning_enabled_explicit:
        deriver_raw = normalized.get("deriver")
        deriver: dict[str, Any]
        if isinstance(deriver_raw, dict):
            deriver = dict(cast(dict[str, Any], deriver_raw))
        else:
            deriver = {}
        if deriver.get("enabled") is not None:
            reasoning["enabled"] = bool(deriver["enabled"])

    if not reasoning_enabled_explicit and normalized.get("skip_deriver") is True:
        reasoning["enabled"] = False

    if reasoning_present or reasoning:
        normalized["reasoning"] = reasoning

    normalized.pop("deriver", None)
    normalized.pop("skip_deriver", None)

    return normalized


def get_configuration(defaults: dict[str, Any], message: Any, session: Any, workspace: Any) -> ResolvedConfiguration:
    config_dict: dict[str, Any] = {
        "reasoning": {
            "enabled": defaults["reasoning"]["enabled"],
            "custom_instructions": None,
        },
        "peer_card": {
            "use": defaults["peer_card"]["use"],
            "create": defaults["peer_card"]["create"],
        },
        "summary": dict(defaults["summary"]),
        "dream": {"enabled": defaults["dream"]["enabled"]},
    }
    if workspace is not None:
        deep_update(config_dict, normalize_configuration_dict(workspace))
    if session is not None:
        deep_update(config_dict, normalize_configuration_dict(session))
    if message is not None:
        deep_update(config_dict, normalize_configuration_dict(message))
    return ResolvedConfiguration(**config_dict)


def main() -> None:
    out = []
    for case in json.load(sys.stdin):
        try:
            resolved = get_configuration(case["defaults"], case.get("message"), case.get("session"), case.get("workspace"))
            out.append(resolved.model_dump(mode="json", exclude_none=True))
        except Exception as e:  # what Honcho's enqueue would log and give up on
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
