"""Batches into four sessions under changing workspace, session, member, peer and message configuration: what the queue holds after (rows.py)."""
import json, random

W = "/v3/workspaces"
WS = W + "/{ws}"
j = json.dumps


def msgs(peers, n, r, extra=None):
    out = []
    for i in range(n):
        m = {"content": "message %d %s" % (i, "x" * r.randrange(0, 40)), "peer_id": r.choice(peers)}
        if extra and r.random() < 0.3:
            m.update(extra(r))
        out.append(m)
    return out


def steps():
    r = random.Random(11)
    peers = ["alice", "bob", "carol", "dave"]
    out = [
        ("POST", W, j({"id": "{ws}", "configuration": {"summary": {"messages_per_short_summary": 10, "messages_per_long_summary": 20}}})),
        ("POST", WS + "/peers", j({"id": "alice"})),
        ("POST", WS + "/peers", j({"id": "bob", "configuration": {"observe_me": False}})),
        ("POST", WS + "/peers", j({"id": "carol", "metadata": {"role": "x"}})),
        ("POST", WS + "/sessions", j({"id": "{ws}a", "peers": {"alice": {}, "bob": {"observe_others": True}, "carol": {"observe_me": False, "observe_others": True}}})),
        ("POST", WS + "/sessions", j({"id": "{ws}b", "configuration": {"reasoning": {"enabled": False}}, "peers": {"alice": {}, "bob": {}}})),
        ("POST", WS + "/sessions", j({"id": "{ws}c", "configuration": {"summary": {"enabled": False}, "reasoning": {"custom_instructions": "be kind"}}, "peers": {"carol": {"observe_others": True}, "dave": {}}})),
        ("POST", WS + "/sessions", j({"id": "{ws}d", "configuration": {"summary": {"messages_per_short_summary": 5, "messages_per_long_summary": 10}, "peer_card": {"create": False}}})),
    ]
    def cfg(r):
        return {"configuration": r.choice([
            {"reasoning": {"enabled": False}},
            {"reasoning": {"enabled": True, "custom_instructions": "focus on food"}},
            {"reasoning": {"custom_instructions": None}},
            {"summary": {"enabled": False}},
            {"peer_card": {"use": False}},
            {},
        ])}
    for rnd in range(6):
        for s in "abcd":
            n = r.choice([1, 1, 2, 3, 7, 12])
            out.append(("POST", WS + "/sessions/{ws}%s/messages" % s, j({"messages": msgs(peers, n, r, cfg)})))
        if rnd == 2:
            out.append(("DELETE", WS + "/sessions/{ws}a/peers", j(["bob"])))
            out.append(("PUT", WS + "/sessions/{ws}b/peers/alice/config", j({"observe_others": True, "observe_me": False})))
            out.append(("PUT", WS + "/peers/carol", j({"configuration": {"observe_me": False}})))
            out.append(("PUT", WS + "/sessions/{ws}c", j({"configuration": {"reasoning": {"enabled": False}}})))
        if rnd == 4:
            out.append(("POST", WS + "/sessions/{ws}a/peers", j({"bob": {"observe_me": True}})))
            out.append(("PUT", WS, j({"configuration": {"reasoning": {"enabled": False}}})))
            out.append(("PUT", WS + "/sessions/{ws}c", j({"configuration": {"reasoning": {"enabled": True}}})))
    out.append(("GET", WS + "/queue/status", None))
    out.append(("GET", WS + "/sessions/{ws}d/summaries", None))
    return out
