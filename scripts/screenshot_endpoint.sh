#!/usr/bin/env bash
# Screenshot of the kg serve query page with a query result showing: docs/endpoint-query.png.
#
# Builds the sample corpus (data/) into a temporary store, serves it with
# `kg serve` on a free port, opens the query page in headless Chromium with a
# relations query in the editor (the page runs a query given as ?query=...),
# and saves the PNG. Needs chromium (Debian: apt-get install -y chromium);
# the test suite does not.
#
#   scripts/screenshot_endpoint.sh [OUTPUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-docs/endpoint-query.png}
BIN=${BIN:-.venv/bin}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$CHROMIUM" ] || { echo "error: chromium not found (Debian: apt-get install -y chromium)" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/kg" build data/articles data/wire.jsonl --store "$WORK/kg-store"

PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/kg" serve --store "$WORK/kg-store" --port "$PORT" &
SERVER_PID=$!

# The saved `relations` query, trimmed to the columns that fit the window, and the page link that runs it.
URL=$("$BIN/python" - "$PORT" <<'EOF'
import sys
from kg.serve import base_url, query_page_url, wait_until_ready

base = base_url("127.0.0.1", int(sys.argv[1]))
wait_until_ready(base, 20)
query = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Who did what to whom: asserted events between two actors, from the union of the article graphs
SELECT ?subject ?predicate ?object ?event_type ?theme ?date ?article WHERE {
  ?event a kg:Event ; kg:predicate ?predicate ; kg:article/kg:articleId ?article ;
         kg:subject/rdfs:label ?subject ; kg:object/rdfs:label ?object .
  OPTIONAL { ?event kg:eventType ?type BIND(STRAFTER(STR(?type), "#") AS ?event_type) }
  OPTIONAL { ?event kg:theme ?theme }
  OPTIONAL { ?event kg:date ?day BIND(STR(?day) AS ?date) }
  FILTER NOT EXISTS { ?event kg:negated true }
  FILTER NOT EXISTS { ?event kg:modality "hypothetical" }
}
ORDER BY DESC(?date) ?article ?subject"""
print(query_page_url(base, query))
EOF
)

mkdir -p "$(dirname "$OUT")"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chromium" --window-size=1400,900 --hide-scrollbars \
    --virtual-time-budget=10000 --screenshot="$OUT" "$URL" 2>/dev/null
echo "Wrote $OUT ($(du -k "$OUT" | cut -f1) KB)"
