#!/usr/bin/env bash
# Runs the whole test suite: installs dependencies, builds the test
# configuration (ASan + UBSan, warnings as errors) into build-test/, builds
# the Release binary the end-to-end tests drive, and runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps-only

jobs=$(nproc)
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWILDCHAT_SANITIZE=ON -DWILDCHAT_WERROR=ON -DWILDCHAT_BENCH=OFF
cmake --build build-test -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-test
ctest --output-on-failure -j "$jobs" "$@"
