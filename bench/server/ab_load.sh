#!/usr/bin/env bash
# A/B load: two `wildchat serve` processes (say an old and a new build, or
# one build over two indexes) loaded at the same time, one `wrk` connection
# each, with the mixed query set and both caches off; prints each server's
# CPU milliseconds per request and the ratio B/A. Run at once, the two share
# whatever the machine is doing, so the ratio holds where back-to-back runs
# on a noisy machine differ by more than the change being measured.
#   bench/server/ab_load.sh BIN_A INDEX_A BIN_B INDEX_B [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_a=${1:?usage: ab_load.sh BIN_A INDEX_A BIN_B INDEX_B [SECONDS]}
index_a=${2:?}
bin_b=${3:?}
index_b=${4:?}
secs=${5:-30}
port_a=${PORT_A:-18191}
port_b=${PORT_B:-18192}
"$bin_a" serve --index "$index_a" --port "$port_a" --cache-mb 0 --query-cache-mb 0 \
  > /tmp/wildchat-ab-a.log 2>&1 &
pid_a=$!
"$bin_b" serve --index "$index_b" --port "$port_b" --cache-mb 0 --query-cache-mb 0 \
  > /tmp/wildchat-ab-b.log 2>&1 &
pid_b=$!
trap 'kill $pid_a $pid_b 2>/dev/null || true' EXIT
for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/info" > /dev/null && break
    sleep 0.2
  done
  # Warm-up: every query once or more (page cache, lazily built structures).
  wrk -t1 -c1 -d5s -s bench/server/mixed_queries.lua "http://127.0.0.1:$port" > /dev/null
done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system ticks
a0=$(cpu $pid_a)
b0=$(cpu $pid_b)
wrk -t1 -c1 -d"${secs}s" -s bench/server/mixed_queries.lua "http://127.0.0.1:$port_a" \
  > /tmp/wildchat-ab-wrk-a.out &
wrk_a=$!
wrk -t1 -c1 -d"${secs}s" -s bench/server/mixed_queries.lua "http://127.0.0.1:$port_b" \
  > /tmp/wildchat-ab-wrk-b.out
wait $wrk_a
a1=$(cpu $pid_a)
b1=$(cpu $pid_b)
n_a=$(awk '/requests in/ {print $1}' /tmp/wildchat-ab-wrk-a.out)
n_b=$(awk '/requests in/ {print $1}' /tmp/wildchat-ab-wrk-b.out)
awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v na="$n_a" -v nb="$n_b" -v hz="$(getconf CLK_TCK)" \
  'BEGIN {printf "A %.3f ms CPU/request (%d requests)   B %.3f ms CPU/request (%d requests)   B/A %.3f\n",
          a * 1000 / hz / na, na, b * 1000 / hz / nb, nb, (b / nb) / (a / na)}'
