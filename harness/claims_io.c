/* claims_io.c - the I/O-wait claim: sync degrades more than
 * async_tothread under an extra wait per request, because sync's bounded
 * pool sleeps through the wait and async_tothread waits on a timer. A
 * verdict from the ratios, then what bounds each variant.
 *
 * Letters used in the bounds: C = clients in flight, T = pool threads per
 * worker, W = worker processes, P = T × W pool threads in all, D = extra
 * I/O wait per request in ms. */
#include "claims_internal.h"

#include <math.h>

/* Not part of any verdict: ratios closer than this are flagged as a small
 * margin, so that a reader on a shared, noisy machine runs the lab again
 * before trusting which way the verdict went. */
#define SMALL_MARGIN 0.10

/* How far the clients outnumber the pool's threads, in words: from
 * CLEAR_OVER times as many "clearly", below BARE_OVER "only barely", in
 * between neither. Twice the threads is where the lab's own advice
 * ("--concurrency well above the threads") starts. */
#define CLEAR_OVER 2.0
#define BARE_OVER 1.5

/* 0: only barely over the threads, 1: over, 2: clearly over. */
static int how_far(double over) { return over >= CLEAR_OVER ? 2 : over < BARE_OVER ? 0 : 1; }

/* 1 when two ratios are within SMALL_MARGIN of each other. */
static int close_ratios(double x, double y) {
    return fabs(x - y) < SMALL_MARGIN * fmin(fabs(x), fabs(y));
}

/* Why kind cannot be judged, after its name: "was not measured", "has no
 * complete numbers at 0 ms or at 50 ms", "got HTTP 200 for only 80.0% of
 * its requests at 50 ms", or two of them joined. */
static void missing(hs_strbuf *b, const hs_claims *c, const char *kind) {
    const hs_claims_variant *v = hs_claims__find(c, kind);
    if (!v) {
        hs_strbuf_printf(b, "%s was not measured", kind);
        return;
    }
    if (!v->a && !v->b) {
        hs_strbuf_printf(b, "%s has no complete numbers at %ld ms or at %ld ms", kind, c->value_a,
                         c->value_b);
        return;
    }
    const hs_summary *side[2] = {v->a, v->b};
    const long value[2] = {c->value_a, c->value_b};
    int n = 0;
    hs_strbuf_printf(b, "%s ", kind);
    for (int k = 0; k < 2; k++) {
        if (!side[k])
            hs_strbuf_printf(b, "%shas no complete numbers at %ld ms", n++ ? " and " : "",
                             value[k]);
        else if (hs_claims_low_ok(side[k]))
            hs_strbuf_printf(b, "%sgot HTTP 200 for only %.1f%% of its requests at %ld ms",
                             n++ ? " and " : "", side[k]->ok_percent, value[k]);
    }
}

static void io_verdict(hs_strbuf *b, const hs_claims *c, long pool) {
    const hs_claims_variant *s = hs_claims__find(c, "sync");
    const hs_claims_variant *t = hs_claims__find(c, "async_tothread");
    if (!hs_claims__both(s) || !hs_claims__both(t)) {
        hs_strbuf_printf(b, "**Verdict: not judged.** It needs complete numbers with at least "
                            "%g%% HTTP 200 for sync and async_tothread at both %ld and %ld ms; ",
                         HS_CLAIMS_MIN_OK_PERCENT, c->value_a, c->value_b);
        if (!hs_claims__both(s)) missing(b, c, "sync");
        if (!hs_claims__both(s) && !hs_claims__both(t)) hs_strbuf_printf(b, "; ");
        if (!hs_claims__both(t)) missing(b, c, "async_tothread");
        hs_strbuf_printf(b, ".\n\n");
        return;
    }
    double s_rps = s->b->rps / s->a->rps, t_rps = t->b->rps / t->a->rps;
    double s_p95 = s->b->p95_s / s->a->p95_s, t_p95 = t->b->p95_s / t->a->p95_s;
    int rps_held = s_rps < t_rps, p95_held = s_p95 > t_p95;
    if (pool > 0 && c->concurrency <= pool) {
        hs_strbuf_printf(b,
            "**Verdict: not tested by this run.** With %ld clients in flight and %ld pool "
            "threads, sync never runs out of threads, so the claim's mechanism (a bounded pool "
            "whose threads sleep through the wait) cannot show; the numbers say nothing either "
            "way, and this is no failure of the claim. For the record: requests/s went ×%.2f "
            "for sync and ×%.2f for async_tothread, p95 ×%.2f and ×%.2f. Run with "
            "`--concurrency` well above %ld (e.g. %ld) to test it.\n\n",
            c->concurrency, pool, s_rps, t_rps, s_p95, t_p95, pool, 2 * pool + pool / 2);
        return;
    }
    if (rps_held && p95_held)
        hs_strbuf_printf(b, "**Verdict: the claim held.** sync degraded more on both counts: ");
    else if (!rps_held && !p95_held)
        hs_strbuf_printf(b, "**Verdict: the claim did not hold.** sync degraded no more than "
                            "async_tothread on either count: ");
    else
        hs_strbuf_printf(b, "**Verdict: the claim held on %s, not on %s.** ",
                         rps_held ? "requests/s" : "p95", rps_held ? "p95" : "requests/s");
    /* In a mixed verdict, each count says which way it went. */
    int mixed = rps_held != p95_held;
    hs_strbuf_printf(b, "%s requests/s went ×%.2f (%.1f → %.1f) against async_tothread's ×%.2f "
                        "(%.1f → %.1f)%s, and its p95 went ×%.2f (",
                     mixed ? "sync's" : "its", s_rps, s->a->rps, s->b->rps, t_rps, t->a->rps,
                     t->b->rps,
                     !mixed ? "" : rps_held ? ", the lower ratio" : ", not the lower ratio", s_p95);
    hs_claims_ms(b, s->a->p95_s), hs_strbuf_printf(b, " → "), hs_claims_ms(b, s->b->p95_s);
    hs_strbuf_printf(b, " ms) against ×%.2f (", t_p95);
    hs_claims_ms(b, t->a->p95_s), hs_strbuf_printf(b, " → "), hs_claims_ms(b, t->b->p95_s);
    hs_strbuf_printf(b, " ms)%s.",
                     !mixed ? "" : p95_held ? ", the higher ratio" : ", not the higher ratio");
    int small_rps = close_ratios(s_rps, t_rps), small_p95 = close_ratios(s_p95, t_p95);
    if (small_rps || small_p95)
        hs_strbuf_printf(b, " The margin on %s is under %.0f%%, small on a shared machine: run "
                            "the lab again before leaning on it.",
                         small_rps && small_p95 ? "both" : small_rps ? "requests/s" : "p95",
                         100 * SMALL_MARGIN);
    if (pool <= 0)
        hs_strbuf_printf(b, " The servers' pool size in all is not known, so whether the clients "
                            "outnumbered its threads (the claim's mechanism) is not known "
                            "either.");
    hs_strbuf_printf(b, "\n\n");
}

/* sync's bullet: the pool's bound, whether these clients reach it, and
 * how close sync came. P is the pool's threads in all, 0 unknown. */
static void sync_bound(hs_strbuf *b, const hs_claims *c, long P) {
    long C = c->concurrency, D = c->value_b, W = c->workers;
    double clients_bound = 1e3 * (double)C / (double)D, pool_bound = 1e3 * (double)P / (double)D;
    if (P <= 0) {
        hs_strbuf_printf(b, "- **sync holds a pool thread through the whole wait**, so P pool "
                            "threads each asleep %ld ms can finish at most P × 1000 / %ld "
                            "requests/s; P (threads per worker × workers) is not known here.\n",
                         D, D);
        return;
    }
    hs_strbuf_printf(b, "- **sync holds a pool thread through the whole wait.** %ld threads", P);
    if (W > 1) hs_strbuf_printf(b, " (%ld per worker × %ld workers)", c->threads, W);
    hs_strbuf_printf(b, ", each asleep %ld ms per request, can finish at most %ld × 1000 / %ld = "
                        "%.0f requests/s, however fast the model is. That bites only when more "
                        "requests are in flight than there are threads. ",
                     D, P, D, pool_bound);
    if (C <= P) {
        hs_strbuf_printf(b, "Here %ld clients against %ld threads: every request in flight has "
                            "a thread, and the clients themselves cannot send more than %ld × "
                            "1000 / %ld = %.0f requests/s, so the bound is never reached.",
                         C, P, C, D, clients_bound);
    } else {
        static const char *const bites[] = {", but only barely", "", " clearly"};
        static const char *const crossed[] = {"be crossed only barely", "still be crossed",
                                              "still be crossed clearly"};
        double over = (double)C / (double)P;
        hs_strbuf_printf(b, "Here %ld clients were in flight against %ld threads, so it bites%s: "
                            "sync's limit is ×%.2f below what the clients alone could send (%ld "
                            "× 1000 / %ld = %.0f requests/s).",
                         C, P, bites[how_far(over)], over, C, D, clients_bound);
        long half = C / 2;
        double half_over = (double)half / (double)P;
        if (how_far(over) == 2 && half > P)
            hs_strbuf_printf(b, " With half the clients (%ld) it would %s: %.0f vs %.0f "
                                "requests/s, ×%.2f apart.",
                             half, crossed[how_far(half_over)], pool_bound,
                             1e3 * (double)half / (double)D, half_over);
        else if (how_far(over) == 2)
            hs_strbuf_printf(b, " With half the clients (%ld) it would not be reached at all.",
                             half);
        else
            hs_strbuf_printf(b, " To see it clearly, run with `--concurrency %ld` or more (twice "
                                "the threads).", 2 * P);
    }
    const hs_claims_variant *s = hs_claims__find(c, "sync");
    if (hs_claims__both(s)) {
        double limit = fmin(pool_bound, clients_bound);
        hs_strbuf_printf(b, " Measured: %.1f requests/s, ×%.2f of that limit (%.0f).",
                         s->b->rps, s->b->rps / limit, limit);
    }
    hs_strbuf_printf(b, "\n");
}

/* async_tothread's bullet: what bounds it when the wait holds no thread.
 * Its rate at the first setting is the model's bound only when that
 * setting has no wait. */
static void tothread_bound(hs_strbuf *b, const hs_claims *c) {
    long C = c->concurrency, D = c->value_b;
    double clients_bound = 1e3 * (double)C / (double)D;
    const hs_claims_variant *t = hs_claims__find(c, "async_tothread");
    int model_known = hs_claims__both(t) && c->value_a == 0;
    hs_strbuf_printf(b, "- **async_tothread waits on a libuv timer** and takes a pool thread only "
                        "for the model, so the wait holds no thread: only the model's time "
                        "bounds it");
    if (model_known)
        hs_strbuf_printf(b, " (it served %.1f requests/s at 0 ms)", t->a->rps);
    hs_strbuf_printf(b, ", besides the clients' own limit of %ld × 1000 / %ld = %.0f "
                        "requests/s.", C, D, clients_bound);
    if (model_known) {
        double limit = fmin(t->a->rps, clients_bound);
        hs_strbuf_printf(b, " Measured: %.1f requests/s, ×%.2f of the lower of the two (%.0f).",
                         t->b->rps, t->b->rps / limit, limit);
    } else if (hs_claims__both(t)) {
        hs_strbuf_printf(b, " The model's own rate was not measured here (the first setting "
                            "already waits %ld ms). Measured: %.1f requests/s, ×%.2f of the "
                            "clients' limit.", c->value_a, t->b->rps, t->b->rps / clients_bound);
    }
    hs_strbuf_printf(b, "\n");
}

/* async_blocking's bullet, when it was measured at both: its loops sleep
 * through the waits. */
static void blocking_bound(hs_strbuf *b, const hs_claims *c) {
    long D = c->value_b, W = c->workers;
    const hs_claims_variant *bl = hs_claims__find(c, "async_blocking");
    if (!hs_claims__both(bl)) return;
    hs_strbuf_printf(b, "- **async_blocking's loop sleeps through every wait**, one request at a "
                        "time, so ");
    if (W > 0)
        hs_strbuf_printf(b, "%s can finish at most %ld × 1000 / %ld = %.0f requests/s.",
                         W == 1 ? "its one loop" : "its loops", W, D, 1e3 * (double)W / (double)D);
    else
        hs_strbuf_printf(b, "each worker's loop can finish at most 1000 / %ld = %.0f requests/s; "
                            "how many workers there were is not known here.",
                         D, 1e3 / (double)D);
    hs_strbuf_printf(b, " Measured %.1f → %.1f requests/s (×%.2f), p95 ", bl->a->rps, bl->b->rps,
                     bl->b->rps / bl->a->rps);
    hs_claims_ms(b, bl->a->p95_s), hs_strbuf_printf(b, " → "), hs_claims_ms(b, bl->b->p95_s);
    hs_strbuf_printf(b, " ms.\n");
}

void hs_claims__io_section(hs_strbuf *b, const hs_claims *c) {
    long W = c->workers, T = c->threads;
    long P = T > 0 && W > 0 ? T * W : 0; /* pool threads in all, 0: unknown */
    hs_strbuf_printf(b, "## The I/O-wait claim: %ld vs %ld ms of extra wait per request\n\n",
                     c->value_a, c->value_b);
    if (c->miniserve)
        hs_strbuf_printf(b, "Lab 01's stretch claim: add an I/O wait to every request and `sync` "
                            "degrades more than `async_tothread`, because sync's thread pool is "
                            "bounded and its threads sleep through the wait, while async_tothread "
                            "waits on a timer.");
    else
        hs_strbuf_printf(b, "Lab 01's stretch claim, about miniserve: add an I/O wait to every "
                            "request and `sync` degrades more than `async_tothread`. Not every "
                            "server here is miniserve, so only the numbers are compared: how "
                            "each server spends the wait is its own.");
    hs_strbuf_printf(b, " Same load at both settings: %ld concurrent clients", c->concurrency);
    if (W > 0) hs_strbuf_printf(b, ", %ld worker process%s", W, W == 1 ? "" : "es");
    else hs_strbuf_printf(b, ", worker processes not known");
    if (T > 0) hs_strbuf_printf(b, ", %ld pool threads per worker.\n\n", T);
    else hs_strbuf_printf(b, "; pool threads per worker not known.\n\n");
    hs_claims__table(b, c, " ms", 0);
    hs_claims__failures_note(b, c);
    io_verdict(b, c, P);
    if (c->miniserve) {
        hs_strbuf_printf(b, "What bounds each variant at %ld ms:\n\n", c->value_b);
        sync_bound(b, c, P);
        tothread_bound(b, c);
        blocking_bound(b, c);
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "Ratios are the %ld ms number over the %ld ms one; requests/s is "
                        "recorded requests over the load's wall time.\n\n",
                     c->value_b, c->value_a);
}

