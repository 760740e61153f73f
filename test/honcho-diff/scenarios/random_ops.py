"""Random sequences of data-plane calls, valid or nearly so, over a few names that
collide on purpose: get-or-create and updates of every resource with random
metadata and configuration, membership changes, message batches, lists with
random filters and pages, message reads and edits, queue status, clones and
deletes. RANDOM_SEED picks the sequence (default 1), RANDOM_STEPS its length
(default 400). A differing step names the seed to replay; SHOW_ALL=1 (diff.py)
prints every step.

Kept away from differences known and documented, which would hide the rest:
- the peers are created one a step first: peers created in one statement share
  a created_at, and Honcho lists peers by created_at alone, so their order is
  then whatever the plan reads first;
- no membership write names a deleted session: Honcho writes the members of
  an inactive session, then answers 404 (the service writes nothing);
- no o200k special tokens in content (Honcho answers 422, the service stores
  text); cl100k's <|fim_prefix|> is ordinary text to both.

One call in ten or so is an upload; one body in ten has a value of another
type somewhere, or a key missing."""
import json
import os
import random

W = "/v3/workspaces"
WS = W + "/{ws}"
PEERS = ["p0", "p1", "p2", "p3", "Peer_4", "p-5"]
SESSIONS = ["{ws}a", "{ws}b", "{ws}c"]
KEYS = ["k", "n", "tag", "deep", "ünï", "x y", ""]
DATES = ["2020-01-02T03:04:05Z", "2021-06-07T08:09:10.123456+02:00", "2019-12-31T23:59:59.5", "2024-02-29T12:00:00-05:30", "2030-01-01"]


def value(r, depth=0):
    c = r.randrange(9 if depth < 2 else 6)
    if c == 0:
        return r.choice([0, 1, -7, 42, 2**40, 10**18 + 1])
    if c == 1:
        return r.choice([0.5, -1.25, 1e-7, 3.0, 1e21, 123456.789])
    if c == 2:
        return r.choice(["", "v", "V", "vé", "a%b_c", "日本", "x" * 40])
    if c == 3:
        return r.choice([True, False])
    if c == 4:
        return None
    if c == 5:
        return r.choice(["v", 1, True])
    if c == 6:
        return [value(r, depth + 1) for _ in range(r.randrange(4))]
    return metadata(r, depth + 1)


def metadata(r, depth=0):
    return {r.choice(KEYS): value(r, depth + 1) for _ in range(r.randrange(4))}


def configuration(r, kind):
    options = {
        "reasoning": lambda: {"enabled": r.choice([True, False])},
        "peer_card": lambda: {"use": r.choice([True, False]), "create": r.choice([True, False])},
        "summary": lambda: r.choice([{"enabled": r.choice([True, False])}, {"messages_per_short_summary": r.choice([10, 20, 30]), "messages_per_long_summary": r.choice([60, 40])}]),
        "dream": lambda: {"enabled": r.choice([True, False])},
    }
    if kind == "peer":
        return r.choice([{}, {"observe_me": r.choice([True, False])}])
    out = {}
    for name in r.sample(sorted(options), r.randrange(3)):
        out[name] = options[name]()
    return out


def update(r, kind):
    """An update's body: a random metadata and configuration, each kept or left out."""
    return {k: v for k, v in (("metadata", metadata(r)), ("configuration", configuration(r, kind))) if r.random() < 0.6}


def comparison(r, kind):
    """A filter value for one metadata key: a literal or an operator object."""
    c = r.randrange(6)
    if c == 0:
        return value(r, 2)
    if c == 1:
        return {r.choice(["gt", "gte", "lt", "lte"]): r.choice([0, 1, 0.5, 100, "v", "2020-01-01"])}
    if c == 2:
        return {"ne": value(r, 2)}
    if c == 3:
        return {"in": [value(r, 2) for _ in range(r.randrange(1, 4))]}
    if c == 4:
        return {r.choice(["contains", "icontains"]): r.choice(["v", "V", "é", "%", "_", "x"])}
    return "*"


def filters(r, kind):
    parts = []
    for _ in range(r.randrange(1, 3)):
        c = r.randrange(5)
        if c == 0:
            parts.append({"metadata": {r.choice(KEYS): comparison(r, kind)}})
        elif c == 1 and kind == "messages":
            parts.append({"peer_id": r.choice([r.choice(PEERS), {"in": r.sample(PEERS, 2)}, {"ne": r.choice(PEERS)}])})
        elif c == 1 and kind in ("peers", "sessions"):
            # (contains only for peers: a clone's name is random on each server)
            ops = [{"in": r.sample(PEERS + SESSIONS, 3)}, {"ne": r.choice(PEERS + SESSIONS)}] + ([{"contains": r.choice(["p", "P", "_"])}] if kind == "peers" else [])
            parts.append({"id": r.choice(ops)})
        elif c == 2:
            parts.append({"created_at": {r.choice(["gte", "lte", "gt", "lt"]): r.choice(DATES)}})
        elif c == 3 and kind == "sessions":
            parts.append({"is_active": r.choice([True, False])})
        elif c == 3 and kind == "messages":
            parts.append({"token_count": {r.choice(["gt", "lte"]): r.choice([1, 3, 10])}})
        else:
            parts.append({"metadata": comparison(r, kind) if r.random() < 0.2 else metadata(r, 1)})
    if len(parts) == 1:
        return parts[0]
    return {r.choice(["AND", "OR"]): parts} if r.random() < 0.7 else {"NOT": parts}


def page(r):
    q = []
    if r.random() < 0.3:
        q.append("page=%d" % r.choice([1, 2, 3]))
    if r.random() < 0.3:
        q.append("size=%d" % r.choice([1, 2, 5, 50]))
    if r.random() < 0.2:
        q.append("reverse=%s" % r.choice(["true", "false", "1", "no"]))
    return ("?" + "&".join(q)) if q else ""


def message(r):
    m = {"content": r.choice(["hi", "hello there", "", "déjà vu", "<|fim_prefix|> tokens", "x " * 50, "a\nb\tc"]), "peer_id": r.choice(PEERS)}
    if r.random() < 0.3:
        m["metadata"] = metadata(r)
    if r.random() < 0.2:
        m["created_at"] = r.choice(DATES)
    return m


def step(r, messages_made, deleted):
    j = json.dumps
    s = r.choice(SESSIONS)
    live = [x for x in SESSIONS if x not in deleted]
    p = r.choice(PEERS)
    c = r.randrange(24)
    if c == 0:
        return ("POST", W, j({"id": "{ws}", "metadata": metadata(r), "configuration": configuration(r, "workspace")}))
    if c == 1:
        return ("PUT", WS, j(update(r, "workspace")))
    if c == 2:
        body = {"id": p}
        if r.random() < 0.5:
            body["metadata"] = metadata(r)
        if r.random() < 0.5:
            body["configuration"] = configuration(r, "peer")
        return ("POST", WS + "/peers", j(body))
    if c == 3:
        return ("PUT", WS + "/peers/" + p, j(update(r, "peer")))
    if c == 4:
        return ("POST", WS + "/peers/list" + page(r), j({"filters": filters(r, "peers")} if r.random() < 0.8 else {}))
    if c in (5, 6):
        body = {"id": s}
        if r.random() < 0.6:
            body["peers"] = {q: r.choice([{}, {"observe_me": r.choice([True, False])}, {"observe_others": r.choice([True, False])}]) for q in r.sample(PEERS, r.randrange(4))}
        if r.random() < 0.5:
            body["metadata"] = metadata(r)
        if r.random() < 0.4:
            body["configuration"] = configuration(r, "session")
        return ("POST", WS + "/sessions", j(body))
    if c == 7:
        return ("PUT", WS + "/sessions/" + s, j(update(r, "session")))
    if c == 8:
        return ("POST", WS + "/sessions/list" + page(r), j({"filters": filters(r, "sessions")} if r.random() < 0.8 else {}))
    if c == 9:
        return ("POST", WS + "/peers/%s/sessions%s" % (p, page(r)), j({"filters": filters(r, "sessions")} if r.random() < 0.5 else {}))
    if c in (10, 11, 13) and not live:
        c = 12
    if c in (10, 11, 13):
        s = r.choice(live)
    if c == 10:
        verb = r.choice(["POST", "PUT"])
        return (verb, WS + "/sessions/%s/peers" % s, j({q: r.choice([{}, {"observe_others": True}, {"observe_me": False}]) for q in r.sample(PEERS, r.randrange(1, 4))}))
    if c == 11:
        return ("DELETE", WS + "/sessions/%s/peers" % s, j(r.sample(PEERS, r.randrange(1, 3))))
    if c == 12:
        return ("GET", WS + "/sessions/%s/peers%s" % (s, page(r)), None)
    if c == 13:
        if r.random() < 0.5:
            return ("GET", WS + "/sessions/%s/peers/%s/config" % (s, p), None)
        return ("PUT", WS + "/sessions/%s/peers/%s/config" % (s, p), j({k: r.choice([True, False]) for k in r.sample(["observe_me", "observe_others"], r.randrange(3))}))
    if c in (14, 15, 16):
        return ("POST", WS + "/sessions/%s/messages" % s, j({"messages": [message(r) for _ in range(r.randrange(1, 5))]}))
    if c in (17, 18):
        return ("POST", WS + "/sessions/%s/messages/list%s" % (s, page(r)), j({"filters": filters(r, "messages")} if r.random() < 0.8 else {}))
    if c == 19 and messages_made:
        m = "{m%d}" % r.randrange(messages_made)
        if r.random() < 0.5:
            return ("GET", WS + "/sessions/%s/messages/%s" % (s, m), None)
        return ("PUT", WS + "/sessions/%s/messages/%s" % (s, m), j({"metadata": metadata(r)}))
    if c == 20:
        q = r.choice(["", "?session_id=" + s, "?observer_id=" + p, "?sender_id=" + p, "?observer_id=%s&sender_id=%s" % (p, r.choice(PEERS))])
        return ("GET", WS + "/queue/status" + q, None)
    if c == 21:
        if r.random() < 0.5:
            return ("GET", WS + "/peers/%s/card%s" % (p, r.choice(["", "?target=" + r.choice(PEERS)])), None)
        return ("PUT", WS + "/peers/%s/card%s" % (p, r.choice(["", "?target=" + r.choice(PEERS)])), j({"peer_card": [r.choice(["a", "b b", "é"]) for _ in range(r.randrange(3))]}))
    if c == 22:
        return ("POST", WS + "/sessions/%s/clone" % s, None)
    if c == 23 and r.random() < 0.3:
        deleted.add(s)
        return ("DELETE", WS + "/sessions/" + s, None)
    return ("GET", WS + "/sessions/%s/summaries" % s, None)


B = "randomopsboundary"
FILES = [(b"hello world", "a.txt", "text/plain"), (b'{"a": 1e-07, "b": [1, 2.0]}', "a.json", "application/json"),
         (b'[{"content": "m1"}, {"content": "m2"}]', "list.json", "application/json"), ("h\u00e9llo \U0001F600\n".encode() * 40, "u.md", "text/markdown"),
         (("word " * 3000).encode(), "big.txt", "text/plain"), (b"", "empty.txt", "text/plain")]


def upload(r, s):
    fields = {"peer_id": r.choice(PEERS + ["bad name", ""])}
    if r.random() < 0.3:
        fields["metadata"] = json.dumps(metadata(r)) if r.random() < 0.8 else "not json"
    if r.random() < 0.2:
        fields["configuration"] = json.dumps(r.choice([{}, {"reasoning": {"enabled": False}}, {"x": 1}]))
    if r.random() < 0.2:
        fields["created_at"] = r.choice(DATES + ["yesterday"])
    data, name, ctype = r.choice(FILES)
    parts = [("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (B, k)).encode() + v.encode() + b"\r\n" for k, v in fields.items()]
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n" % (B, name, ctype)).encode() + data + b"\r\n")
    parts.append(("--%s--\r\n" % B).encode())
    return ("POST", WS + "/sessions/%s/messages/upload" % s, b"".join(parts), {"ctype": "multipart/form-data; boundary=" + B})


WRONG = [None, 1, 1.5, "x", "", True, [], {}, [1], {"a": 1}, "bad name", "x" * 600]


def mutated(r, body):
    """The body with one value somewhere replaced by one of another type, or one key dropped."""
    paths = []

    def walk(v, path):
        paths.append(path)
        if isinstance(v, dict):
            for k in v:
                walk(v[k], path + [k])
        elif isinstance(v, list):
            for n, x in enumerate(v):
                walk(x, path + [n])

    walk(body, [])
    path = r.choice(paths)
    if not path:
        return r.choice(WRONG)
    parent = body
    for k in path[:-1]:
        parent = parent[k]
    if isinstance(parent, dict) and r.random() < 0.3:
        del parent[path[-1]]
    else:
        parent[path[-1]] = r.choice(WRONG)
    return body


def steps():
    r = random.Random(int(os.environ.get("RANDOM_SEED", "1")))
    out = [("POST", W, json.dumps({"id": "{ws}"}))] + [("POST", WS + "/peers", json.dumps({"id": p})) for p in PEERS]
    made = 0
    deleted = set()
    for _ in range(int(os.environ.get("RANDOM_STEPS", "400"))):
        st = step(r, made, deleted) if r.random() < 0.92 else upload(r, r.choice(SESSIONS))
        if st[0] in ("POST", "PUT") and isinstance(st[2], str) and r.random() < 0.1:
            st = (st[0], st[1], json.dumps(mutated(r, json.loads(st[2]))))
        if st[0] == "POST" and st[1].endswith("/messages"):
            sent = json.loads(st[2])
            messages = sent.get("messages") if isinstance(sent, dict) else None
            made += len(messages) if isinstance(messages, list) else 0
        out.append(st)
    return out
