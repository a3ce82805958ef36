/* load/load.h - the load: the generator (a closed or an open loop of HTTP/1.1
 * requests on libuv and http-parser), the bystander probe beside it on
 * libcurl, and the latencies files it records.
 *
 * The one header of harness/load/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_LOAD_H
#define HARNESS_LOAD_H

#include "lab/lab.h"

#include <signal.h>
#include <sys/types.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* --- load --- the load generator: HTTP/1.1 requests on keep-alive
 * connections, one thread, one libuv loop (load.c says why not libcurl).
 *
 * Closed loop: at most `concurrency` requests are in flight; as each
 * completes, the next starts on its connection. A request's latency runs
 * from its start to its whole response, on the monotonic clock, as the lab
 * measures inside its semaphore. */
/* How an open loop spaces its arrivals (schedule.c). */
typedef enum { HS_ARRIVALS_UNIFORM, HS_ARRIVALS_POISSON } hs_arrival_kind;

/* Fills offsets[0..n) with arrival times in seconds from the start:
 * i / rate for uniform; for Poisson, exponential gaps of mean 1 / rate from
 * a generator seeded with seed (the same seed, the same schedule), the
 * first at 0. Returns 0, or -EINVAL for a rate that is not > 0. */
int hs_arrivals(double rate, long n, hs_arrival_kind kind, uint64_t seed, double *offsets);

typedef struct {
    const char *url;        /* http://host:port/path */
    const char *method;     /* "GET" or "POST" */
    char *const *bodies;    /* POST bodies, cycled in order */
    size_t n_bodies;
    long concurrency;
    long total;
    double timeout_s;
    const char *label;      /* progress lines name it; NULL: no progress */
    pid_t watch_pid;        /* a server to watch for exit, 0: none */
    int record_phases;      /* 1: fill hs_load_result.phases */
    void (*on_end)(void *arg); /* if not NULL, called once the last request
                            * is done, before the connections close */
    void *end_arg;
    /* Open loop, when rate > 0: `total` arrivals at `rate` per second,
     * spaced by `arrivals` (seeded by `seed`), whatever the server does;
     * each request's latency runs from its intended send time. At most
     * `max_in_flight` are in flight (concurrency is not used); an arrival
     * beyond that is dropped and counted, never delayed. */
    double rate;
    hs_arrival_kind arrivals;
    uint64_t seed;
    long max_in_flight;
    /* Event loops, one thread each (--loadgen-threads), sharing the
     * connections and the requests (an open loop: every k-th arrival of
     * the one schedule); their records merged in completion order. 0 or
     * 1: one. At most HS_LOAD_MAX_THREADS, and never more than there are
     * connections or requests. */
    int threads;
} hs_load_config;

/* One request's phases from its start: the connection ready (0 when one
 * was reused or none was made, as libcurl reports it), the first response
 * byte (0: none came), the whole response. */
typedef struct {
    double connect_s, ttfb_s, total_s;
    int new_connections;    /* connections opened for it: 0 or 1 */
} hs_phase;

/* Failures by class, wrk-style, rather than one log line each. */
typedef struct {
    size_t connect;  /* could not connect */
    size_t timeout;  /* no complete response within timeout_s */
    size_t io;       /* connection reset, empty or cut-short reply */
    size_t other;    /* any other transport error */
    size_t http;     /* a response, but not 2xx */
} hs_load_errors;

typedef struct {
    hs_sample *samples;  /* in completion order, n of them; free() it */
    hs_phase *phases;    /* the same order, when record_phases; free() it */
    size_t n;
    double cpu_s;        /* CPU time (user + sys) of the generator's own
                          * threads, summed; -1: unknown */
    size_t connections_opened; /* new connections over all requests */
    size_t bytes_read;   /* every byte the servers sent back, headers too */
    size_t body_bytes;   /* of them, response bodies (as ab's "HTML
                          * transferred") */
    double wall_s;       /* first request started to last completion */
    hs_load_errors errors;
    int interrupted;     /* *stop was set: n < total */
    int server_exited;   /* watch_pid exited during the run */
    /* Open loop only (else NULL and 0), in the samples' order: */
    double *service_s;   /* from the actual send to completion; free() it */
    double *lag_s;       /* actual send minus intended; free() it */
    size_t dropped;      /* arrivals beyond max_in_flight, not sent */
    size_t late_1ms;     /* sent more than 1 ms after their intended time */
    int threads;         /* the event loops it ran on (cfg.threads, capped) */
} hs_load_result;

/* Runs the load. Returns 0 (even when requests failed: they are recorded
 * with status 0 and counted by class), or a negative errno when the
 * generator itself could not run. */
int hs_load_run(const hs_load_config *cfg, hs_load_result *out);

/* Set from a signal handler to stop the run: the load stops handing out
 * requests and waits for nothing more; start-up waits give up. */
extern volatile sig_atomic_t hs_stop;

/* Monotonic seconds. */
double hs_now(void);

/* CPU seconds (user + sys) from getrusage(who): RUSAGE_THREAD for the
 * calling thread, RUSAGE_SELF for the whole process; -1 if it failed. */
double hs_cpu_seconds(int who);

/* --- probe --- the bystander probe: a low-rate stream of GETs on the lab's
 * health path, on a connection of its own, beside the load.
 *
 * Its latencies are the outside-in view of the server's event loop: a
 * health check that waits behind the handlers' work shows the loop was
 * busy, whatever language the server is written in. The same probe on the
 * idle server, just before the load, is the baseline. */
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

/* --- latencies --- the lab's latencies_<variant>.json files: a JSON array of
 * [latency_seconds, status_code] pairs, readable by Python's json.load. */
/* Writes n samples to path atomically. Returns 0 or a negative errno. */
int hs_latencies_write(const char *path, const hs_sample *s, size_t n);

/* Reads a latencies file. On success *out is a malloc'd array of *n
 * samples (possibly 0). On failure returns a negative code and, if err is
 * not NULL, a sentence naming the file and what is wrong with it. */
int hs_latencies_read(const char *path, hs_sample **out, size_t *n, char *err,
                      size_t err_size);

#endif
