/* evidence.c - before, during and after readings around a recorded phase.
 * begin and end run on the harness's main thread (which runs the load
 * generator too); the samples in between on a sampler thread of their
 * own, so that reading /proc never delays a request's completion. */
#include "evidence/evidence.h"

#include "load/load.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SAMPLE_S 0.1    /* the sampling period */
#define RESCAN_TICKS 10 /* the process tree again every second */

/* CPU seconds from getrusage(who) into *out: 0, or -1 if it failed. */
static int cpu_s(int who, double *out) {
    *out = hs_cpu_seconds(who);
    return *out < 0 ? -1 : 0;
}

static void note_peak(hs_evidence *e, long threads, long rss_kib) {
    if (threads > e->threads_max) e->threads_max = threads;
    if (rss_kib > e->rss_max_kib) e->rss_max_kib = rss_kib;
}

static size_t slot_of(const hs_thread_counts *t, size_t cap, pid_t tid) {
    size_t i = ((size_t)tid * 2654435761u) & (cap - 1);
    while (t[i].tid && t[i].tid != tid) i = (i + 1) & (cap - 1);
    return i;
}

/* Doubles the table; 0, or -1 out of memory. */
static int grow(hs_evidence *e) {
    size_t cap = e->threads_cap ? e->threads_cap * 2 : 256;
    hs_thread_counts *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < e->threads_cap; i++)
        if (e->threads[i].tid) t[slot_of(t, cap, e->threads[i].tid)] = e->threads[i];
    free(e->threads);
    e->threads = t, e->threads_cap = cap;
    return 0;
}

/* A thread seen now. Its first sighting sets its start: its counts so far
 * when the window opens, 0 when it is born during it. Counts that went
 * down belong to a new thread that got an old one's tid: the old one's
 * difference is kept and the entry starts again. */
static void see_thread(void *arg, const hs_thread_reading *r) {
    hs_evidence *e = arg;
    if ((e->threads_seen + 1) * 2 > e->threads_cap && grow(e)) {
        e->threads_oom = 1;
        return;
    }
    if (r->run_ns < 0) e->sched_unknown = 1;
    hs_thread_counts *t = &e->threads[slot_of(e->threads, e->threads_cap, r->tid)];
    int before = e->t0 == 0; /* still inside hs_evidence_begin */
    hs_thread_counts now = {r->tid,    before ? r->voluntary : 0, before ? r->involuntary : 0,
                            r->voluntary, r->involuntary, before ? r->run_ns : 0,
                            before ? r->wait_ns : 0, r->run_ns, r->wait_ns};
    if (!t->tid) {
        *t = now;
        e->threads_seen++;
        return;
    }
    if (r->voluntary < t->vol1 || r->involuntary < t->invol1 ||
        (r->run_ns >= 0 && r->run_ns < t->run1)) {
        e->gone_vol += (double)(t->vol1 - t->vol0);
        e->gone_invol += (double)(t->invol1 - t->invol0);
        e->gone_wait_ns += (double)(t->wait1 - t->wait0);
        if ((double)(t->run1 - t->run0) > e->gone_busiest_run_ns)
            e->gone_busiest_run_ns = (double)(t->run1 - t->run0);
        now.vol0 = now.invol0 = now.run0 = now.wait0 = 0;
        *t = now;
        e->threads_seen++;
        return;
    }
    t->vol1 = r->voluntary, t->invol1 = r->involuntary;
    t->run1 = r->run_ns, t->wait1 = r->wait_ns;
}

/* The sampler thread: every SAMPLE_S, the server's threads and memory and
 * each thread's switches; every RESCAN_TICKS, its processes again. It
 * touches only the sampler's fields of e, which nobody reads until it is
 * joined. */
static void *sample_main(void *arg) {
    hs_evidence *e = arg;
    double c0 = 0, c1 = 0;
    int have_c = cpu_s(RUSAGE_THREAD, &c0) == 0;
    struct pollfd p = {e->wake[0], POLLIN, 0};
    for (int tick = 1;; tick++) {
        int r = poll(&p, 1, (int)(SAMPLE_S * 1000));
        if (r < 0 && errno == EINTR) continue;
        if (r != 0) break; /* woken: the window has closed */
        long threads, rss;
        if (tick % RESCAN_TICKS == 0) {
            hs_proc_tree t;
            if (hs_proc_tree_read(e->server, &t) == 0) e->current = t;
        }
        if (hs_proc_tree_threads(&e->current, &threads, &rss) == 0) note_peak(e, threads, rss);
        hs_proc_tree_each_thread(&e->current, see_thread, e);
    }
    e->sampler_cpu_s = have_c && cpu_s(RUSAGE_THREAD, &c1) == 0 ? c1 - c0 : -1;
    return NULL;
}

void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus) {
    memset(e, 0, sizeof *e);
    e->server = server;
    e->cpus = cpus;
    e->sampler_cpu_s = -1;
    e->sched_unknown = !hs_schedstat_kept(); /* older kernels print zeros */
    double t0 = hs_now();
    e->have_tree0 = hs_proc_tree_read(server, &e->tree0) == 0;
    if (e->have_tree0) {
        note_peak(e, e->tree0.threads, e->tree0.rss_kib);
        e->current = e->tree0;
        hs_proc_tree_each_thread(&e->tree0, see_thread, e);
    }
    hs_cpu_times_read(cpus, &e->cpu0);
    e->have_tcp = hs_tcp_counters_read(&e->tcp0) == 0;
    e->have_self_cpu = cpu_s(RUSAGE_SELF, &e->self_cpu0) == 0;
    e->t0 = t0;
    e->wake[0] = e->wake[1] = -1;
    if (e->have_tree0 && pipe2(e->wake, O_CLOEXEC) == 0)
        e->sampling = pthread_create(&e->sampler, NULL, sample_main, e) == 0;
}

/* Wakes the sampler, waits for it and closes its pipe. */
static void stop_sampler(hs_evidence *e) {
    if (e->sampling) {
        char c = 0;
        while (write(e->wake[1], &c, 1) < 0 && errno == EINTR) {}
        pthread_join(e->sampler, NULL);
        e->sampling = 0;
    }
    for (int i = 0; i < 2; i++)
        if (e->wake[i] >= 0) close(e->wake[i]), e->wake[i] = -1;
}

void hs_evidence_end(void *arg) {
    hs_evidence *e = arg;
    if (e->ended) return;
    e->ended = 1;
    stop_sampler(e);
    e->have_self_cpu = cpu_s(RUSAGE_SELF, &e->self_cpu1) == 0 && e->have_self_cpu;
    hs_cpu_times_read(e->cpus, &e->cpu1);
    e->have_tcp = hs_tcp_counters_read(&e->tcp1) == 0 && e->have_tcp;
    e->have_tree1 = hs_proc_tree_read(e->server, &e->tree1) == 0;
    if (e->have_tree1) {
        note_peak(e, e->tree1.threads, e->tree1.rss_kib);
        hs_proc_tree_each_thread(&e->tree1, see_thread, e);
    }
    e->t1 = hs_now();
}

void hs_evidence_free(hs_evidence *e) {
    if (e->server) stop_sampler(e);
    free(e->threads);
    e->threads = NULL;
    e->threads_cap = e->threads_seen = 0;
}
