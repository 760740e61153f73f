"""The same requests to Honcho's own server and to this service, each on a
database of its own; prints every step whose status or body differ, after
normalising what cannot be equal (ids the servers generate, timestamps of
now). See README.md here.

usage: python3 diff.py HONCHO_URL SERVICE_URL SCENARIO [TAG]
  SCENARIO  a file of scenarios/ (its steps(): a list of (method, path, body[, options])
            or ("SQL", statement) run on both databases, HONCHO_DB and SERVICE_DB);
            options: "ctype", and "claims" (a JWT's claims, "{ws}" filled, sent as
            a bearer token signed with JWT_SECRET or "secret") or "token" (sent as it is)
  TAG       names the workspace(s) of this run ("{ws}" in the steps); default: the time
environment: HONCHO_DB, SERVICE_DB (libpq URLs, for "SQL" steps); HONCHO_REDIS_PORT (a
  Redis Honcho caches in: flushed after "SQL" steps, which Honcho's cache cannot see);
  SHOW_ALL=1 prints the steps that agree too (status and the start of the answer);
  JWT_SECRET, the secret both servers were started with (AUTH_JWT_SECRET), for "claims"
exit status: 0 when no step differs"""
import base64
import hashlib
import hmac
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

TODAY = time.strftime("%Y-%m-%d", time.gmtime())
TOMORROW = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
NOW_RE = re.compile(r'"(%s|%s)T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"' % (TODAY, TOMORROW))
ID_RE = re.compile(r'"([A-Za-z0-9_-]{21})"')


class Server:
    """One side: its base URL, and the ids it generated, named in order of first sight."""

    def __init__(self, base, tag):
        self.base = base
        self.tag = tag
        self.ids = {}
        self.order = []

    def fill(self, text):
        """{ws}: the run's tag; {mN}: the Nth id this server answered with."""
        text = text.replace("{ws}", self.tag)
        return re.sub(r"\{m(\d+)\}", lambda m: self.order[int(m.group(1))] if int(m.group(1)) < len(self.order) else "missing-id-" + m.group(1), text)

    def learn(self, text):
        for m in re.finditer(r'"id":\s*"([A-Za-z0-9_-]{21})"', text):
            if m.group(1) not in self.ids:
                self.ids[m.group(1)] = "<id%d>" % len(self.ids)
                self.order.append(m.group(1))

    def normalised(self, text):
        # a timestamp of today keeps its shape (digits of fraction, offset), not its value
        text = NOW_RE.sub(lambda m: '"<now%s%s>"' % ("." + str(len(m.group(2)) - 1) if m.group(2) else "", m.group(3) or ""), text)
        return ID_RE.sub(lambda m: '"%s"' % self.ids[m.group(1)] if m.group(1) in self.ids else m.group(0), text)

    def call(self, method, path, body, ctype, token=None):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else self.fill(body).encode("utf-8", "surrogatepass")
        headers = {"content-type": ctype} if ctype else {}
        if token is not None:
            headers["authorization"] = "Bearer " + token
        req = urllib.request.Request(self.base + self.fill(path), data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, text = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        self.learn(text)
        return status, text


def model_type_folded(text):
    """The service's pydantic `model_type` written as FastAPI's `model_attributes_type` (README: the conformance file's choice)."""
    try:
        d = json.loads(text)
    except ValueError:
        return text
    if not (isinstance(d, dict) and isinstance(d.get("detail"), list)):
        return text
    folded = False
    for e in d["detail"]:
        if isinstance(e, dict) and e.get("type") == "model_type":
            e.update(type="model_attributes_type", msg="Input should be a valid dictionary or object to extract fields from")
            e.pop("ctx", None)
            folded = True
    return json.dumps(d, ensure_ascii=False, separators=(",", ":")) if folded else text


def hs256(claims, secret):
    """A JWT as Honcho's create_jwt signs one (PyJWT, HS256)."""
    part = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
    head = part(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()) + b"." + part(json.dumps(claims, separators=(",", ":")).encode())
    return (head + b"." + part(hmac.new(secret.encode(), head, hashlib.sha256).digest())).decode()


def token_of(opts, tag):
    if "token" in opts:
        return opts["token"]
    if "claims" not in opts:
        return None
    claims = {k: v.replace("{ws}", tag) if isinstance(v, str) else v for k, v in opts["claims"].items()}
    return hs256(claims, opts.get("secret") or os.environ.get("JWT_SECRET") or sys.exit("claims need JWT_SECRET"))


def run_sql(statement, tag):
    for url in (os.environ.get("HONCHO_DB"), os.environ.get("SERVICE_DB")):
        if not url:
            sys.exit("SQL steps need HONCHO_DB and SERVICE_DB")
        subprocess.run(["psql", url, "-qAtc", statement.replace("{ws}", tag)], check=True, capture_output=True)
    port = os.environ.get("HONCHO_REDIS_PORT")
    if port:
        subprocess.run(["redis-cli", "-p", port, "flushall"], check=True, capture_output=True)


def main():
    honcho_url, service_url, scenario = sys.argv[1:4]
    tag = sys.argv[4] if len(sys.argv) > 4 else "d%d" % int(time.time())
    spec = importlib.util.spec_from_file_location("scenario", scenario)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    honcho, service = Server(honcho_url, tag), Server(service_url, tag)
    steps = module.steps()
    differ = folded = 0
    for i, step in enumerate(steps):
        if step[0] == "SQL":
            run_sql(step[1], tag)
            continue
        method, path = step[0], step[1]
        body = step[2] if len(step) > 2 else None
        opts = step[3] if len(step) > 3 else {}
        ctype = opts.get("ctype", "application/json" if isinstance(body, str) else None)
        token = token_of(opts, tag)
        a = honcho.call(method, path, body, ctype, token)
        b = service.call(method, path, body, ctype, token)
        na, nb = honcho.normalised(a[1]), service.normalised(b[1])
        if a[0] == b[0] and na == nb:
            if os.environ.get("SHOW_ALL"):
                print("=%d %s %s -> %s %s" % (i, method, path, a[0], na[:200]))
            continue
        if a[0] == b[0] and na == model_type_folded(nb):
            folded += 1
            continue
        differ += 1
        shown = body if isinstance(body, str) else repr(body) if body is not None else ""
        print("#%d %s %s %s%s" % (i, method, path, shown[:300], "  claims " + json.dumps(opts["claims"]) if "claims" in opts else "  token " + opts["token"] if "token" in opts else ""))
        print("   honcho  %s %s" % (a[0], na[:800]))
        print("   service %s %s" % (b[0], nb[:800]))
    print("%d steps, %d differ (tag %s); %d more differ only in model_type for model_attributes_type" % (len(steps), differ, tag, folded))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
