/* load.h - the load generator: a closed loop of HTTP requests on libcurl's
 * multi interface, one thread, keep-alive connections reused.
 *
 * At most `concurrency` requests are in flight; as each completes, the next
 * is handed to curl. A request's latency runs from handing it to curl to
 * its completion, on the monotonic clock, as the lab measures inside its
 * semaphore. */
#ifndef HARNESS_LOAD_H
#define HARNESS_LOAD_H

#include "stats.h"

#include <signal.h>
#include <sys/types.h>

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
} hs_load_config;

/* One request's phases as libcurl timed them, from the start of its
 * transfer: the connection ready (0 when one was reused, as curl reports
 * it), the first response byte, the whole response. */
typedef struct {
    double connect_s, ttfb_s, total_s;
    int new_connections;    /* connections curl opened for it */
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
                          * thread; -1: unknown */
    size_t connections_opened; /* new connections over all requests */
    double wall_s;       /* first request handed to curl to last completion */
    hs_load_errors errors;
    int interrupted;     /* *stop was set: n < total */
    int server_exited;   /* watch_pid exited during the run */
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

#endif
