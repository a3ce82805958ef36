#!/usr/bin/env bash
# test_install.sh - `cmake --install BUILD --prefix P` (issue 17): the four
# commands in P/bin find the labs, weights and prompts installed under
# P/share/miniserve_c from any folder, write results to ./experiments of
# the folder they are run in (or --out), and keep working when the prefix
# is moved. A tiny lab01 run (sync only, 20 requests) from a folder outside
# both trees is the end-to-end case.
#
# usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_install: $*" >&2; exit 1; }

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
for cmd in harness miniserve minigpt sockserve; do
  [ -x "$prefix/bin/$cmd" ] || fail "no $prefix/bin/$cmd"
done
data=$prefix/share/miniserve_c
for f in harness/labs/lab01.json harness/python/miniserve_py.py model/weights/minigpt-verbs.bin \
         experiments/prompts/lab01_verb_corrections.json experiments/seed004/server_sync.py; do
  [ -f "$data/$f" ] || fail "not installed: $f"
done

# A folder of the user's own, outside the source and build trees.
work=$tmp/my-folder
mkdir "$work"
cd "$work"
h=$prefix/bin/harness

# Each command's output is taken whole before grep reads it: grep -q
# stops at its match, and under pipefail a writer that then meets the
# closed pipe (a --help past one 4 KiB write, as miniserve's is) fails the
# line.
out=$("$h" list)
grep -q '^lab01 ' <<<"$out" || fail "harness list does not name lab01"
out=$("$h" --help)
grep -qF "a name from $data/harness/labs" <<<"$out" || fail "--help does not name the installed labs"
grep -qF "under $work/experiments" <<<"$out" || fail "--help does not name ./experiments"
out=$("$prefix/bin/miniserve" --help)
grep -qF "default $data/model/weights/minigpt-verbs.bin" <<<"$out" ||
  fail "miniserve's default weights are not the installed ones"
[ "$("$prefix/bin/minigpt" correct "She go to school.")" = "She goes to school." ] ||
  fail "minigpt correct with the installed weights"

tiny=(--variants sync --total 20 --warmup 2 --probe-rate 0)
"$h" run lab01 "${tiny[@]}" >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log" >&2; fail "harness run lab01"; }
runs=("$work"/experiments/*/)
[ ${#runs[@]} -eq 1 ] && [ -d "${runs[0]}" ] || fail "expected one folder in ./experiments"
for f in latencies_sync.json manifest.json facts.json summary.md latency_cdf.gp; do
  [ -s "${runs[0]}/$f" ] || fail "the run has no $f"
done
grep -qF "$prefix/bin/miniserve" "${runs[0]}/manifest.json" || fail "the manifest does not name the installed miniserve"
grep -qF "$data/harness/labs/lab01.json" "${runs[0]}/manifest.json" || fail "the manifest does not name the installed lab"
# check and plot find the newest folder under ./experiments by themselves.
"$h" plot >/dev/null 2>&1 || fail "harness plot on the newest run"

"$h" run lab01 "${tiny[@]}" --out mine >"$tmp/run2.log" 2>&1 || { cat "$tmp/run2.log" >&2; fail "run --out"; }
[ -s mine/latencies_sync.json ] || fail "--out mine has no latencies"

# A moved prefix still finds its files: nothing is baked in but bin/../share.
mv "$prefix" "$tmp/moved"
out=$("$tmp/moved/bin/harness" list)
grep -q '^lab01 ' <<<"$out" || fail "a moved prefix lost its labs"
out=$("$tmp/moved/bin/miniserve" --help)
grep -qF "$tmp/moved/share/miniserve_c/model/weights" <<<"$out" ||
  fail "a moved prefix's miniserve lost its weights"
echo "test_install: ok"
