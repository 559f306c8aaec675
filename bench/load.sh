#!/usr/bin/env bash
# Load run: 50 concurrent signed-in users browsing list pages and the dashboards for 60 s against
# gunicorn on loopback (the stack of `make up`). Prints req/s, p50/p95/p99 latency and errors.
# Not part of the test suite. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-http://127.0.0.1:8000}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-50}
USER_NAME=${USER_NAME:-leader}
PASSWORD=${PASSWORD:-Demo@2025}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
curl -fsS -c "$jar" -b "$jar" -o /dev/null "$BASE/accounts/login/"
csrf=$(awk '$6 == "csrftoken" {print $7}' "$jar")
curl -fsS -c "$jar" -b "$jar" -o /dev/null -H "Referer: $BASE/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$USER_NAME" \
  --data-urlencode "password=$PASSWORD" "$BASE/accounts/login/"
session=$(awk '$6 == "sessionid" {print $7}' "$jar")
[ -n "$session" ] || { echo "could not sign in as $USER_NAME" >&2; exit 1; }

# Pages to browse; the ones that do not exist in this build answer 404 and show up as errors.
default_paths="/,/members/organizations/,/members/organizations/?kind=enterprise&ordering=-name"
for p in /projects/agreements/ /projects/ /projects/platforms/ /training/sessions/ \
         /training/order-classes/ /training/teachers/ /dashboards/; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "sessionid=$session" "$BASE$p")
  [ "$code" = 200 ] && default_paths="$default_paths,$p"
done
export PATHS=${PATHS:-$default_paths}
export COOKIE="sessionid=$session"
echo "load: $CONNECTIONS connections for $DURATION as $USER_NAME over: $PATHS"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s bench/load.lua "$BASE/"
