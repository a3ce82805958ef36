"""miniserve_py - the course's Python service, for measuring beside ours.

A FastAPI app with the lab's four handler variants (MINISERVE_VARIANT =
sync | async_blocking | async_tothread | async_toprocess) over a NumPy port
of our Mini-GPT:
the same weights file (MINISERVE_WEIGHTS), the same forward pass and the
same greedy agent as model/, so the two servers do the same work per
request. harness/labs/lab01-python.json runs it under uvicorn; the harness
hands it a port with {port} and waits for /healthz.

Run by hand:
  MINISERVE_VARIANT=sync MINISERVE_WEIGHTS=model/weights/minigpt-verbs.bin \
    /usr/bin/python3 -m uvicorn miniserve_py:app --app-dir harness/python --port 8000
"""
import asyncio
import math
import os
import struct
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Optional

import anyio
import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

ALPHABET = " !\"',-.:;?0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SEP, END = 0, 1
SLACK = 15  # GPT_CORRECTION_SLACK in model/minigpt.h


class MiniGPT:
    """Loads the weights file format of model/weights.c and runs it."""

    def __init__(self, path):
        with open(path, "rb") as f:
            blob = f.read()
        if blob[:4] != b"MGPT" or struct.unpack_from("<I", blob, 4)[0] != 1:
            raise ValueError(f"{path}: not a version 1 Mini-GPT weights file")
        V, C, NH, L, M, T, flags = struct.unpack_from("<7I", blob, 8)
        (self.seed, n) = struct.unpack_from("<QQ", blob, 40)
        p = np.frombuffer(blob, dtype="<f4", offset=64)
        if p.size != n:
            raise ValueError(f"{path}: {p.size} parameters, header says {n}")
        self.V, self.C, self.NH, self.L, self.M, self.T = V, C, NH, L, M, T
        self.trained = bool(flags & 1)
        self.n_params = int(n)
        off = 0

        def take(*shape):
            nonlocal off
            size = int(np.prod(shape))
            a = p[off:off + size].reshape(shape)
            off += size
            return a

        self.wte = take(V, C)
        self.layers = []
        for _ in range(L):
            self.layers.append(dict(
                ln1_g=take(C), ln1_b=take(C), w_qkv=take(3 * C, C), w_o=take(C, C),
                ln2_g=take(C), ln2_b=take(C), w_fc=take(M, C), w_proj=take(C, M)))
        self.lnf_g, self.lnf_b = take(C), take(C)
        pos = np.zeros((T, C), dtype=np.float32)
        for i in range(0, C, 2):
            freq = math.pow(10000.0, -i / C)
            t = np.arange(T, dtype=np.float64)
            pos[:, i] = np.sin(t * freq)
            pos[:, i + 1] = np.cos(t * freq)
        self.pos = pos
        self.escale = np.float32(math.sqrt(C))

    @staticmethod
    def _layernorm(x, g, b):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * g + b

    @staticmethod
    def _gelu(x):
        # x * sigmoid(2u), the sigmoid taken from exp(-|2u|) <= 1 on either
        # side of 0: the same value as x / (1 + exp(-2u)), without exp
        # overflowing float32 for large negative x (which printed
        # "RuntimeWarning: overflow encountered in exp" under load)
        u = np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)
        e = np.exp(-2 * np.abs(u))
        return x * np.where(u >= 0, 1 / (1 + e), e / (1 + e))

    def forward(self, tokens, pos0, cache):
        """Runs tokens at positions pos0.. and returns the last logits;
        cache holds each layer's keys and values (T, C) so far."""
        C, NH = self.C, self.NH
        HS = C // NH
        n = len(tokens)
        x = self.wte[tokens] * self.escale + self.pos[pos0:pos0 + n]
        for l, ly in enumerate(self.layers):
            xn = self._layernorm(x, ly["ln1_g"], ly["ln1_b"])
            qkv = xn @ ly["w_qkv"].T
            k_all, v_all = cache[l]
            k_all[pos0:pos0 + n] = qkv[:, C:2 * C]
            v_all[pos0:pos0 + n] = qkv[:, 2 * C:]
            att = np.empty((n, C), dtype=np.float32)
            for h in range(NH):
                q = qkv[:, h * HS:(h + 1) * HS]
                k = k_all[:pos0 + n, h * HS:(h + 1) * HS]
                v = v_all[:pos0 + n, h * HS:(h + 1) * HS]
                s = (q @ k.T) / np.float32(math.sqrt(HS))
                s = s + np.triu(np.full((n, pos0 + n), -np.inf, dtype=np.float32), pos0 + 1)
                s = np.exp(s - s.max(axis=-1, keepdims=True))
                att[:, h * HS:(h + 1) * HS] = (s / s.sum(axis=-1, keepdims=True)) @ v
            x = x + att @ ly["w_o"].T
            xn = self._layernorm(x, ly["ln2_g"], ly["ln2_b"])
            x = x + self._gelu(xn @ ly["w_fc"].T) @ ly["w_proj"].T
        last = self._layernorm(x[-1], self.lnf_g, self.lnf_b)
        return self.wte @ last

    def correct(self, sentence):
        """Greedy correction, as model/agent.c: never the separator, the
        lowest token on a tie, at most len(sentence) + SLACK tokens."""
        tokens = [ALPHABET.index(ch) + 2 for ch in sentence] + [SEP]
        cache = [(np.zeros((self.T, self.C), np.float32), np.zeros((self.T, self.C), np.float32))
                 for _ in range(self.L)]
        logits = self.forward(tokens, 0, cache)
        pos, out, limit = len(tokens), [], len(sentence) + SLACK
        for step in range(limit):
            nxt = int(np.argmax(logits[END:])) + END
            if nxt == END:
                break
            out.append(ALPHABET[nxt - 2])
            if step + 1 < limit:
                logits = self.forward([nxt], pos, cache)
                pos += 1
        return "".join(out)


def max_sentence(model):
    return (model.T - 1 - SLACK) // 2


VARIANT = os.environ.get("MINISERVE_VARIANT", "sync")
WEIGHTS = os.environ.get("MINISERVE_WEIGHTS", "model/weights/minigpt-verbs.bin")
model = MiniGPT(WEIGHTS)
app = FastAPI()


class CorrectRequest(BaseModel):
    sentence: str
    learner_id: Optional[str] = None


def validate(sentence, learner_id):
    if not sentence:
        raise HTTPException(422, "sentence is empty")
    if len(sentence.encode()) > max_sentence(model):
        raise HTTPException(422, f"sentence is longer than {max_sentence(model)} bytes")
    bad = next((i for i, ch in enumerate(sentence) if ch not in ALPHABET), None)
    if bad is not None:
        raise HTTPException(422, f"character {bad} is outside the model's alphabet")
    if learner_id is not None and len(learner_id.encode()) > 64:
        raise HTTPException(422, "learner_id is longer than 64 bytes")


def agent_correct(sentence, learner_id):
    validate(sentence, learner_id)
    return model.correct(sentence)


# async_toprocess: seed 003's advice for CPU-bound work, a process pool,
# primed at start-up because processes are costly to start. Each process
# loads the model itself (the initializer); the warm-up call runs once in
# each, held apart by a short sleep so that every process takes one.
def _load_in_process(weights):
    global model
    model = MiniGPT(weights)


def _warm(_):
    time.sleep(0.05)
    model.correct("She go.")
    return os.getpid()


def _correct_in_process(sentence):
    return model.correct(sentence)


PROCESSES = int(os.environ.get("MINISERVE_PROCESSES", "0")) or len(os.sched_getaffinity(0))
pool = None


def reply(req, correction):
    return {"correction": correction, "learner_id": req.learner_id, "variant": VARIANT}


if VARIANT == "sync":
    @app.post("/correct")
    def correct(req: CorrectRequest):
        return reply(req, agent_correct(req.sentence, req.learner_id))
elif VARIANT == "async_blocking":
    @app.post("/correct")
    async def correct(req: CorrectRequest):
        return reply(req, agent_correct(req.sentence, req.learner_id))  # blocks the loop
elif VARIANT == "async_tothread":
    @app.post("/correct")
    async def correct(req: CorrectRequest):
        result = await anyio.to_thread.run_sync(agent_correct, req.sentence, req.learner_id)
        return reply(req, result)
elif VARIANT == "async_toprocess":
    @app.on_event("startup")
    async def start_pool():
        global pool
        pool = ProcessPoolExecutor(max_workers=PROCESSES, initializer=_load_in_process,
                                   initargs=(WEIGHTS,))
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _warm, i) for i in range(PROCESSES)))

    @app.on_event("shutdown")
    async def stop_pool():
        pool.shutdown(wait=True)

    @app.post("/correct")
    async def correct(req: CorrectRequest):
        validate(req.sentence, req.learner_id)  # on the loop: cheap, and raises 422
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(pool, _correct_in_process, req.sentence)
        return reply(req, result)
else:
    raise SystemExit("MINISERVE_VARIANT must be sync, async_blocking, async_tothread or "
                     f"async_toprocess, not {VARIANT}")


@app.get("/healthz")
async def healthz():
    limiter = anyio.to_thread.current_default_thread_limiter()
    return {"status": "ok", "variant": VARIANT, "pid": os.getpid(),
            "model": {"weights": WEIGHTS, "trained": model.trained, "params": model.n_params,
                      "seed": model.seed, "max_sentence_bytes": max_sentence(model)},
            "threads": int(limiter.total_tokens), "server": "python",
            **({"processes": PROCESSES} if VARIANT == "async_toprocess" else {})}
