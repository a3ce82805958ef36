#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang under ASan
# and UBSan into build-fuzz/, and runs each for a bounded time from its
# committed corpus. Exits non-zero if any target found a crash, a hang or
# a leak; the input that did it is under build-fuzz/findings/<target>/.
#
#   scripts/fuzz.sh                  every target, 30 s each
#   scripts/fuzz.sh 3600 http        one target for an hour
#   FUZZ_JOBS=2 scripts/fuzz.sh ...  two fuzzing processes per target
#
# New inputs that reach new code go to build-fuzz/corpus/<target>/, kept
# between runs (the committed corpus in tests/fuzz/<target>/ is only read).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
SECONDS_EACH=${1:-${FUZZ_SECONDS:-30}}
shift $(($# > 0 ? 1 : 0)) || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(http correct lab readers)
extra=()
[ "${FUZZ_JOBS:-1}" -gt 1 ] && extra=(-fork="$FUZZ_JOBS")

. scripts/lib/packages.sh
# clang and its runtimes (libclang_rt.fuzzer is in libclang-rt-14-dev,
# which clang does not pull in without recommends).
install_missing "${LAB_PACKAGES[@]}" clang libclang-rt-14-dev

CC=clang cmake -S . -B "$BUILD_DIR" -DLAB_FUZZ=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" >/dev/null

# OpenBLAS's own threads are never used (one thread per model call).
export OPENBLAS_NUM_THREADS=1
failed=0
for t in "${TARGETS[@]}"; do
  dict=tests/fuzz/json.dict
  [ "$t" = http ] && dict=tests/fuzz/http.dict
  corpus=$BUILD_DIR/corpus/$t findings=$BUILD_DIR/findings/$t
  mkdir -p "$corpus" "$findings"
  log=$BUILD_DIR/fuzz_$t.log
  echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)"
  # -timeout: an input that takes 10 s is a hang. The first corpus folder
  # gets the new inputs; the committed seeds are read from the second.
  set +e
  "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 \
      -dict="$dict" -artifact_prefix="$findings/" -print_final_stats=1 \
      "${extra[@]}" \
      "$corpus" "tests/fuzz/$t" >"$log" 2>&1
  rc=$?
  set -e
  # The last status line: "#N DONE cov: C ft: F corp: K/S ..."
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t: ${execs:-?} executions; ${status:-no status line}"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "fuzz: $t FOUND SOMETHING (exit $rc); the end of its log:" >&2
    tail -40 "$log" >&2
    echo "fuzz: the input: $(ls -t "$findings" | head -1 | sed "s|^|$findings/|")" >&2
    echo "fuzz: once fixed, keep it as tests/fuzz/$t/crash-<what it found>" >&2
  fi
done
exit "$failed"
