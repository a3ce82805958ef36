#!/usr/bin/env python3
"""test_python_port.py - the Python service (harness/python/miniserve_py.py)
computes what the C model computes, and lab01-python runs end to end.

1. The NumPy port corrects each of the lab's 100 prompts; `minigpt correct`
   does the same on the same weights. Both are greedy over float32 logits
   summed in different orders, so a near-tie may rarely go the other way:
   at least 95 of 100 must match exactly (a wrong port matches ~none).
2. `harness run lab01-python` on a small load: exit 0, all three variants
   measured, every request answered 200.

usage: test_python_port.py MINIGPT HARNESS WEIGHTS PROMPTS SOURCE_DIR SCRATCH
"""
import json
import os
import subprocess
import sys

minigpt, harness, weights, prompts_path, source, scratch = sys.argv[1:7]
sys.path.insert(0, os.path.join(source, "harness", "python"))
os.environ["MINISERVE_WEIGHTS"] = weights
import miniserve_py  # noqa: E402  (reads MINISERVE_WEIGHTS at import)

prompts = [p["sentence"] for p in json.load(open(prompts_path))]
c_out = subprocess.run([minigpt, "--weights", weights, "correct"], input="\n".join(prompts) + "\n",
                       capture_output=True, text=True, check=True).stdout.splitlines()
py_out = [miniserve_py.model.correct(s) for s in prompts]
assert len(c_out) == len(py_out) == 100, (len(c_out), len(py_out))
same = sum(a == b for a, b in zip(c_out, py_out))
distinct = len(set(c_out))
print(f"python port vs C: {same}/100 identical corrections ({distinct} distinct outputs)")
for a, b, s in zip(c_out, py_out, prompts):
    if a != b:
        print(f"  differs on {s!r}: C {a!r}, Python {b!r}")
assert same >= 95, "the NumPy port does not compute what the C model computes"

out_dir = os.path.join(scratch, f"lab01-python.{os.getpid()}")
run = subprocess.run([harness, "run", "lab01-python", "--total", "20", "--concurrency", "4",
                      "--warmup", "2", "--out", out_dir], capture_output=True, text=True, timeout=300)
if run.returncode != 0:
    print(run.stderr)
assert run.returncode == 0, run.returncode
for v in ("sync", "async_blocking", "async_tothread"):
    lat = json.load(open(os.path.join(out_dir, f"latencies_{v}.json")))
    assert len(lat) == 20 and all(s == 200 for _, s in lat), (v, lat[:3])
manifest = json.load(open(os.path.join(out_dir, "manifest.json")))
assert manifest["completed"] is True
assert all(v["healthz"]["server"] == "python" for v in manifest["variants"])
subprocess.run(["rm", "-rf", out_dir], check=True)
print("lab01-python: 3 variants x 20 requests, all 200")
