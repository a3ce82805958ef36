# scripts/lib/miniserve.sh - sourced by the benchmarks: miniserve started on
# a free port, the lab's prompts as a wrk script, and medians.

# miniserve_start BIN_DIR LOG_PREFIX [FLAGS...]: starts miniserve --port 0
# with FLAGS, its stdout in LOG_PREFIX.listen and stderr in LOG_PREFIX.log.
# Sets MS_PID and MS_PORT, or exits 1 with the log if it did not start.
miniserve_start() {
    local bin=$1 prefix=$2
    shift 2
    "$bin/miniserve" --port 0 "$@" >"$prefix.listen" 2>"$prefix.log" &
    MS_PID=$!
    for _ in $(seq 100); do
        grep -q '^listening on' "$prefix.listen" 2>/dev/null && break
        sleep 0.05
    done
    MS_PORT=$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$prefix.listen")
    [ -n "$MS_PORT" ] || { echo "miniserve did not start:"; cat "$prefix.log"; exit 1; }
}

# correct_lua PROMPTS: prints a wrk script that POSTs /correct with the
# prompts' sentences in turn.
correct_lua() {
    python3 - "$1" <<'PY'
import json, sys
prompts = json.load(open(sys.argv[1]))
print("local bodies = {")
for p in prompts:
    body = json.dumps({"sentence": p["sentence"], "learner_id": p["learner_id"]})
    print("  %s," % json.dumps(body))
print("}")
print("""local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/correct", nil, bodies[i])
end""")
PY
}

# Reads numbers, one per line; prints their median (upper middle for an
# even count).
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
