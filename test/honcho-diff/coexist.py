"""Honcho's server and this service on one database, Honcho with its Redis
cache: what a write through the service changes, Honcho reads at once (its
cache entry was dropped), instead of the copy it cached before. Each check
fails against a service that drops nothing (CACHE_ENABLED unset). See README.md.

usage: python3 coexist.py HONCHO_URL SERVICE_URL [TAG]
exit status: 0 when every check holds"""
import json
import sys
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def main():
    honcho, service = sys.argv[1], sys.argv[2]
    ws = sys.argv[3] if len(sys.argv) > 3 else "co%d" % int(time.time())
    w = "/v3/workspaces/" + ws
    failed = 0

    def check(name, ok, seen):
        nonlocal failed
        failed += 0 if ok else 1
        print("%s  %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + json.dumps(seen)[:400]))

    # Honcho creates (and so caches) each row first; the service changes it; Honcho reads or writes it next
    call(honcho, "POST", "/v3/workspaces", {"id": ws, "metadata": {"v": 1}})
    call(service, "PUT", w, {"metadata": {"v": 2}})
    status, got = call(honcho, "POST", "/v3/workspaces", {"id": ws})
    check("workspace metadata set through the service is Honcho's answer", got.get("metadata") == {"v": 2}, got)

    call(honcho, "POST", w + "/sessions", {"id": "s", "configuration": {"summary": {"enabled": True}}})
    call(service, "PUT", w + "/sessions/s", {"configuration": {"reasoning": {"enabled": False}}})
    status, got = call(honcho, "PUT", w + "/sessions/s", {"configuration": {"dream": {"enabled": False}}})
    check("a session configuration set through the service survives Honcho's next PUT (no lost update)",
          got.get("configuration") == {"summary": {"enabled": True}, "reasoning": {"enabled": False}, "dream": {"enabled": False}}, got)

    call(honcho, "POST", w + "/sessions", {"id": "gone"})
    call(honcho, "POST", w + "/sessions/gone/messages", {"messages": [{"content": "before", "peer_id": "p"}]})
    call(service, "DELETE", w + "/sessions/gone")
    status, got = call(honcho, "POST", w + "/sessions/gone/messages", {"messages": [{"content": "after", "peer_id": "p"}]})
    check("Honcho refuses messages into a session deleted through the service", status == 404, [status, got])

    call(honcho, "POST", w + "/peers", {"id": "p"})
    call(honcho, "GET", w + "/peers/p/card")
    call(service, "PUT", w + "/peers/p/card", {"peer_card": ["set through the service"]})
    status, got = call(honcho, "GET", w + "/peers/p/card")
    check("a peer card set through the service is Honcho's answer", got == {"peer_card": ["set through the service"]}, got)

    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
