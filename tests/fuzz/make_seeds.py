#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/<target>/seed-*) from
files already in the project: the HTTP edge cases beside nginx, the lab's
prompts, the lab files, and a committed experiment folder. Run it from the
project's root after changing any of them:

    python3 tests/fuzz/make_seeds.py [SWEEP_FOLDER]

SWEEP_FOLDER, a sweep's folder, (re)writes readers/seed-sweep from its
manifest.json and facts.json (the committed one came from `harness run
lab01 --sweep workers=1,2 --total 30 --warmup 3 --variants
sync,async_blocking`); without it that seed is kept. Inputs of fixed
findings (crash-*, named by what they found) are never touched."""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")


def write(target, name, data):
    os.makedirs(os.path.join(FUZZ, target), exist_ok=True)
    with open(os.path.join(FUZZ, target, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def clear(target, keep=()):
    for p in glob.glob(os.path.join(FUZZ, target, "seed-*")):
        if os.path.basename(p) not in keep:
            os.remove(p)


def prompts():
    with open(os.path.join(ROOT, "experiments/prompts/lab01_verb_corrections.json")) as f:
        return json.load(f)


def http():
    clear("http")
    cases = json.load(open(os.path.join(ROOT, "tests/http_edge/cases.json")))
    # Byte 0 picks the variant, byte 1 seeds the cuts (fuzz_http.c).
    for i, c in enumerate(cases):
        write("http", "edge-%02d" % i, bytes([i % 3, i]) + c["request"].encode("latin-1"))
    p = prompts()
    body = json.dumps({"sentence": p[0]["sentence"], "learner_id": p[0]["learner_id"]})
    post = ("POST /correct HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n%s" % (len(body), body))
    chunked = ("POST /correct HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    expect = ("POST /correct HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: %d\r\n\r\n%s" % (len(body), body))
    get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    for v in range(3):
        write("http", "post-v%d" % v, bytes([v, 7]) + post.encode())
        write("http", "chunked-v%d" % v, bytes([v, 9]) + chunked.encode())
        write("http", "expect-v%d" % v, bytes([v, 11]) + expect.encode())
        write("http", "pipelined-v%d" % v, bytes([v, 13]) + (get + post + get).encode())
    write("http", "metrics", bytes([0, 1]) + b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    write("http", "head", bytes([1, 2]) + b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + get.encode())
    write("http", "blocks", bytes([2, 3]) + b"GET /debug/blocks HTTP/1.0\r\n\r\n")
    write("http", "close", bytes([0, 4]) + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get.encode())


def correct():
    clear("correct")
    p = prompts()
    for i, x in enumerate(p[:6]):
        write("correct", "prompt-%d" % i, json.dumps({"sentence": x["sentence"], "learner_id": x["learner_id"]}))
    bodies = {
        "no-learner": '{"sentence": "He have a dog."}',
        "null-learner": '{"sentence": "He have a dog.", "learner_id": null}',
        "not-object": '["He have a dog."]',
        "number": '{"sentence": 7}',
        "nul-escape": '{"sentence": "He\\u0000 have"}',
        "unicode": '{"sentence": "Caf\\u00e9 is open.", "learner_id": "l\\u00e9arner"}',
        "empty": '{"sentence": ""}',
        "trailing": '{"sentence": "He have a dog."} x',
        "long": json.dumps({"sentence": "She go to school and " * 60}),
        "nested": '{"sentence": {"a": [1, 2, {"b": null}]}}',
    }
    for k, v in bodies.items():
        write("correct", k, v)


def lab():
    clear("lab")
    for p in sorted(glob.glob(os.path.join(ROOT, "harness/labs/*.json")) +
                    glob.glob(os.path.join(ROOT, "tests/labs/*.json"))):
        write("lab", os.path.basename(os.path.dirname(p)) + "-" + os.path.basename(p),
              open(p, "rb").read())


def readers(sweep=None):
    clear("readers", () if sweep else ("seed-sweep",))
    cut = b"\n--8<--\n"
    for folder in ["2026-12-04-phase-33-lab-01", "2026-12-04-seed004",
                   "2026-12-04-phase-33-lab-01-rate"]:
        d = os.path.join(ROOT, "experiments", folder)
        if not os.path.isdir(d):
            continue
        m = open(os.path.join(d, "manifest.json"), "rb").read()
        f = open(os.path.join(d, "facts.json"), "rb").read()
        lat_files = sorted(glob.glob(os.path.join(d, "latencies_*.json")))
        lat = json.load(open(lat_files[0]))[:40]
        # The manifest's variants are renamed to the one latencies file
        # the target writes (latencies_sync.json).
        name = os.path.basename(lat_files[0])[len("latencies_"):-len(".json")]
        mj = json.loads(m)
        for v in mj.get("variants", []):
            if v.get("name") == name:
                v["name"] = "sync"
        l = json.dumps(lat).encode()
        write("readers", folder, json.dumps(mj).encode() + cut + f + cut + l)
        write("readers", folder + "-facts-only", cut + f)
    if sweep:
        m = open(os.path.join(sweep, "manifest.json"), "rb").read()
        f = open(os.path.join(sweep, "facts.json"), "rb").read()
        write("readers", "sweep", m + cut + f)


http()
correct()
lab()
readers(sys.argv[1] if len(sys.argv) > 1 else None)
