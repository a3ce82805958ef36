/* evidence.h - what a variant's server, the load generator, the machine and
 * the kernel did during the recorded phase: readings before it, samples
 * during it and readings after it. The differences are facts (facts.c);
 * nothing here interprets them. */
#ifndef HARNESS_EVIDENCE_H
#define HARNESS_EVIDENCE_H

#include "procfs.h"

#include <pthread.h>
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
    double t0, t1;                /* monotonic seconds: the window, from just
                                   * before the first reading to just after
                                   * the last */
    hs_proc_tree tree0, tree1;    /* the server's processes before, after */
    int have_tree0, have_tree1;   /* 0: it had exited when read */
    hs_cpu_times cpu0, cpu1;      /* the allowed CPUs, from /proc/stat */
    hs_tcp_counters tcp0, tcp1;
    int have_tcp;                 /* both readings worked */
    double self_cpu0, self_cpu1;  /* the harness process, every thread; */
    int have_self_cpu;            /* 0: getrusage failed */

    /* The sampler's, a thread of its own every 100 ms from begin to end;
     * read only after it is joined. */
    pthread_t sampler;
    int sampling;
    int wake[2];                  /* a pipe: a byte ends the sampler's wait */
    hs_proc_tree current;         /* the latest full read */
    long threads_max;             /* most live threads seen in the window */
    long rss_max_kib;             /* most resident memory seen */
    hs_thread_counts *threads;    /* every server thread seen, hashed by tid */
    size_t threads_cap, threads_seen;
    double gone_vol, gone_invol;  /* of threads whose tid was reused */
    int threads_oom;              /* a thread could not be followed */
    double sampler_cpu_s;         /* what the sampling cost; -1: unknown */
    int ended;
} hs_evidence;

/* Takes the before-readings and starts the sampler; call just before the
 * load starts. */
void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus);

/* Stops the sampler and takes the after-readings; arg is the hs_evidence.
 * The load generator calls it as its last request completes, before it
 * closes its connections, so that a server's per-connection threads are
 * still there to be read. A second call does nothing. */
void hs_evidence_end(void *arg);

/* The context switches of every thread seen, summed over the window. A
 * thread that exited keeps what it had at its last sample (100 ms apart);
 * one that lived and died between two samples is not seen at all. */
void hs_evidence_ctx(const hs_evidence *e, double *voluntary, double *involuntary);

void hs_evidence_free(hs_evidence *e);

#endif
