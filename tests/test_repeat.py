#!/usr/bin/env python3
"""test_repeat.py - `harness run --repeat N`, `check` on its folder and
`harness compare`, end to end, as issue 15 asks:

1. A server this project did not write (tests/servers/sleepy_loop.py),
   3 repeats: a fresh server process per repeat, the pooled latencies
   file holding every repeat's records in order with repeats_<v>.json
   saying which came from where, each figure a median inside its
   interval, the check's verdict, check's exit code agreeing with it, and
   the CDF with one thin curve per repeat.
2. Two miniserve variants, 3 repeats: the schedule in the manifest runs
   A B A B A B, every run on its own server process.
3. compare: two folders of the same settings trip no threshold; one whose
   servers wait 60 ms more per request trips 'p50>+10%' and exits 1; two
   single runs are compared by their requests; mismatched folders (other
   load, another lab) are refused with exit 2, unless --force.
4. check's exit codes from a repeated folder whose repeats are edited to
   disagree (3, UNSTABLE) or all fail (1, FAIL).
5. A sweep with --repeat: each point a repeated run, checked.
6. Bad input: exit 2, no folder.

No assertion is on speed: the regression is 60 ms on a request of a few
(about 33 ms under the sanitizers, where 20 ms left both intervals
reaching below +10% in a fresh-clone CI run: UNDECIDED, exit 3),
and the same-settings threshold is wide (50%), as two cores are shared.

usage: test_repeat.py HARNESS SOURCE_DIR SCRATCH WEIGHTS
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

harness, source, scratch, weights = sys.argv[1:5]
out = os.path.join(scratch, f"repeat.{os.getpid()}")
os.makedirs(out)


def harness_run(*args, timeout=300):
    r = subprocess.run([harness, *args], capture_output=True, text=True, timeout=timeout)
    return r


def load(path):
    with open(path) as f:
        return json.load(f)


def at(obj, path):
    for k in path.split("."):
        obj = obj[int(k)] if isinstance(obj, list) else obj[k]
    return obj


# 1. a foreign server, 3 repeats
sleepy = os.path.join(source, "tests", "labs", "sleepy_loop.json")
S = os.path.join(out, "sleepy")
r = harness_run("run", sleepy, "--repeat", "3", "--total", "40", "--out", S)
assert r.returncode == 0, r.stderr[-3000:]
m = load(f"{S}/manifest.json")
assert m["kind"] == "repeats" and m["repeats"]["ran"] == 3 and m["completed"] is True
sched = m["schedule"]
assert [e["repeat"] for e in sched] == [1, 2, 3], sched
pids = [e["server_pid"] for e in sched]
assert len(set(pids)) == 3 and all(isinstance(p, int) for p in pids), pids
assert sorted(e["start_time"] for e in sched) == [e["start_time"] for e in sched]
pooled = load(f"{S}/latencies_sleepy.json")
index = load(f"{S}/repeats_sleepy.json")
assert len(pooled) == 120 == index["records"], (len(pooled), index["records"])
first = 0
for k, e in enumerate(index["repeats"], 1):
    own = load(f"{S}/repeat-{k}/latencies_sleepy.json")
    assert e["first"] == first and e["count"] == len(own) == 40, e
    assert pooled[first:first + len(own)] == own, k  # in order, unchanged
    first += len(own)
f = load(f"{S}/facts.json")
assert f["kind"] == "repeats"
for path in ("latency_ms.p50", "latency_ms.p95", "requests_per_s"):
    iv = at(f, f"variants.sleepy.repeated.{path}")
    assert len(iv["values"]) == 3 and iv["lo"] <= iv["median"] <= iv["hi"], (path, iv)
    each = [at(load(f"{S}/repeat-{k}/facts.json"), f"variants.sleepy.{path}") for k in (1, 2, 3)]
    assert iv["values"] == each, (path, iv["values"], each)
assert f["checks"][0]["verdict"] == "PASS", f["checks"]
r = harness_run("check", S)
assert r.returncode == 0 and "PASS" in r.stdout, (r.returncode, r.stdout, r.stderr)
dat = open(f"{S}/latency_cdf_sleepy_repeats.dat").read()
assert dat.count("# repeat ") == 3, dat[:300]
assert "latency_cdf_sleepy_repeats.dat" in open(f"{S}/latency_cdf.gp").read()
assert "| PASS |" in open(f"{S}/summary.md").read()  # the verdict cell
r = harness_run("plot", S)
assert r.returncode == 0, r.stderr
print("sleepy_loop.py, 3 repeats: 3 servers, 120 records pooled in order, check PASS")

# 2. two miniserve variants: interleaved, each run on its own server
lab = os.path.join(out, "tiny.json")
variants = []
for v in ("sync", "async_tothread"):
    variants.append({"name": v, "command": [
        "{bin}/miniserve", "--variant", v, "--workers", "{workers}", "--threads", "{threads}",
        "--io-delay-ms", "{io_delay_ms}", "--weights", weights, "--port", "0"]})
with open(lab, "w") as fh:
    json.dump({"name": "tiny", "title": "repeat test", "folder": "repeat-test",
               "request": {"method": "POST", "path": "/correct", "health": "/healthz",
                           "payloads": "{source}/experiments/prompts/lab01_verb_corrections.json"},
               "load": {"concurrency": 4, "total": 100, "warmup": 5, "timeout_s": 30,
                        "workers": 1, "threads": 4, "seed": 0},
               "variants": variants,
               "checks": [{"kind": "min_ok_percent", "title": "all ok",
                           "variants": ["sync", "async_tothread"], "threshold": 99}]}, fh)
A, B, C = (os.path.join(out, x) for x in "ABC")
for d, extra in ((A, []), (B, []), (C, ["--io-delay-ms", "60"])):
    r = harness_run("run", lab, "--repeat", "3", "--out", d, *extra)
    assert r.returncode == 0, (d, r.stderr[-3000:])
sched = load(f"{A}/manifest.json")["schedule"]
order = [(e["repeat"], e["variant"]) for e in sched]
assert order == [(1, "sync"), (1, "async_tothread"), (2, "sync"), (2, "async_tothread"),
                 (3, "sync"), (3, "async_tothread")], order
assert [e["start_time"] for e in sched] == sorted(e["start_time"] for e in sched)
assert len({e["server_pid"] for e in sched}) == 6, sched
print("miniserve, 2 variants x 3 repeats: ran A B A B A B, 6 server processes")

# 3. compare
r = harness_run("compare", A, B, "--fail-if", "p50>+50%,p95>+50%")
print(r.stdout)
assert r.returncode in (0, 3) and "TRIPPED" not in r.stdout, (r.returncode, r.stdout, r.stderr)
assert "resamples whole repeats" in r.stdout
r = harness_run("compare", A, C, "--fail-if", "p50>+10%")
print(r.stdout)
assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
# both variants waited 60 ms more; under the sanitizers a request already
# takes ~33 ms, and 3 repeats may leave one variant's interval reaching
# below +10% (UNDECIDED): the exit code is the regression test's verdict
assert r.stdout.count("TRIPPED") >= 1, r.stdout
for line in r.stdout.splitlines():  # no p50 got faster with the wait
    if "| p50 |" in line:
        assert "faster" not in line, line
assert "io_delay_ms 0 -> 60" in r.stdout
r = harness_run("compare", f"{A}/repeat-1", f"{A}/repeat-2")
assert r.returncode == 0 and "resamples the requests" in r.stdout, (r.stdout, r.stderr)
D = os.path.join(out, "D")
r = harness_run("run", lab, "--total", "50", "--out", D)
assert r.returncode == 0, r.stderr[-2000:]
r = harness_run("compare", A, D)
assert r.returncode == 2 and "load total: 100 against 50" in r.stderr, (r.returncode, r.stderr)
r = harness_run("compare", A, S)
assert r.returncode == 2 and "lab: tiny against sleepy_loop" in r.stderr, r.stderr
r = harness_run("compare", A, D, "--force")
assert r.returncode == 0 and "--force" in r.stdout, (r.returncode, r.stdout, r.stderr)
for bad in (["--fail-if", "p77>+1%"], ["--fail-if", "p95>10"], ["--fail-if", "p95=+10%"],
            ["--fail-if", "p95<+10%"], ["--fail-if", "p95>-10%"], ["--fail-if", "p95>10%"]):
    r = harness_run("compare", A, B, *bad)
    assert r.returncode == 2 and "--fail-if takes" in r.stderr, (bad, r.stderr)
r = harness_run("compare", A, B, "--fail-if", "")
assert r.returncode == 2 and "no threshold" in r.stderr, r.stderr
r = harness_run("compare", A)
assert r.returncode == 2, r.stderr
r = harness_run("compare", A, B, "--fail-if", "nosuch:p95>+10%")  # would judge nothing
assert r.returncode == 2 and "not a variant of both" in r.stderr, (r.returncode, r.stderr)
assert r.stdout == "", r.stdout  # refused before any table
print("compare: same settings trip nothing, +60 ms trips p50>+10% (exit 1), mismatches refused")

# 4. check's exit codes, from repeats edited to disagree, then to fail
E = os.path.join(out, "E")
shutil.copytree(A, E)


def set_value(values):
    for k, v in enumerate(values, 1):
        p = f"{E}/repeat-{k}/facts.json"
        fj = load(p)
        fj["checks"][0]["value"] = v
        fj["checks"][0]["result"] = "PASS" if v >= 99 else "FAIL"
        with open(p, "w") as fh:
            json.dump(fj, fh)


set_value([100, 98, 100])
r = harness_run("check", E)
assert r.returncode == 3 and "UNSTABLE" in r.stdout, (r.returncode, r.stdout)
set_value([50, 60, 40])
r = harness_run("check", E)
assert r.returncode == 1 and "FAIL" in r.stdout, (r.returncode, r.stdout)
print("check: exit 3 when the repeats straddle the threshold, 1 when all fail")

# 5. a sweep whose points are repeated runs
W = os.path.join(out, "W")
r = harness_run("run", lab, "--sweep", "concurrency=2,4", "--repeat", "2", "--total", "40",
                "--out", W)
assert r.returncode == 0, r.stderr[-3000:]
for point in ("concurrency-2", "concurrency-4"):
    pm = load(f"{W}/{point}/manifest.json")
    assert pm["kind"] == "repeats" and pm["repeats"]["ran"] == 2, point
sm = load(f"{W}/manifest.json")
for p in sm["points"]:
    for v in p["variants"]:
        assert v["p95_ms"] > 0, p
r = harness_run("check", W)
assert r.returncode == 0, (r.stdout, r.stderr)
assert sm["repeats_per_point"] == 2, sm.get("repeats_per_point")
W2 = os.path.join(out, "W2")
r = harness_run("run", lab, "--sweep", "concurrency=2,4", "--repeat", "2", "--total", "40",
                "--out", W2)
assert r.returncode == 0, r.stderr[-3000:]
r = harness_run("compare", W, W2, "--fail-if", "p50>+50%")
assert r.returncode in (0, 3) and "TRIPPED" not in r.stdout, (r.returncode, r.stdout, r.stderr)
assert "## concurrency=2" in r.stdout and "## concurrency=4" in r.stdout, r.stdout
r = harness_run("compare", W, A)
assert r.returncode == 2 and "is a sweep's folder" in r.stderr, r.stderr
print("sweep with --repeat 2: each point a repeated run, checked, compared point by point")

# 5b. Ctrl-C in the second repeat: exit 130, the first repeat's figures
# kept, the cut-short second left out of them, and said so
I = os.path.join(out, "I")
p = subprocess.Popen([harness, "run", sleepy, "--repeat", "3", "--total", "100", "--out", I],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
while not os.path.exists(f"{I}/repeat-2/server_sleepy.log") and p.poll() is None:
    time.sleep(0.05)
time.sleep(0.5)
p.send_signal(signal.SIGINT)
err = p.communicate(timeout=120)[1]
assert p.returncode == 130, (p.returncode, err[-2000:])
m = load(f"{I}/manifest.json")
assert m["completed"] is False and "interrupted" in m["incomplete_reason"], m["incomplete_reason"]
f = load(f"{I}/facts.json")
assert f["repeats"]["ran"] == 2 and f["repeats"]["used"] == 1, f["repeats"]
assert [x["folder"] for x in f["repeats"]["left_out"]] == ["repeat-2"], f["repeats"]["left_out"]
assert len(load(f"{I}/latencies_sleepy.json")) == 100  # repeat 1's records only
assert at(f, "variants.sleepy.repeated.latency_ms.p50.values")[1] is None
assert "<!-- says: repeat.left_out -->" in open(f"{I}/summary.md").read()
print("Ctrl-C in repeat 2: exit 130, repeat 1 kept, repeat 2 left out and named")

# 6. bad input: exit 2, nothing made
for bad in (["--repeat", "0"], ["--repeat", "101"], ["--repeat", "x"]):
    d = os.path.join(out, "bad")
    r = harness_run("run", lab, *bad, "--out", d)
    assert r.returncode == 2 and "--repeat" in r.stderr and not os.path.exists(d), (bad, r.stderr)
print("bad --repeat: exit 2, no folder")
shutil.rmtree(out)
