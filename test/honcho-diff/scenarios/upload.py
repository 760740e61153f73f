"""The upload oracle's 300 forms (test/oracle/upload-form-cases.json), each with one of a few files, then one form per file and three broken requests."""
import json
import os
import random
CASES = json.load(open(os.path.join(os.path.dirname(__file__), "../../oracle/upload-form-cases.json")))
B = "hdiffboundary"
def form(fields, file=None, fname="notes.txt", ftype="text/plain"):
    parts = []
    for k, v in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (B, k)).encode() + v.encode("utf-8", "surrogatepass") + b"\r\n")
    if file is not None:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n" % (B, fname, ftype)).encode() + file + b"\r\n")
    parts.append(("--%s--\r\n" % B).encode())
    return b"".join(parts)
CT = {"ctype": "multipart/form-data; boundary=" + B}
def steps():
    r = random.Random(3)
    out = [("POST", "/v3/workspaces", json.dumps({"id": "{ws}"})),
           ("POST", "/v3/workspaces/{ws}/sessions", json.dumps({"id": "{ws}s", "peers": {"alice": {}}}))]
    files = [(b"hello world", "a.txt", "text/plain"), (b'{"a": 1, "b": [1,2]}', "a.json", "application/json"),
             (("word " * 3000).encode(), "big.txt", "text/plain"), (b"", "empty.txt", "text/plain"),
             (b"\xff\xfe bad utf8", "bad.txt", "text/plain"), (b"x", "x.bin", "application/octet-stream"),
             (b'[{"content": "m1"}, {"content": "m2"}]', "list.json", "application/json"),
             ("héllo ünïcode 😀\n".encode() * 50, "u.md", "text/markdown")]
    for c in CASES:
        f = r.choice(files)
        out.append(("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages/upload", form(c["fields"], f[0], f[1], f[2]), CT))
    for f in files:
        out.append(("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages/upload", form({"peer_id": "alice"}, f[0], f[1], f[2]), CT))
    out.append(("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages/upload", form({"peer_id": "alice"}), CT))
    out.append(("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages/upload", form({}, b"abc"), CT))
    out.append(("POST", "/v3/workspaces/{ws}/sessions/{ws}s/messages/upload", b"not a form", CT))
    return out
