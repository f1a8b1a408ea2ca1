#!/usr/bin/env bash
# Installs everything wildchat needs on Debian 12 (idempotent, non-interactive)
# and builds the Release binary into build/.
#   scripts/setup.sh              packages + npm test tools + Release build
#   scripts/setup.sh --deps-only  packages + npm test tools only
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libzstd-dev zlib1g-dev libsnappy-dev liblz4-dev libbrotli-dev zstd
  libicu-dev libre2-dev libcld2-dev libhyperscan-dev libssl-dev libsqlite3-dev sqlite3
  libmaxminddb-dev libmaxmind-db-writer-perl libcpp-httplib-dev
  libeigen3-dev libhnswlib-dev
  wamerican wfrench wngerman wspanish
  manpages manpages-dev man-db dpkg-dev apt passwd login  # real multilingual text the map tests read
  chromium wrk curl python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another packaging that bundles npm: only ask Debian for it when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Node tools used by tests only: the DuckDB Parquet oracle and playwright-core.
if [ ! -d tests/node/node_modules/@duckdb/node-api ] || [ ! -d tests/node/node_modules/playwright-core ]; then
  echo "setup: installing npm test tools in tests/node" >&2
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error >&2)
fi

[ "${1:-}" = "--deps-only" ] && exit 0

# Warnings are errors in the test build (scripts/test.sh); the optimised build keeps them
# as warnings, since GCC 12 reports false -Wrestrict/-Wstringop-* positives at -O3.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWILDCHAT_TESTS=OFF -DWILDCHAT_WERROR=OFF >&2
cmake --build build --target wildchat >&2
echo "setup: built build/wildchat" >&2
