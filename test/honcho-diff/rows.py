"""The rows of one workspace in Honcho's database and in the service's, after
the same scenario (diff.py): each table compared row by row, generated ids
named in order of first sight, timestamps of today as <now>. See README.md.

usage: python3 rows.py HONCHO_DB SERVICE_DB TAG
exit status: 0 when every table is the same"""
import json, re, subprocess, sys, time

A, B, WS = sys.argv[1:4]
Q = {
    "workspaces": "select w.name, w.metadata, w.configuration, w.internal_metadata, w.created_at from workspaces w where w.name = :ws order by w.id",
    "peers": "select p.name, p.metadata, p.configuration, p.internal_metadata, p.created_at from peers p where p.workspace_name = :ws order by p.created_at, p.name",
    "sessions": "select s.name, s.is_active, s.metadata, s.configuration, s.internal_metadata, s.created_at from sessions s where s.workspace_name = :ws order by s.created_at, s.name",
    "session_peers": "select sp.session_name, sp.peer_name, sp.configuration, sp.internal_metadata, sp.joined_at, sp.left_at from session_peers sp join sessions s on s.name = sp.session_name and s.workspace_name = sp.workspace_name where sp.workspace_name = :ws order by s.created_at, s.name, sp.peer_name",
    "messages": "select m.public_id, m.session_name, m.peer_name, m.content, m.metadata, m.internal_metadata, m.token_count, m.seq_in_session, m.created_at from messages m where m.workspace_name = :ws order by m.id",
    "queue": "select q.task_type, q.work_unit_key, s.name as session, m.public_id as message, q.payload, q.processed, q.error, q.created_at from queue q left join sessions s on s.id = q.session_id left join messages m on m.id = q.message_id where q.workspace_name = :ws order by q.id",
}
# today in UTC, and either side of it (a zone's wall clock may be there)
DAYS = "|".join(time.strftime("%Y-%m-%d", time.gmtime(time.time() + d * 86400)) for d in (-1, 0, 1))


def dump(url):
    out = {}
    for t, q in Q.items():
        sql = "select coalesce(json_agg(row_to_json(x)), '[]') from (%s) x" % q.replace(":ws", "'%s'" % WS.replace("'", "''"))
        txt = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout
        out[t] = json.loads(txt)
    return out


def normalize(d):
    ids = {}
    txt = json.dumps(d, ensure_ascii=False)
    # nanoids: 21 chars of the alphabet, in order of first sight
    def sub(m):
        v = m.group(1)
        if not re.search(r"[A-Z0-9_-]", v) and v.isalpha() and v.islower():
            return m.group(0)
        ids.setdefault(v, "<id%d>" % len(ids))
        return '"%s"' % ids[v]
    txt = re.sub(r'"([A-Za-z0-9_-]{21})"', sub, txt)
    # a timestamp of now keeps its offset (Z, +00:00, -05:00), not its value
    txt = re.sub(r'"(?:%s)[T ][0-9:.]*(Z|[+-]\d\d(?::\d\d)?)?"' % DAYS, lambda m: '"<now%s>"' % (m.group(1) or ""), txt)
    return json.loads(txt)


a, b = normalize(dump(A)), normalize(dump(B))
n = 0
for t in Q:
    ra, rb = a[t], b[t]
    if ra == rb:
        print("%-14s same (%d rows)" % (t, len(ra)))
        continue
    n += 1
    print("%-14s DIFFER (%d vs %d rows)" % (t, len(ra), len(rb)))
    for i in range(max(len(ra), len(rb))):
        x = ra[i] if i < len(ra) else None
        y = rb[i] if i < len(rb) else None
        if x != y:
            if isinstance(x, dict) and isinstance(y, dict):
                keys = [k for k in x if x.get(k) != y.get(k)]
                print("   row %d: %s" % (i, "; ".join("%s: %s | %s" % (k, json.dumps(x.get(k))[:300], json.dumps(y.get(k))[:300]) for k in keys)))
            else:
                print("   row %d: %s | %s" % (i, json.dumps(x)[:400], json.dumps(y)[:400]))
sys.exit(1 if n else 0)
