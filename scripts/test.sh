#!/usr/bin/env bash
# Runs the whole test suite:
#  1. installs dependencies (scripts/setup.sh --deps-only);
#  2. builds the libFuzzer targets with clang into build-fuzz/;
#  3. builds everything with ASan + UBSan and warnings as errors into build-test/;
#  4. runs ctest there: unit, integration, browser tests and bounded fuzz runs.
# Extra arguments go to ctest (e.g. scripts/test.sh -R parquet).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps-only

jobs=$(nproc)
# -O1 -g1: sanitizer builds stay fast to compile and still give line-level stack traces.
opt=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
     "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1")
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja "${opt[@]}" \
  -DWILDCHAT_FUZZ=ON -DWILDCHAT_TESTS=OFF -DWILDCHAT_BENCH=OFF -DWILDCHAT_WERROR=OFF > /dev/null
fuzz_targets=$(cmake --build build-fuzz --target help | sed -n -E 's/^([a-z0-9_]*_fuzz(er)?):.*/\1/p' | tr '\n' ' ')
if [ -n "$fuzz_targets" ]; then
  # shellcheck disable=SC2086
  cmake --build build-fuzz -j "$jobs" --target $fuzz_targets
fi

cmake -S . -B build-test -G Ninja "${opt[@]}" \
  -DWILDCHAT_SANITIZE=ON -DWILDCHAT_WERROR=ON -DWILDCHAT_BENCH=OFF \
  -DWILDCHAT_FUZZ_BUILD_DIR="$PWD/build-fuzz"
cmake --build build-test -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-test
ctest --output-on-failure -j "$jobs" "$@"
