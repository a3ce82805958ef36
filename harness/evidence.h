/* evidence.h - what a variant's server, the load generator, the machine and
 * the kernel did during the recorded phase: readings before it, samples
 * during it and readings after it. The differences are facts (facts.c);
 * nothing here interprets them. */
#ifndef HARNESS_EVIDENCE_H
#define HARNESS_EVIDENCE_H

#include "procfs.h"

#include <stddef.h>
#include <sys/types.h>

/* One server thread's context switches: at its first sighting in the
 * window (0 for a thread born in it) and at its last. */
typedef struct {
    pid_t tid;             /* 0: an empty slot */
    long long vol0, invol0, vol1, invol1;
} hs_thread_counts;

typedef struct {
    pid_t server;
    const hs_cpus *cpus;          /* the CPUs this run may use */
    double t0, t1;                /* monotonic seconds: the window */
    hs_proc_tree tree0, tree1;    /* the server's processes before, after */
    int have_tree0, have_tree1;   /* 0: it had exited when read */
    hs_proc_tree current;         /* the latest full read, for the samples */
    int ticks;
    long threads_max;             /* most live threads seen in the window */
    long rss_max_kib;             /* most resident memory seen */
    hs_thread_counts *threads;    /* every server thread seen, hashed by tid */
    size_t threads_cap, threads_seen;
    int threads_oom;              /* a thread could not be followed */
    hs_cpu_times cpu0, cpu1;      /* the allowed CPUs, from /proc/stat */
    hs_tcp_counters tcp0, tcp1;
    int have_tcp;                 /* both readings worked */
    double self_cpu0, self_cpu1;  /* the harness process, every thread; */
    int have_self_cpu;            /* 0: getrusage failed */
    int ended;
} hs_evidence;

/* Takes the before-readings; call just before the load starts. */
void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus);

/* A sample during the load (threads, memory, each thread's context
 * switches, and every second the process tree again, for processes forked
 * meanwhile); arg is the hs_evidence. Runs on the load generator's thread,
 * about every 100 ms. */
void hs_evidence_tick(void *arg);

/* Takes the after-readings; arg is the hs_evidence. The load generator
 * calls it as its last request completes, before it closes its
 * connections, so that a server's per-connection threads are still there
 * to be read. A second call does nothing. */
void hs_evidence_end(void *arg);

/* The context switches of every thread seen, summed over the window. A
 * thread that exited loses at most its last 100 ms (the sampling period). */
void hs_evidence_ctx(const hs_evidence *e, double *voluntary, double *involuntary);

void hs_evidence_free(hs_evidence *e);

#endif
