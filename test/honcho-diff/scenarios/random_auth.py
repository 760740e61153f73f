"""random_ops's sequences (RANDOM_SEED, RANDOM_STEPS) with authentication on:
each call carries a random token, or none. Both servers must run with
AUTH_USE_AUTH=true and the same AUTH_JWT_SECRET, and diff.py needs it as
JWT_SECRET. The tokens: admin; the run's workspace or another; a session or
a peer of the run (the one the path names about half the time), or both;
none; signed with another secret, not a JWT; a peer without its workspace;
blank claims. The run's workspace and peers are made with the admin token
first, so later calls have something to be allowed or refused.

Kept away from: tokens with `exp`. Honcho refuses every one ("Invalid JWT":
PyJWT 2.15 takes exp as a NumericDate and Honcho writes an ISO 8601 string,
even in the keys its own POST /v3/keys mints), or answers 500 for a number
in the future; the service honours exp as Honcho's verify_jwt means it
(docs/api.md, "Authentication")."""
import importlib.util
import os
import re

_spec = importlib.util.spec_from_file_location("random_ops", os.path.join(os.path.dirname(__file__), "random_ops.py"))
ops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ops)

ADMIN = {"claims": {"t": "", "ad": True}}


def named(path, kind, names):
    """The name of a `kind` ("sessions", "peers") in the path, if it has one."""
    m = re.search(r"/%s/([^/?]+)" % kind, path)
    return m.group(1) if m and m.group(1) in names else None


def token(r, path):
    session = named(path, "sessions", ops.SESSIONS) if r.random() < 0.5 else None
    peer = named(path, "peers", ops.PEERS) if r.random() < 0.5 else None
    session = session or r.choice(ops.SESSIONS)
    peer = peer or r.choice(ops.PEERS)
    c = r.randrange(15)
    claims = [
        {"t": "", "ad": True},
        {"t": "x", "w": "{ws}"},
        {"t": "x", "w": "{ws}"},
        {"t": "x", "w": "{ws}other"},
        {"t": "x", "w": "{ws}", "s": session},
        {"t": "x", "w": "{ws}", "s": session},
        {"t": "x", "w": "{ws}", "p": peer},
        {"t": "x", "w": "{ws}", "p": peer},
        {"t": "x", "w": "{ws}", "p": peer, "s": session},
        {"t": "x", "w": "{ws}", "ad": False},
        {"t": "x", "p": peer},
        {"t": "x", "w": "", "s": ""},
    ]
    if c < len(claims):
        return {"claims": claims[c]}
    return [{}, {"token": "not-a-jwt"}, {"claims": {"t": "", "ad": True}, "secret": "not-the-secret"}][c - len(claims)]


def steps():
    r = ops.random.Random(int(os.environ.get("RANDOM_SEED", "1")) * 7919)
    out = []
    for n, st in enumerate(ops.steps()):
        st = tuple(st) + ((None,) if len(st) == 2 else ())
        opts = dict(st[3]) if len(st) > 3 else {}
        opts.update(ADMIN if n < 1 + len(ops.PEERS) else token(r, st[1]))
        out.append((st[0], st[1], st[2], opts))
    return out
