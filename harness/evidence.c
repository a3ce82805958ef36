/* evidence.c - before, during and after readings around a recorded phase.
 * All of it runs on the harness's main thread (the tick on the load
 * generator's, which is the same one). */
#include "evidence.h"

#include "load.h"

#include <string.h>
#include <sys/resource.h>

/* CPU seconds of this whole process: the load generator, the probe and
 * the harness's own work. */
static double self_cpu_s(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru)) return 0;
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

static void note_peak(hs_evidence *e, long threads, long rss_kib) {
    if (threads > e->threads_max) e->threads_max = threads;
    if (rss_kib > e->rss_max_kib) e->rss_max_kib = rss_kib;
}

void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus) {
    memset(e, 0, sizeof *e);
    e->server = server;
    e->cpus = cpus;
    e->have_tree0 = hs_proc_tree_read(server, &e->tree0) == 0;
    if (e->have_tree0) note_peak(e, e->tree0.threads, e->tree0.rss_kib);
    hs_cpu_times_read(cpus, &e->cpu0);
    e->have_tcp = hs_tcp_counters_read(&e->tcp0) == 0;
    e->self_cpu0 = self_cpu_s();
    e->t0 = hs_now();
}

void hs_evidence_tick(void *arg) {
    hs_evidence *e = arg;
    long threads, rss;
    if (e->have_tree0 && hs_proc_tree_threads(&e->tree0, &threads, &rss) == 0)
        note_peak(e, threads, rss);
}

void hs_evidence_end(hs_evidence *e) {
    e->t1 = hs_now();
    e->self_cpu1 = self_cpu_s();
    hs_cpu_times_read(e->cpus, &e->cpu1);
    e->have_tcp = hs_tcp_counters_read(&e->tcp1) == 0 && e->have_tcp;
    e->have_tree1 = hs_proc_tree_read(e->server, &e->tree1) == 0;
    if (e->have_tree1) note_peak(e, e->tree1.threads, e->tree1.rss_kib);
}
