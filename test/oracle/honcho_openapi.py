"""Writes test/oracle/honcho-openapi.json: the operations of Honcho's own
OpenAPI document (FastAPI's, from Honcho's server at HONCHO_COMMIT) that the
service also serves, and the component schemas they refer to.
test/e2e/openapi.test.ts compares the service's /openapi.json with it.

Run, with Honcho's server up (test/honcho-diff/honcho-server.sh) and the
service's:
    python3 test/oracle/honcho_openapi.py http://127.0.0.1:18200/openapi.json \\
        http://127.0.0.1:8000/openapi.json > test/oracle/honcho-openapi.json"""
import json
import re
import sys
import urllib.request

HONCHO_COMMIT = "ddbb90e3"


def load(url):
    with urllib.request.urlopen(url) as r:
        return json.load(r)


honcho, service = load(sys.argv[1]), load(sys.argv[2])
paths = {}
for path, ops in honcho["paths"].items():
    served = {verb: op for verb, op in ops.items() if verb in service["paths"].get(path, {})}
    if served:
        paths[path] = served

schemas = honcho["components"]["schemas"]
wanted, todo = set(), re.findall(r"#/components/schemas/(\w+)", json.dumps(paths))
while todo:
    name = todo.pop()
    if name not in wanted:
        wanted.add(name)
        todo += re.findall(r"#/components/schemas/(\w+)", json.dumps(schemas[name]))

print(json.dumps({
    "honcho_commit": HONCHO_COMMIT,
    "info": honcho["info"],
    "paths": paths,
    "components": {"schemas": {n: schemas[n] for n in sorted(wanted)}, "securitySchemes": honcho["components"]["securitySchemes"]},
}, indent=1, ensure_ascii=False))
