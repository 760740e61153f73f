"""The body oracle's 1 700 requests (test/oracle/body-cases.json) against both servers, in a workspace with a session, a peer and a message."""
import json
import os
CASES = json.load(open(os.path.join(os.path.dirname(__file__), "../../oracle/body-cases.json")))
def steps():
    out = [
        ("POST", "/v3/workspaces", json.dumps({"id": "{ws}"})),
        ("POST", "/v3/workspaces/{ws}/sessions", json.dumps({"id": "{ws}s", "peers": {"p1": {}}})),
        ("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages", json.dumps({"messages": [{"content": "hi", "peer_id": "p1"}]})),
    ]
    for c in CASES:
        path = c["path"].replace("{w}", "{ws}").replace("{s}", "{ws}s").replace("{p}", "p1").replace("{m}", "{m0}")
        out.append((c["method"], path, c["raw"]))
    return out
