"""Sessions created with `scopes`: scope peers, their memberships, backfill work for sessions that have messages, the observers of later messages, a legacy peer holding a scope's name (rows.py compares what each database holds after)."""
import json

W = "/v3/workspaces"
WS = W + "/{ws}"
j = json.dumps


def batch(*pairs):
    return j({"messages": [{"content": c, "peer_id": p} for p, c in pairs]})


def steps():
    return [
        ("POST", W, j({"id": "{ws}"})),
        ("POST", WS + "/sessions", j({"id": "a", "peers": {"alice": {}, "bob": {"observe_others": True}}})),
        ("POST", WS + "/sessions/a/messages", batch(("alice", "hello"), ("bob", "hi"))),
        # a session with messages joins two scopes (one named twice): backfill work for each
        ("POST", WS + "/sessions", j({"id": "a", "scopes": ["team", "ops", "team"]})),
        # a new session joins one of them and a new one: no backfill
        ("POST", WS + "/sessions", j({"id": "b", "peers": {"carol": {}}, "scopes": ["team", "lab"]})),
        # while the backfill is pending, naming the scope again queues nothing
        ("POST", WS + "/sessions", j({"id": "a", "scopes": ["team"], "metadata": {"k": 1}})),
        # later messages: the scope peers are observers of the session
        ("POST", WS + "/sessions/a/messages", batch(("alice", "after"), ("bob", "scoped"))),
        ("POST", WS + "/sessions/b/messages", batch(("carol", "in b"),)),
        # scope memberships are not counted as observers
        ("POST", WS + "/sessions", j({"id": "c", "peers": {"o%d" % i: {"observe_others": True} for i in range(10)}, "scopes": ["team"]})),
        ("GET", WS + "/sessions/a/peers", None),
        ("POST", WS + "/peers/list", j({})),
        ("POST", WS + "/peers/list", j({"kind": "scope"})),
        ("POST", WS + "/peers/list", j({"kind": "all"})),
        ("GET", WS + "/sessions/a/peers/scope.team/config", None),
        # a legacy peer holding a scope's name is never adopted
        ("SQL", "INSERT INTO peers (id, name, workspace_name) VALUES (left(md5('squatter {ws}'), 21), 'scope.squat', '{ws}')"),
        ("POST", WS + "/sessions", j({"id": "d", "peers": {"dave": {}}, "scopes": ["fine", "squat"]})),
        ("POST", WS + "/sessions/list", j({})),
        # nor a scope's peer taken as a member through peers
        ("POST", WS + "/sessions", j({"id": "e", "peers": {"scope.team": {}}})),
        ("GET", WS + "/queue/status", None),
    ]
