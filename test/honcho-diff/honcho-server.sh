#!/usr/bin/env bash
# Honcho's own server, from a git directory of plastic-labs/honcho, on a
# database its own migrations bring to head. See README.md for what it needs.
#
#   HONCHO_MIRROR   git directory of plastic-labs/honcho (its HEAD is run)
#   HONCHO_DB       libpq URL of a database with the pgvector extension
#   HONCHO_PYTHON   a python with Honcho's dependencies (default: python3)
#   HONCHO_PYTHONPATH  more directories for it (pinned pure-Python packages)
#   HONCHO_PORT     default 18200
#   HONCHO_REDIS_URL   Honcho's Redis cache (CACHE_URL); unset: its in-memory one
#   HONCHO_WORK     where the checkout and tiktoken's file go (default /tmp/honcho-diff)
#   HONCHO_PROCESS  "deriver": Honcho's deriver (python -m src.deriver) instead of its server
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${HONCHO_MIRROR:?git directory of plastic-labs/honcho}" "${HONCHO_DB:?libpq URL of the database for Honcho}"
python="${HONCHO_PYTHON:-python3}"
work="${HONCHO_WORK:-/tmp/honcho-diff}"
src="$work/honcho-$(git --git-dir="$HONCHO_MIRROR" rev-parse --short HEAD)"
if [ ! -d "$src" ]; then
  mkdir -p "$src"
  git --git-dir="$HONCHO_MIRROR" archive HEAD | tar -x -C "$src"
fi
# tiktoken's o200k_base, offline: the same ranks the tiktoken npm package ships
cache="$work/tiktoken-cache"
if [ ! -d "$cache" ]; then
  mkdir -p "$cache"
  "$python" - "$root/node_modules/tiktoken/encoders/o200k_base.json" "$cache" <<'EOF'
import hashlib, json, sys
ranks = json.load(open(sys.argv[1]))["bpe_ranks"]
lines = []
for line in ranks.split("\n"):
    parts = line.split(" ")
    if len(parts) < 2:
        continue
    lines += ["%s %d\n" % (tok, int(parts[1]) + i) for i, tok in enumerate(parts[2:])]
url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
open("%s/%s" % (sys.argv[2], hashlib.sha1(url.encode()).hexdigest()), "w").write("".join(lines))
EOF
fi
export TIKTOKEN_CACHE_DIR="$cache"
export PYTHONPATH="$here/stubs${HONCHO_PYTHONPATH:+:$HONCHO_PYTHONPATH}:$src"
# SQLAlchemy's URL for psycopg 3
export DB_CONNECTION_URI="postgresql+psycopg://${HONCHO_DB#*://}"
# no embedding provider here; the messages' embeddings are not compared
export EMBED_MESSAGES=false LOG_LEVEL="${LOG_LEVEL:-WARNING}"
if [ -n "${HONCHO_REDIS_URL:-}" ]; then export CACHE_ENABLED=true CACHE_URL="$HONCHO_REDIS_URL"; fi
cd "$src"
"$python" -m alembic upgrade head
if [ "${HONCHO_PROCESS:-server}" = deriver ]; then exec "$python" -m src.deriver; fi
exec "$python" -m uvicorn src.main:app --host 127.0.0.1 --port "${HONCHO_PORT:-18200}"
