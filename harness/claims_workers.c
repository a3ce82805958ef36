/* claims_workers.c - the workers note: what more worker processes
 * changed, and why only partly on a machine with fewer cores than
 * workers. K = cores, N = workers at the second setting. */
#include "claims_internal.h"

#include <math.h>

/* The computed sentence on async_blocking: its gain and what became of
 * its gap to sync. */
static void workers_gain(hs_strbuf *b, const hs_claims *c) {
    const hs_claims_variant *bl = hs_claims__find(c, "async_blocking");
    const hs_claims_variant *s = hs_claims__find(c, "sync");
    if (!hs_claims__both(bl)) return;
    hs_strbuf_printf(b, "**async_blocking's requests/s went ×%.2f from %ld to %ld workers** "
                        "(%.1f → %.1f)",
                     bl->b->rps / bl->a->rps, c->value_a, c->value_b, bl->a->rps, bl->b->rps);
    if (hs_claims__both(s)) {
        double gap_a = s->a->rps - bl->a->rps, gap_b = s->b->rps - bl->b->rps;
        if (gap_a <= 0)
            hs_strbuf_printf(b, "; it was not behind sync at %ld (%.1f vs %.1f requests/s), so "
                                "there was no gap to close", c->value_a, bl->a->rps, s->a->rps);
        else if (gap_b < 0)
            hs_strbuf_printf(b, ", overtaking sync: the gap went from %.1f requests/s behind to "
                                "%.1f ahead", gap_a, -gap_b);
        else if (gap_b > gap_a)
            hs_strbuf_printf(b, ", while its gap to sync widened (sync minus async_blocking: "
                                "%.1f → %.1f requests/s)", gap_a, gap_b);
        else
            hs_strbuf_printf(b, ", closing %.0f%% of its gap to sync (sync minus async_blocking: "
                                "%.1f → %.1f requests/s)", 100 * (1 - gap_b / gap_a), gap_a,
                             gap_b);
    }
    hs_strbuf_printf(b, ".\n\n");
}

/* Whether connections did reach every worker at the second setting, from
 * the run's probes of fresh connections after warm-up. */
static void spread(hs_strbuf *b, const hs_claims *c) {
    int known = 0, short_of = 0;
    for (int i = 0; i < c->n; i++) {
        const hs_claims_variant *v = &c->v[i];
        if (v->pids_b <= 0) continue;
        if (known++)
            hs_strbuf_printf(b, ", %d for %s", v->pids_b, v->kind);
        else
            hs_strbuf_printf(b, " Here, fresh connections after warm-up reached %d of the %ld "
                                "workers for %s", v->pids_b, c->value_b, v->kind);
        short_of |= v->pids_b < c->value_b;
    }
    if (!known) return;
    hs_strbuf_printf(b, ".");
    if (short_of && c->miniserve)
        hs_strbuf_printf(b, " Workers race to accept, so the spread is not guaranteed: one that "
                            "gets no connections serves nothing. Where the load's own "
                            "connections went is not recorded.");
}

/* Cores a variant can compute on with w workers of `per` threads each. */
static double cores_used(long w, long per, long K) {
    double n = (double)w * (double)per;
    return fmin(n, (double)K);
}

/* A gain more than this beyond what the cores allow is said to need a
 * second run, as lab01's note says of a sync/async_tothread gap over 20%. */
#define SURPRISING_GAIN 1.20

/* ": measured ×1.02 for sync and ×0.98 for async_tothread", and whether
 * the larger gain is more than ceiling (> 0) explains for CPU-bound work;
 * nothing when neither has numbers to compare. */
static void pool_measured(hs_strbuf *b, const hs_claims *c, double ceiling) {
    const hs_claims_variant *s = hs_claims__find(c, "sync");
    const hs_claims_variant *t = hs_claims__find(c, "async_tothread");
    if (!hs_claims__both(s) && !hs_claims__both(t)) return;
    double most = 0;
    hs_strbuf_printf(b, ": measured ");
    if (hs_claims__both(s)) {
        most = s->b->rps / s->a->rps;
        hs_strbuf_printf(b, "×%.2f for sync", most);
    }
    if (hs_claims__both(s) && hs_claims__both(t)) hs_strbuf_printf(b, " and ");
    if (hs_claims__both(t)) {
        most = fmax(most, t->b->rps / t->a->rps);
        hs_strbuf_printf(b, "×%.2f for async_tothread", t->b->rps / t->a->rps);
    }
    if (ceiling > 0 && c->io_delay_ms == 0 && most > ceiling * SURPRISING_GAIN)
        hs_strbuf_printf(b, "; a gain this size is more than the cores explain, so run the "
                            "lab again to see if it holds");
}

/* The cores' bullets: what more workers can gain for CPU-bound work, and
 * what each variant measured, a surprising gain flagged. Only when the I/O
 * wait is known to be 0 is the work CPU-bound: a wait is slept through,
 * not computed. */
static void cores_bullets(hs_strbuf *b, const hs_claims *c) {
    long A = c->value_a, N = c->value_b, K = c->cores, T = c->threads;
    int cpu_bound = c->io_delay_ms == 0;
    double loop_ceiling = cores_used(N, 1, K) / cores_used(A, 1, K);
    const hs_claims_variant *bl = hs_claims__find(c, "async_blocking");
    if (N > K)
        hs_strbuf_printf(b, "- **That is only partly true on %ld cores:** at most %ld workers "
                            "compute at once, so with %ld workers they take turns on the cores, "
                            "and CPU-bound work on one loop per worker can gain at most ×%.2f "
                            "over %ld worker%s, not ×%.2f.",
                         K, K, N, loop_ceiling, A, A == 1 ? "" : "s", (double)N / (double)A);
    else
        hs_strbuf_printf(b, "- **With %ld workers on %ld cores** each worker can have a core of "
                            "its own, so CPU-bound work on one loop per worker can gain up to "
                            "×%.2f over %ld worker%s.",
                         N, K, loop_ceiling, A, A == 1 ? "" : "s");
    if (hs_claims__both(bl)) {
        double x = bl->b->rps / bl->a->rps;
        hs_strbuf_printf(b, " async_blocking measured ×%.2f%s.", x,
                         cpu_bound && x > loop_ceiling * SURPRISING_GAIN
                             ? ", more than the cores explain: run the lab again to see if it "
                               "holds"
                             : "");
    }
    if (c->io_delay_ms > 0)
        hs_strbuf_printf(b, " The cores bound only the computing: the %ld ms waits are slept "
                            "through, so with them more workers can gain more than this.",
                         c->io_delay_ms);
    else if (c->io_delay_ms < 0)
        hs_strbuf_printf(b, " Whether the servers also waited on I/O is not known here; if "
                            "they did, more workers can gain more than this.");
    hs_strbuf_printf(b, " (The load generator runs on the same machine and takes its share of "
                        "the cores too.)");
    if (T <= 0) {
        /* Without the pool's size there is no ceiling to state. */
        hs_strbuf_printf(b, "\n- **sync and async_tothread compute on their pool**, whose size "
                            "(threads per worker) is not known here, so neither is what more "
                            "workers can add to them");
        pool_measured(b, c, 0);
        hs_strbuf_printf(b, ".\n");
        return;
    }
    double pool_ceiling = cores_used(N, T, K) / cores_used(A, T, K);
    hs_strbuf_printf(b, "\n- **sync and async_tothread already compute on ");
    if (pool_ceiling <= 1) hs_strbuf_printf(b, "every core");
    else hs_strbuf_printf(b, "%.0f of the %ld cores", cores_used(A, T, K), K);
    hs_strbuf_printf(b, " at %ld worker%s** through their pool of %ld threads, so for CPU-bound "
                        "work more workers can add at most ×%.2f to them",
                     A, A == 1 ? "" : "s", T, pool_ceiling);
    pool_measured(b, c, pool_ceiling);
    hs_strbuf_printf(b, ".\n");
}

/* Total resident memory at both settings, variant by variant, after
 * lead; nothing when no variant has it. */
static void memory_numbers(hs_strbuf *b, const hs_claims *c, const char *lead) {
    int first = 1;
    for (int i = 0; i < c->n; i++) {
        const hs_claims_variant *v = &c->v[i];
        if (v->rss_kib_a <= 0 || v->rss_kib_b <= 0) continue;
        if (first)
            hs_strbuf_printf(b, "%sTotal resident memory after warm-up, %ld → %ld workers:", lead,
                             c->value_a, c->value_b);
        hs_strbuf_printf(b, "%s %s %.1f → %.1f MiB (×%.2f)", first ? "" : ";", v->kind,
                         v->rss_kib_a / 1024.0, v->rss_kib_b / 1024.0,
                         (double)v->rss_kib_b / (double)v->rss_kib_a);
        first = 0;
    }
    if (!first && c->memory_where) hs_strbuf_printf(b, " (%s)", c->memory_where);
}

/* Each miniserve worker is a whole server: its own model and pool. */
static void memory_bullet(hs_strbuf *b, const hs_claims *c, int memory) {
    hs_strbuf_printf(b, "- **Memory grows with the workers:** each loads its own copy of the "
                        "model and starts its own pool");
    if (memory) memory_numbers(b, c, ". ");
    else if (c->memory_where) hs_strbuf_printf(b, " (%s)", c->memory_where);
    hs_strbuf_printf(b, ".\n\n");
}

/* Servers other than miniserve: the numbers, without a why. */
static void numbers_only(hs_strbuf *b, const hs_claims *c, int memory) {
    long N = c->value_b, K = c->cores;
    hs_strbuf_printf(b, "Why is not worked out here: not every server is miniserve, and what a "
                        "worker process is (its own event loop or pool, a listening socket "
                        "shared with the others, its own copy of the model) is each server "
                        "program's own.");
    spread(b, c);
    if (N > K)
        hs_strbuf_printf(b, " With %ld workers on %ld cores, at most %ld of them compute at once.",
                         N, K, K);
    if (memory) memory_numbers(b, c, " "), hs_strbuf_printf(b, ".");
    hs_strbuf_printf(b, "\n\n");
}

void hs_claims__workers_section(hs_strbuf *b, const hs_claims *c) {
    long N = c->value_b, K = c->cores;
    int memory = 0;
    for (int i = 0; i < c->n; i++) memory |= c->v[i].rss_kib_a > 0 && c->v[i].rss_kib_b > 0;
    hs_strbuf_printf(b, "## Workers: %ld vs %ld server processes\n\n", c->value_a, N);
    hs_strbuf_printf(b, "Same load at both settings: %ld concurrent clients", c->concurrency);
    if (c->threads > 0) hs_strbuf_printf(b, ", %ld pool threads per worker", c->threads);
    if (c->io_delay_ms > 0) hs_strbuf_printf(b, ", %ld ms extra I/O wait", c->io_delay_ms);
    hs_strbuf_printf(b, ". Machine: %ld cores, so %ld workers are %s.\n\n", K, N,
                     N > K ? "more than the cores" : "no more than the cores");
    hs_claims__table(b, c, " workers", memory);
    hs_claims__failures_note(b, c);
    workers_gain(b, c);
    if (!c->miniserve) {
        numbers_only(b, c, memory);
        return;
    }
    hs_strbuf_printf(b, "Why:\n\n");
    hs_strbuf_printf(b, "- **Each worker process has its own event loop**, so a loop blocked by "
                        "async_blocking stalls only the requests on that worker; the kernel "
                        "spreads new connections across the workers (they share one listening "
                        "socket), so the others keep serving.");
    spread(b, c);
    hs_strbuf_printf(b, "\n");
    cores_bullets(b, c);
    memory_bullet(b, c, memory);
}
