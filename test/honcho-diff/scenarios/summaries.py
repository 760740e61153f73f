"""Summaries as Honcho's deriver stores them in a session's internal_metadata, well and badly formed (SQL steps: set HONCHO_DB and SERVICE_DB)."""
import json
W = "/v3/workspaces/{ws}"
VARIANTS = [
    {"summaries": {"honcho_chat_summary_short": {"content": "short one", "message_id": 5, "summary_type": "short", "created_at": "2024-05-01T12:00:00Z", "token_count": 3, "message_public_id": "abc"}}},
    {"summaries": {"honcho_chat_summary_long": {"content": "long", "message_id": 9, "summary_type": "long", "created_at": "2024-05-01T12:00:00.123+02:00", "token_count": 30}}},
    {"summaries": {"honcho_chat_summary_short": {"content": "s", "message_id": 1, "summary_type": "short", "created_at": "2024-05-01 12:00:00", "token_count": 1, "message_public_id": "p"},
                   "honcho_chat_summary_long": {"content": "l", "message_id": 2, "summary_type": "long", "created_at": "2024-05-01T12:00:00", "token_count": 2, "message_public_id": "q"}}},
    {"summaries": {"honcho_chat_summary_short": {"content": "no created", "message_id": 1, "summary_type": "short", "token_count": 1}}},
    {"summaries": {"honcho_chat_summary_short": {"content": 5, "message_id": "7", "summary_type": "short", "created_at": 1714564800, "token_count": "3"}}},
    {"summaries": {"honcho_chat_summary_short": None}},
    {"summaries": []},
    {"summaries": {"other": {}}},
    {"summaries": {"honcho_chat_summary_short": {"content": "x", "message_id": 1.0, "summary_type": "short", "created_at": "2024-05-01T12:00:00Z", "token_count": 2.0, "message_public_id": None}}},
    {"summaries": {"honcho_chat_summary_short": {"content": "x", "message_id": 1, "summary_type": "weird", "created_at": "2024-05-01T12:00:00Z", "token_count": 2, "extra": 1}}},
    {},
]
def steps():
    out = [("POST", "/v3/workspaces", json.dumps({"id": "{ws}"}))]
    for i, v in enumerate(VARIANTS):
        out.append(("POST", W + "/sessions", json.dumps({"id": "s%d" % i})))
        out.append(("SQL", "UPDATE sessions SET internal_metadata = '%s'::jsonb WHERE workspace_name = '{ws}' AND name = 's%d'" % (json.dumps(v).replace("'", "''"), i)))
        out.append(("GET", W + "/sessions/s%d/summaries" % i, None))
    return out
