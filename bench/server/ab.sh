#!/usr/bin/env bash
# A/B of two `wildchat serve` processes (say an old and a new build, or one
# build over two indexes), both caches off, run at the same time so that
# both see whatever the machine is doing: on a noisy machine back-to-back
# runs differ by more than most changes being measured.
#   bench/server/ab.sh load BIN_A INDEX_A BIN_B INDEX_B [SECONDS=30]
#     one `wrk` connection on each with the mixed query set; prints each
#     server's CPU milliseconds per request and the ratio B/A.
#   bench/server/ab.sh queries BIN_A INDEX_A BIN_B INDEX_B
#     each request of the mix asked of A then B, 11 times; prints each one's
#     median `took_ms` per request and the sums. QUERIES="q=python q=…"
#     replaces the mix.
set -euo pipefail
cd "$(dirname "$0")/../.."
usage="usage: ab.sh load|queries BIN_A INDEX_A BIN_B INDEX_B [SECONDS]"
mode=${1:?$usage}
case "$mode" in load | queries) ;; *) echo "$usage" >&2; exit 2 ;; esac
bin_a=${2:?$usage}
index_a=${3:?$usage}
bin_b=${4:?$usage}
index_b=${5:?$usage}
secs=${6:-30}
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
done

if [ "$mode" = load ]; then
  for port in "$port_a" "$port_b"; do  # warm-up: page cache, lazily built structures
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
  exit 0
fi

took() {
  curl -s "http://127.0.0.1:$1/api/search?$2" | grep -o '"took_ms":[0-9.]*' | cut -d: -f2
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
queries=${QUERIES:-$(grep -o '"q=[^"]*"' bench/server/mixed_queries.lua | tr -d '"')}
sum_a=0
sum_b=0
for q in $queries; do
  took "$port_a" "$q" > /dev/null  # warm-up
  took "$port_b" "$q" > /dev/null
  a=()
  b=()
  for _ in $(seq 1 11); do
    a+=("$(took "$port_a" "$q")")
    b+=("$(took "$port_b" "$q")")
  done
  ma=$(printf '%s\n' "${a[@]}" | median)
  mb=$(printf '%s\n' "${b[@]}" | median)
  printf '%8.2f %8.2f  %s\n' "$ma" "$mb" "$q"
  sum_a=$(awk -v s="$sum_a" -v x="$ma" 'BEGIN {print s + x}')
  sum_b=$(awk -v s="$sum_b" -v x="$mb" 'BEGIN {print s + x}')
done
awk -v a="$sum_a" -v b="$sum_b" 'BEGIN {printf "%8.2f %8.2f  sum (B/A %.3f)\n", a, b, b / a}'
