#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test twice: in a plain
# -Werror build (build/) and under AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== plain build (-Wall -Wextra -Werror) =="
scripts/setup.sh
(cd build && ctest --output-on-failure -j2)

echo "== ASan + UBSan build =="
BUILD_DIR=build-asan scripts/setup.sh -DLAB_SANITIZE=ON
# OpenBLAS's own threads are never used (one thread per call); keeping them
# from starting keeps the sanitizer runs quiet and quick.
(cd build-asan && OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1 \
   UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2)
