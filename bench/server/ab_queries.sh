#!/usr/bin/env bash
# A/B per query: two `wildchat serve` processes (caches off) asked each
# request of the mixed query set in turn, A then B, 11 times; prints each
# one's median `took_ms` per request and the sums. Alternating requests
# share the machine's state, so the comparison holds on a noisy machine.
#   bench/server/ab_queries.sh BIN_A INDEX_A BIN_B INDEX_B
# QUERIES="q=python q=the&offset=30000" replaces the mix.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_a=${1:?usage: ab_queries.sh BIN_A INDEX_A BIN_B INDEX_B}
index_a=${2:?}
bin_b=${3:?}
index_b=${4:?}
port_a=${PORT_A:-18193}
port_b=${PORT_B:-18194}
"$bin_a" serve --index "$index_a" --port "$port_a" --cache-mb 0 --query-cache-mb 0 \
  > /tmp/wildchat-abq-a.log 2>&1 &
pid_a=$!
"$bin_b" serve --index "$index_b" --port "$port_b" --cache-mb 0 --query-cache-mb 0 \
  > /tmp/wildchat-abq-b.log 2>&1 &
pid_b=$!
trap 'kill $pid_a $pid_b 2>/dev/null || true' EXIT
for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/info" > /dev/null && break
    sleep 0.2
  done
done
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
