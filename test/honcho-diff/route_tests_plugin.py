"""A pytest plugin that runs Honcho's own route tests (tests/routes) with
Honcho's data plane served by this service, as beside Honcho: loaded before
Honcho's conftest, it puts a client where the conftest's `TestClient(app)`
is that sends each request for a route of the service (DATA_PLANE) to the
service over HTTP and every other (chat, scopes, keys, webhooks, ...) to
Honcho's app as before. It starts the service (twice: authentication off,
and on with the secret the tests' `auth_client` sets) on the test database
the conftest creates, which Honcho's app and the tests' own SQLAlchemy
session use too. See README.md.

usage (in a Honcho checkout, its dependencies installed):
  PYTHONPATH=<this dir>:... python -m pytest tests/routes -p route_tests_plugin -n 0
environment: SERVICE_ROOT (this repository; default: two levels up)"""
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
import starlette.testclient

ROOT = os.environ.get("SERVICE_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
JWT_SECRET = "test-secret"  # what tests/conftest.py's auth_client sets
_urls = {}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_N = r"[^/?]+"
_W = r"/v3/workspaces/" + _N
_S = _W + r"/sessions/" + _N
# the routes the service serves (README.md's table), as method and path
DATA_PLANE = [(m, re.compile(p + r"/?(\?.*)?$")) for m, p in [
    ("POST", r"/v3/workspaces"), ("POST", r"/v3/workspaces/list"), ("PUT|DELETE", _W), ("GET", _W + r"/queue/status"),
    ("POST", _W + r"/peers"), ("POST", _W + r"/peers/list"), ("PUT", _W + r"/peers/" + _N), ("POST", _W + r"/peers/" + _N + r"/sessions"),
    ("GET|PUT", _W + r"/peers/" + _N + r"/card"),
    ("POST", _W + r"/sessions"), ("POST", _W + r"/sessions/list"), ("PUT|DELETE", _S), ("POST", _S + r"/clone"), ("GET", _S + r"/summaries"),
    ("GET|POST|PUT|DELETE", _S + r"/peers"), ("GET|PUT", _S + r"/peers/" + _N + r"/config"),
    ("POST", _S + r"/messages"), ("POST", _S + r"/messages/upload"), ("POST", _S + r"/messages/list"), ("GET|PUT", _S + r"/messages/" + _N),
]]
_HonchoTestClient = starlette.testclient.TestClient


def served_here(method, path):
    return any(re.fullmatch(m, method.upper()) and p.match(path) for m, p in DATA_PLANE)


class ServiceClient(httpx.Client):
    """TestClient's interface: the data plane over HTTP to the service (the one with authentication on while Honcho's settings say so), the rest to Honcho's app."""

    def __init__(self, app=None, base_url="http://testserver", **kwargs):
        super().__init__(base_url="http://service", follow_redirects=True, timeout=60)
        self.honcho = _HonchoTestClient(app, **kwargs)

    def request(self, method, url, *args, **kwargs):
        from src.config import settings  # Honcho's settings, which the tests monkeypatch

        path = str(url)
        if path.startswith("http://testserver"):
            path = path[len("http://testserver"):]
        if not served_here(method, path):
            headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
            # httpx's "use the client's default" markers are this client's, not the TestClient's
            given = {k: v for k, v in kwargs.items() if not isinstance(v, httpx._client.UseClientDefault)}
            return self.honcho.request(method, path, *args, headers=headers, **given)
        return super().request(method, _urls["auth" if settings.AUTH.USE_AUTH else "open"] + path, *args, **kwargs)

    def __enter__(self):
        self.honcho.__enter__()
        return self

    def __exit__(self, *exc):
        self.honcho.__exit__(*exc)
        self.close()


# before tests/conftest.py imports it
starlette.testclient.TestClient = ServiceClient
import fastapi.testclient  # noqa: E402

fastapi.testclient.TestClient = ServiceClient


def _start(database_url, auth):
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1", LOG_LEVEL="warn",
               AUTH_USE_AUTH="true" if auth else "false", AUTH_JWT_SECRET=JWT_SECRET, DELETION_PURGE="false")
    env.pop("DB_CONNECTION_URI", None)
    proc = subprocess.Popen(["node", "scripts/start.mjs"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the service exited: " + proc.stderr.read()[-2000:])
        try:
            httpx.get("http://127.0.0.1:%d/health" % port, timeout=1)
            return proc, "http://127.0.0.1:%d" % port
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the service did not start in 180 s")


@pytest.fixture(scope="session", autouse=True)
def honcho_ingest_service(db_engine):
    """The service, on the conftest's test database (made by create_all: the alembic_version row it is known by is added)."""
    url = db_engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
    head = subprocess.run([sys.executable, "-m", "alembic", "heads"], capture_output=True, text=True, check=True).stdout.split()[0]
    subprocess.run(["psql", url, "-qc", "CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) PRIMARY KEY); "
                    "INSERT INTO alembic_version VALUES ('%s') ON CONFLICT DO NOTHING" % head], check=True)
    procs = []
    try:
        for name, auth in (("open", False), ("auth", True)):
            proc, base = _start(url, auth)
            procs.append(proc)
            _urls[name] = base
        yield _urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
