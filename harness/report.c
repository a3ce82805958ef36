/* report.c - summary.md: the table, the acceptance checks and a note that
 * explains the numbers. */
#include "report.h"

#include "files.h"
#include "strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hs_report_variant *find(const hs_report *r, const char *name) {
    for (size_t i = 0; i < r->n_variants; i++)
        if (!strcmp(r->variants[i].name, name) && r->variants[i].summary)
            return &r->variants[i];
    return NULL;
}

static double ms(double s) { return s * 1e3; }

/* The explanation of lab 01's three variants, built from the numbers. It
 * needs all three; other labs get only the table and the checks. */
static void lab01_note(hs_strbuf *b, const hs_report *r) {
    const hs_report_variant *a = find(r, "sync"), *bl = find(r, "async_blocking"),
                            *c = find(r, "async_tothread");
    if (!a || !bl || !c) return;
    const hs_summary *A = a->summary, *B = bl->summary, *C = c->summary;
    double little_ms = B->rps > 0 ? 1e3 * (double)r->load->concurrency / B->rps : NAN;
    double service_ms = B->rps > 0 ? 1e3 / B->rps : NAN;
    double p95_ratio = fmax(A->p95_s, C->p95_s) > 0
                           ? B->p95_s / fmax(A->p95_s, C->p95_s) : NAN;
    double ac_diff = 100 * fabs(A->p95_s - C->p95_s) / fmin(A->p95_s, C->p95_s);
    double thr_ratio = B->rps > 0 ? A->rps / B->rps : NAN;

    hs_strbuf_printf(b, "## What happened, and why\n\n");
    hs_strbuf_printf(b, "- **async_blocking is worse because its event loop runs the model.** Each "
          "correction runs on the loop thread, so while one runs nothing else is "
          "accepted, read or answered: the server serves one request at a time, about "
          "%.2f ms each (1 / %.0f req/s). With %ld clients always waiting, a request "
          "queues behind the others: %ld / %.0f req/s = %.1f ms by Little's law, "
          "against a measured p50 of %.1f ms.\n",
       service_ms, B->rps, r->load->concurrency, r->load->concurrency, B->rps,
       little_ms, ms(B->p50_s));
    double ac_p50 = 100 * fabs(A->p50_s - C->p50_s) / fmin(A->p50_s, C->p50_s);
    if (ac_diff <= 20)
        hs_strbuf_printf(b, "- **sync and async_tothread are close because both run the model on the "
              "thread pool** and keep the loop free; they differ only in where the JSON "
              "is decoded and encoded, microseconds beside a correction. Their p95s "
              "differ by %.1f%% (%.1f vs %.1f ms), their p50s by %.1f%%.\n",
           ac_diff, ms(A->p95_s), ms(C->p95_s), ac_p50);
    else
        hs_strbuf_printf(b, "- **sync and async_tothread both run the model on the thread pool** and "
              "keep the loop free; they differ only in where the JSON is decoded and "
              "encoded. Their p50s differ by %.1f%%, but their p95s by %.1f%% (%.1f vs "
              "%.1f ms) in this run: the tail of %ld requests moves with whatever else "
              "the %ld cores are doing, so run it again before reading much into it.\n",
           ac_p50, ac_diff, ms(A->p95_s), ms(C->p95_s), r->load->total, r->cores);
    double worse_p50 = fmax(A->p50_s, C->p50_s), worse_p95 = fmax(A->p95_s, C->p95_s);
    double p50_ratio = worse_p50 > 0 ? B->p50_s / worse_p50 : NAN;
    hs_strbuf_printf(b, "- **The size of the gap is set by the cores.** The model is CPU-bound, so "
          "the pool runs at most as many corrections at once as there are cores: "
          "%ld here, so the pool variants can be at most about %ldx faster than one "
          "loop thread. Measured: sync served %.2fx async_blocking's requests per "
          "second; async_blocking's p50 is %.2fx and its p95 %.2fx the worse of the "
          "other two.",
       r->cores, r->cores, thr_ratio, p50_ratio, p95_ratio);
    if (p95_ratio < p50_ratio)
        hs_strbuf_printf(b, " The p95 gap is smaller than the p50 gap because the pool's threads "
              "share the cores: the kernel time-slices every correction in flight (up "
              "to %ld here) on %ld cores, so some finish late (sync's p95 is %.1fx its p50), while "
              "the blocked loop serves requests first come, first served and each "
              "waits about as long as the last (async_blocking's p95 is %.1fx its "
              "p50).",
           r->load->concurrency, r->cores, worse_p95 > 0 ? A->p95_s / A->p50_s : NAN,
           B->p95_s / B->p50_s);
    if (r->cores < 4)
        hs_strbuf_printf(b, " The lab's \"p95 3x worse\" was measured by the course on 4 cores; "
              "on %ld cores it is out of reach, so a FAIL of that check here says the "
              "machine has too few cores, not that the loop was not blocked: the p50 "
              "and the throughput show the blocked loop.\n",
           r->cores);
    else
        hs_strbuf_printf(b, "\n");
    hs_strbuf_printf(b, "- **When to prefer async_tothread over sync:** when the handler also awaits "
          "other I/O (a database, a remote log sink). Those waits cost no thread on the "
          "loop, whereas a sync handler holds a pool thread (40 by default) for the "
          "whole request, so the bounded pool fills up with threads that only wait.\n\n");
}

int hs_report_write(const char *dir, const hs_report *r) {
    hs_strbuf b;
    hs_strbuf_init(&b, 8192);
    const hs_load_params *L = r->load;
    hs_strbuf_printf(&b, "# %s\n\n", r->lab->title);
    if (!r->complete)
        hs_strbuf_printf(&b, "> **Incomplete run:** %s. The numbers below cover what was measured.\n\n",
           r->incomplete_reason ? r->incomplete_reason : "it was cut short");
    hs_strbuf_printf(&b, "Load: %ld concurrent clients (closed loop), %ld recorded requests per "
           "variant after %ld warm-up requests, %s %s, request timeout %.0f s, "
           "%ld server worker process%s. Machine: %ld cores.\n\n",
       L->concurrency, L->total, L->warmup, r->lab->method, r->lab->path, L->timeout_s,
       L->workers, L->workers == 1 ? "" : "es", r->cores);

    hs_strbuf_printf(&b, "| variant | requests | HTTP 200 | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | requests/s |\n"
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_report_variant *v = &r->variants[i];
        const hs_summary *s = v->summary;
        if (!s) {
            hs_strbuf_printf(&b, "| %s | 0 | - | - | - | - | - | - |\n", v->name);
            continue;
        }
        hs_strbuf_printf(&b, "| %s | %zu | %.1f%% | %.1f | %.1f | %.1f | %.1f | %.1f |\n", v->name,
           s->requests, s->ok_percent, ms(s->p50_s), ms(s->p95_s), ms(s->p99_s),
           ms(s->max_s), s->rps);
    }
    hs_strbuf_printf(&b, "\nPercentiles are over every recorded request, failures included, by linear "
           "interpolation between closest ranks (NumPy's default). Latency runs from "
           "handing a request to libcurl to its completion. requests/s is recorded "
           "requests over the time from the first sent to the last completed.\n\n");

    int problems = 0;
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_report_variant *v = &r->variants[i];
        const hs_load_errors *e = v->errors;
        size_t errs = e ? e->connect + e->timeout + e->io + e->other + e->http : 0;
        if (!v->problem && !errs) continue;
        if (!problems++) hs_strbuf_printf(&b, "## Failures\n\n");
        hs_strbuf_printf(&b, "- %s:", v->name);
        if (errs)
            hs_strbuf_printf(&b, " %zu connect, %zu timeout, %zu read/write, %zu other transport, "
                   "%zu non-2xx.", e->connect, e->timeout, e->io, e->other, e->http);
        /* The first line only: the rest is a log tail, kept in the manifest. */
        if (v->problem) hs_strbuf_printf(&b, " %.*s.", (int)strcspn(v->problem, "\n"), v->problem);
        hs_strbuf_printf(&b, "\n");
    }
    if (problems) hs_strbuf_printf(&b, "\n");

    if (r->lab->n_checks) {
        hs_strbuf_printf(&b, "## Acceptance checks\n\n| check | measured | result |\n| --- | --- | --- |\n");
        for (int i = 0; i < r->lab->n_checks; i++)
            hs_strbuf_printf(&b, "| %s | %s | %s |\n", r->lab->checks[i].title, r->results[i].detail,
               r->results[i].pass ? "PASS" : "**FAIL**");
        hs_strbuf_printf(&b, "\n");
    }
    lab01_note(&b, r);
    hs_strbuf_printf(&b, "Files: `latencies_<variant>.json` ([latency_seconds, status_code] pairs), "
           "`manifest.json` (versions, machine, commands, times), `latency_cdf.png` "
           "drawn by `latency_cdf.gp` from `latency_cdf_<variant>.dat`, "
           "`server_<variant>.log`.\n");
    if (!b.ok) {
        hs_strbuf_free(&b);
        return -ENOMEM;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    int rc = hs_write_atomic(path, b.s, b.len);
    hs_strbuf_free(&b);
    return rc;
}
