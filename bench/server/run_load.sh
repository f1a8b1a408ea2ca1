#!/usr/bin/env bash
# Load benchmark: `wrk` against /api/search of `wildchat serve` with a mixed
# query set, reporting throughput, latency percentiles, errors and the
# server's memory before, during and after the run.
#   bench/server/run_load.sh INDEX_DIR [DURATION=120s] [CONNECTIONS=32]
# Uses build-release/wildchat (cmake -DCMAKE_BUILD_TYPE=Release); server and
# wrk share the machine, as they would on a 2-core box.
# CACHE_MB sets `wildchat serve --cache-mb` (the response cache, default 64 MB)
# and QUERY_CACHE_MB `--query-cache-mb` (the index's cache of evaluated
# queries, default 256 MB). The mix is 20 fixed requests, so with the response
# cache on every request after the warm-up is a hit, and with only the query
# cache on every evaluation is; CACHE_MB=0 QUERY_CACHE_MB=0 measures the
# engine itself. WORKERS sets `--workers` (requests computed at once; default
# one per core). Report all three:
#   bench/server/run_load.sh INDEX_DIR
#   CACHE_MB=0 bench/server/run_load.sh INDEX_DIR
#   CACHE_MB=0 QUERY_CACHE_MB=0 bench/server/run_load.sh INDEX_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
index=${1:?usage: run_load.sh INDEX_DIR [DURATION] [CONNECTIONS]}
duration=${2:-120s}
connections=${3:-32}
bin=${WILDCHAT_BIN:-build-release/wildchat}
port=${PORT:-18080}
cache=()
if [ -n "${CACHE_MB:-}" ]; then cache=(--cache-mb "$CACHE_MB"); fi
if [ -n "${QUERY_CACHE_MB:-}" ]; then cache+=(--query-cache-mb "$QUERY_CACHE_MB"); fi
if [ -n "${WORKERS:-}" ]; then cache+=(--workers "$WORKERS"); fi
echo "response cache: ${CACHE_MB:-default (64)} MB, query cache: ${QUERY_CACHE_MB:-default (256)} MB"

"$bin" serve --index "$index" --port "$port" --threads 64 "${cache[@]}" \
  > /tmp/wildchat-load-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/api/info" > /dev/null && break
  sleep 0.2
done
# Resident memory in kB: all, then heap and other anonymous pages, then pages
# of mapped files (the index; these come and go with the page cache).
rss() {
  awk '/VmRSS/ {t=$2} /RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "%s (anon %s, file %s)", t, a, f}' \
    "/proc/$server/status"
}

# Warm-up: touch every query once (page cache, lazily built structures).
wrk -t2 -c4 -d10s -s bench/server/mixed_queries.lua "http://127.0.0.1:$port" > /dev/null
rss_before=$(rss)
(
  while kill -0 $server 2>/dev/null; do echo "$(rss)"; sleep 10; done
) > /tmp/wildchat-load-rss.log &
sampler=$!
wrk -t2 -c"$connections" -d"$duration" --latency --timeout 10s \
  -s bench/server/mixed_queries.lua "http://127.0.0.1:$port"
kill $sampler 2>/dev/null || true
rss_after=$(rss)
echo "server RSS: before ${rss_before} kB, after ${rss_after} kB"
echo "RSS samples (kB) every 10 s:"
cat /tmp/wildchat-load-rss.log
