/* evidence.h - what a variant's server, the load generator, the machine and
 * the kernel did during the recorded phase: readings before it, samples
 * during it and readings after it. The differences are facts (facts.c);
 * nothing here interprets them. */
#ifndef HARNESS_EVIDENCE_H
#define HARNESS_EVIDENCE_H

#include "procfs.h"

#include <sys/types.h>

typedef struct {
    pid_t server;
    const hs_cpus *cpus;          /* the CPUs this run may use */
    double t0, t1;                /* monotonic seconds: the window */
    hs_proc_tree tree0, tree1;    /* the server's processes before, after */
    int have_tree0, have_tree1;   /* 0: it had exited when read */
    long threads_max;             /* most live threads seen in the window */
    long rss_max_kib;             /* most resident memory seen */
    hs_cpu_times cpu0, cpu1;      /* the allowed CPUs, from /proc/stat */
    hs_tcp_counters tcp0, tcp1;
    int have_tcp;                 /* both readings worked */
    double self_cpu0, self_cpu1;  /* the harness process, every thread */
} hs_evidence;

/* Takes the before-readings; call just before the load starts. */
void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus);

/* A sample during the load (threads, memory); arg is the hs_evidence.
 * Runs on the load generator's thread, about every 100 ms. */
void hs_evidence_tick(void *arg);

/* Takes the after-readings; call as soon as the load ends. */
void hs_evidence_end(hs_evidence *e);

#endif
