"""random_ops's sequences (RANDOM_SEED, RANDOM_STEPS) in a workspace under a
legacy name, `{ws}.old`, as Honcho's peer-paradigm migration leaves an app
named before the pattern: its rows are written with SQL on both databases
(six peers, two sessions with members and messages, a third session
deleted), then every call of the sequence names that workspace.

Expected to differ, and why (docs/api.md, "Names in paths, as Honcho takes
them"): where a call may create a row under the workspace's name, Honcho
fails (a 500, or its crud's WorkspaceCreate refusal, a 422 in its own
words, or a 404 from an update's caught ValueError) and the service answers
the pattern's 422; Honcho refuses new members of an existing session through
POST …/sessions and the member routes (WorkspaceCreate again), which join
here. Anything else is worth a look."""
import importlib.util
import os

_spec = importlib.util.spec_from_file_location("random_ops", os.path.join(os.path.dirname(__file__), "random_ops.py"))
ops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ops)

LEGACY = "{ws}.old"
rid = lambda what: "left(md5('%s {ws}'), 21)" % what


def rows():
    peers = ", ".join("(%s, '%s', '%s')" % (rid("peer " + p), p, LEGACY) for p in ops.PEERS)
    sessions = ", ".join("(%s, '%s', '%s', %s)" % (rid("session " + s), s, LEGACY, "false" if s.endswith("c") else "true") for s in ops.SESSIONS)
    members = ", ".join("('%s', '%s', '%s')" % (LEGACY, s, p) for s in ops.SESSIONS for p in ops.PEERS[:3])
    messages = ", ".join(
        "(%s, 'legacy %d', '%s', '%s', '%s', %d, 2, '2025-01-0%d T00:00:00Z')" % (rid("message %s %d" % (s, n)), n, LEGACY, s, ops.PEERS[n % 3], n, n)
        for s in ops.SESSIONS[:2] for n in range(1, 4))
    return [
        ("SQL", "INSERT INTO workspaces (id, name) VALUES (%s, '%s')" % (rid("workspace"), LEGACY)),
        ("SQL", "INSERT INTO peers (id, name, workspace_name) VALUES " + peers),
        ("SQL", "INSERT INTO sessions (id, name, workspace_name, is_active) VALUES " + sessions),
        ("SQL", "INSERT INTO session_peers (workspace_name, session_name, peer_name) VALUES " + members),
        ("SQL", "INSERT INTO messages (public_id, content, workspace_name, session_name, peer_name, seq_in_session, token_count, created_at) VALUES " + messages),
    ]


def steps():
    out = rows()
    # random_ops's first steps make the workspace and its peers: here they are rows already
    for st in ops.steps()[1 + len(ops.PEERS):]:
        path = st[1].replace("/v3/workspaces/{ws}", "/v3/workspaces/" + LEGACY, 1)
        out.append((st[0], path) + tuple(st[2:]))
    return out
