/* probe.h - the bystander probe: a low-rate stream of GETs on the lab's
 * health path, on a connection of its own, beside the load.
 *
 * Its latencies are the outside-in view of the server's event loop: a
 * health check that waits behind the handlers' work shows the loop was
 * busy, whatever language the server is written in. The same probe on the
 * idle server, just before the load, is the baseline. */
#ifndef HARNESS_PROBE_H
#define HARNESS_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    double sent;      /* monotonic seconds (hs_now) when it was sent */
    double latency_s; /* from sending it to the whole response */
    int status;       /* HTTP status, 0: no response */
} hs_probe_sample;

typedef struct {
    const char *url;   /* http://host:port/health */
    double rate;       /* probes per second, > 0 */
    double timeout_s;  /* per probe */
} hs_probe_config;

typedef struct {
    hs_probe_config cfg;
    pthread_t thread;
    int running;
    atomic_int stop;        /* set by hs_probe_stop */
    hs_probe_sample *samples; /* malloc'd, n of them */
    size_t n, cap;
    int oom;                /* a sample could not be kept */
    size_t missed;          /* ticks skipped because a probe was still waiting */
    size_t cut_short;       /* probes abandoned by hs_probe_stop, unanswered */
    double cut_short_wait_s;/* the longest of their waits until then */
} hs_probe;

/* Sends probes on a thread of its own from now until hs_probe_stop, at
 * cfg->rate per second on a fixed schedule: a probe that takes longer than
 * the interval delays the next, and the ticks it missed are skipped, not
 * sent in a burst. Returns 0 or a negative errno. */
int hs_probe_start(hs_probe *p, const hs_probe_config *cfg);

/* Stops the thread (a probe in flight is abandoned: counted in cut_short,
 * not kept as a sample) and leaves the samples in p. Safe on a probe that
 * never started. */
void hs_probe_stop(hs_probe *p);

/* Sends n probes on the calling thread at cfg->rate, and keeps them in p
 * (the baseline); none is sent once deadline_s has passed. Returns 0 or a
 * negative errno. */
int hs_probe_run(hs_probe *p, const hs_probe_config *cfg, size_t n, double deadline_s);

void hs_probe_free(hs_probe *p);

#endif
