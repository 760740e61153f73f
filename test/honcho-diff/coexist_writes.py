"""Honcho's server and this service writing into the same sessions at once,
on one database: threads send message batches, membership changes and
metadata updates to either server at random for a while, then the rows are
checked as Honcho's own writer would leave them. See README.md.

usage: python3 coexist_writes.py HONCHO_URL SERVICE_URL DATABASE_URL [SECONDS] [THREADS] [TAG]
  DATABASE_URL  the libpq URL of the database both serve (read with psql)
checks:
  - the service answers no 5xx (Honcho's own can: two of its writers upsert
    the same members in different orders and deadlock; its clone reads the
    messages of every workspace's session of that name, and fails on their
    repeated seq_in_session; the service's writes take the session lock
    first and try a deadlock again, and its clones read their workspace);
  - each session's seq_in_session runs 1..n, no gap, no repeat;
  - each clone (one call in twenty) holds its original's first n messages,
    seq_in_session 1..n, content and author alike;
  - each message has exactly one representation row in the queue;
  - each message whose seq_in_session is a multiple of 20 (Honcho's default
    short-summary cadence) has exactly one summary row, and no other does.
exit status: 0 when every check holds"""
import json
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SESSIONS = ["s0", "s1", "s2"]
PEERS = ["alice", "bob", "carol", "dave"]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code


def rows(db, query):
    out = subprocess.run(["psql", db, "-qAtF", "\t", "-c", query], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main():
    honcho, service, db = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 30
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    ws = sys.argv[6] if len(sys.argv) > 6 else "cc%d" % int(time.time())
    w = "/v3/workspaces/" + ws
    call(honcho, "POST", "/v3/workspaces", {"id": ws})
    for s in SESSIONS:
        call(service, "POST", w + "/sessions", {"id": s, "peers": {p: {} for p in PEERS[:2]}})
    statuses = {honcho: {}, service: {}}
    lock = threading.Lock()
    stop = time.time() + seconds

    def worker(seed):
        r = random.Random(seed)
        while time.time() < stop:
            base = r.choice([honcho, service])
            s = r.choice(SESSIONS)
            c = r.random()
            if c < 0.7:
                batch = [{"content": "m%d %s" % (r.randrange(10**6), "x " * r.randrange(50)), "peer_id": r.choice(PEERS)} for _ in range(r.randrange(1, 6))]
                st = call(base, "POST", "%s/sessions/%s/messages" % (w, s), {"messages": batch})
            elif c < 0.75:
                st = call(base, "POST", "%s/sessions/%s/clone" % (w, s))
            elif c < 0.8:
                st = call(base, "POST", "%s/sessions/%s/peers" % (w, s), {r.choice(PEERS): {}})
            elif c < 0.9:
                st = call(base, "PUT", "%s/sessions/%s" % (w, s), {"metadata": {"n": r.randrange(100)}})
            else:
                st = call(base, "POST", "%s/sessions/%s/messages/list?size=5&reverse=true" % (w, s), {})
            with lock:
                statuses[base][st] = statuses[base].get(st, 0) + 1

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    time.sleep(3)  # Honcho enqueues a batch's work in a task after it answers

    failed = 0

    def check(name, ok, seen=None):
        nonlocal failed
        failed += 0 if ok else 1
        print("%s  %s%s" % ("ok  " if ok else "FAIL", name, "" if ok or seen is None else ": " + json.dumps(seen)[:600]))

    print("honcho answered %s; the service %s" % (json.dumps(statuses[honcho], sort_keys=True), json.dumps(statuses[service], sort_keys=True)))
    check("no 5xx from the service", all(k < 500 for k in statuses[service]), statuses[service])
    for s in SESSIONS:
        seqs = sorted(int(x[0]) for x in rows(db, "SELECT seq_in_session FROM messages WHERE workspace_name = '%s' AND session_name = '%s'" % (ws, s)))
        check("session %s: seq_in_session 1..%d, no gap, no repeat" % (s, len(seqs)), seqs == list(range(1, len(seqs) + 1)), seqs[:50])
    clones = rows(db, """SELECT c.name, count(*), count(*) FILTER (WHERE o.id IS NULL OR o.content <> c_m.content OR o.peer_name <> c_m.peer_name),
                                 min(c_m.seq_in_session), max(c_m.seq_in_session), count(DISTINCT c_m.seq_in_session)
                          FROM sessions c JOIN messages c_m ON c_m.workspace_name = c.workspace_name AND c_m.session_name = c.name
                          LEFT JOIN messages o ON o.workspace_name = c.workspace_name AND o.session_name = ANY(ARRAY%s) AND o.seq_in_session = c_m.seq_in_session
                               AND o.content = c_m.content
                          WHERE c.workspace_name = '%s' AND c.name <> ALL(ARRAY%s) GROUP BY c.name""" % (SESSIONS, ws, SESSIONS))
    bad = [c for c in clones if c[2] != "0" or c[3] != "1" or c[4] != c[1] or c[5] != c[1]]
    check("each of the %d clones with messages: its original's first n, seq 1..n" % len(clones), clones and not bad, bad[:10])
    reps = rows(db, """SELECT m.public_id, count(q.id) FROM messages m LEFT JOIN queue q ON q.message_id = m.id AND q.task_type = 'representation'
                       WHERE m.workspace_name = '%s' AND m.session_name = ANY(ARRAY%s) GROUP BY m.public_id HAVING count(q.id) <> 1""" % (ws, SESSIONS))
    total = rows(db, "SELECT count(*) FROM messages WHERE workspace_name = '%s' AND session_name = ANY(ARRAY%s)" % (ws, SESSIONS))[0][0]
    check("each of the %s messages (clones aside) has exactly one representation row" % total, not reps, reps[:20])
    summaries = rows(db, """SELECT m.session_name, m.seq_in_session, count(q.id) FROM messages m LEFT JOIN queue q ON q.message_id = m.id AND q.task_type = 'summary'
                            WHERE m.workspace_name = '%s' AND m.session_name = ANY(ARRAY%s) GROUP BY 1, 2
                            HAVING count(q.id) <> (CASE WHEN m.seq_in_session %% 20 = 0 THEN 1 ELSE 0 END)""" % (ws, SESSIONS))
    check("a summary row for each 20th message of a session, and for no other", not summaries, summaries[:20])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
