"""Workspaces: get-or-create, the list with filters and pages, updates, and
deletion (refused while a session is active, accepted twice, a workspace
that does not exist, one under a legacy name), then what the queue holds
(rows.py compares the deletion rows)."""
import json

W = "/v3/workspaces"
WS = W + "/{ws}"
j = json.dumps


def steps():
    return [
        ("POST", W, j({"id": "{ws}", "metadata": {"k": 1}})),
        ("POST", W, j({"id": "{ws}b", "metadata": {"k": 2}, "configuration": {"dream": {"enabled": False}}})),
        ("POST", W + "/list", j({"filters": {"id": {"in": ["{ws}", "{ws}b"]}}})),
        ("POST", W + "/list?size=1&page=2", j({"filters": {"metadata": {"k": {"gte": 1}}, "id": {"contains": "{ws}"}}})),
        ("POST", W + "/list?reverse=true", j({"filters": {"id": {"in": ["{ws}", "{ws}b"]}}})),
        ("POST", W + "/list", j({"filters": {"configuration": {"dream": {"enabled": False}}, "id": {"contains": "{ws}"}}})),
        ("PUT", WS, j({"metadata": {"k": 3}, "configuration": {"summary": {"enabled": False}}})),
        ("POST", WS + "/sessions/s/messages", j({"messages": [{"content": "hi", "peer_id": "alice"}]})),
        # an active session: 409
        ("DELETE", WS, None),
        ("DELETE", WS + "/sessions/s", None),
        ("DELETE", WS, None),
        ("DELETE", WS, None),
        ("GET", WS + "/queue/status", None),
        ("POST", W + "/list", j({"filters": {"id": {"in": ["{ws}", "{ws}b"]}}})),
        ("DELETE", WS + "b", None),
        ("DELETE", W + "/{ws}nothere", None),
        ("DELETE", W + "/{ws}%20x", None),
        ("SQL", "INSERT INTO workspaces (id, name) VALUES (left(md5('legacy {ws}'), 21), '{ws}.old')"),
        ("DELETE", W + "/{ws}.old", None),
        ("POST", WS + "/sessions/list", j({})),
        ("POST", WS + "/peers/list", j({})),
        ("POST", W + "/list", j({"filters": {"id": {"contains": "{ws}"}}})),
    ]
