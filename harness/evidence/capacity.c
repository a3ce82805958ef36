/* capacity.c - what a server can serve, measured from outside before its
 * open-loop load, so that the summary can set a prediction beside what
 * the load then measured.
 *
 * Two measurements on the variant's own warmed-up server:
 *   - S, the service time of one request: the median of serial requests
 *     from one client (the median, so one slow request does not set it);
 *   - the cores a concurrent burst keeps the server's processes busy: more
 *     clients than CPUs, for long enough that /proc's 10 ms CPU ticks are
 *     a few percent of it.
 * The prediction for CPU-bound work is cores / S: a server that runs its
 * work on one thread keeps one core busy and serves 1/S; a pool serves up
 * to what the CPUs it may use allow. Which kind a server is is never
 * assumed: the burst shows it. Where the burst's CPU per request is well
 * below S, the work waits rather than computes, CPU does not bound it,
 * and no prediction is made (the reason is kept instead). */
#include "evidence/evidence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERIAL_REQUESTS 40
/* Clients per CPU in the burst: enough to keep any pool those CPUs can run
 * busy, with requests left queued. */
#define BURST_CLIENTS_PER_CPU 4
/* The burst lasts about this long if the server uses every CPU, longer if
 * it uses fewer. */
#define BURST_TARGET_S 0.5
#define BURST_MAX_REQUESTS 5000L
/* Below this share of S in CPU, a request mostly waits: no CPU prediction. */
#define CPU_BOUND_SHARE 0.5

int hs_service_time(const hs_load_config *base, long n, double *service_s, char *err,
                    size_t err_size) {
    hs_load_config cfg = *base;
    cfg.concurrency = 1, cfg.total = n, cfg.label = NULL, cfg.rate = 0;
    cfg.record_phases = 0, cfg.on_end = NULL;
    hs_load_result r;
    if (hs_load_run(&cfg, &r)) {
        snprintf(err, err_size, "the serial requests could not run");
        return -1;
    }
    hs_summary s;
    int ok = r.n == (size_t)n && hs_summarize(r.samples, r.n, r.wall_s, &s) == 0 &&
             s.ok == r.n && s.p50_s > 0;
    free(r.samples);
    if (!ok) {
        snprintf(err, err_size, "%s", r.interrupted || hs_stop
                                          ? "the serial requests were interrupted"
                                          : "not every serial request got HTTP 200");
        return -1;
    }
    *service_s = s.p50_s;
    return 0;
}

/* The burst: cores the server kept busy, and its own requests/s. */
static int burst(const hs_load_config *base, pid_t server, hs_capacity *c) {
    hs_load_config cfg = *base;
    cfg.concurrency = c->burst_clients, cfg.total = c->burst_requests, cfg.label = NULL;
    cfg.rate = 0, cfg.record_phases = 0, cfg.on_end = NULL;
    hs_proc_tree a, b;
    if (hs_proc_tree_read(server, &a)) {
        snprintf(c->why, sizeof c->why, "the server had exited before the burst");
        return -1;
    }
    double t0 = hs_now();
    hs_load_result r;
    int rc = hs_load_run(&cfg, &r);
    double t1 = hs_now();
    if (rc) {
        snprintf(c->why, sizeof c->why, "the burst's requests could not run");
        return -1;
    }
    size_t ok = 0;
    for (size_t i = 0; i < r.n; i++) ok += r.samples[i].status == 200;
    free(r.samples);
    if (r.interrupted || hs_stop) {
        snprintf(c->why, sizeof c->why, "the burst was interrupted");
        return -1;
    }
    if (r.n != (size_t)c->burst_requests || ok != r.n) {
        snprintf(c->why, sizeof c->why, "%zu of the burst's %ld requests got HTTP 200", ok,
                 c->burst_requests);
        return -1;
    }
    if (hs_proc_tree_read(server, &b)) {
        snprintf(c->why, sizeof c->why, "the server exited during the burst");
        return -1;
    }
    const char *why = hs_proc_tree_cpu_between(&a, &b, &c->burst_cpu_s);
    if (why) {
        snprintf(c->why, sizeof c->why, "%s", why);
        return -1;
    }
    c->burst_wall_s = t1 - t0;
    if (!(c->burst_wall_s > 0)) {
        snprintf(c->why, sizeof c->why, "the burst took no measurable time");
        return -1;
    }
    c->burst_cores = c->burst_cpu_s / c->burst_wall_s;
    c->burst_rps = (double)c->burst_requests / c->burst_wall_s;
    return 0;
}

void hs_capacity_measure(const hs_load_config *base, pid_t server, const hs_cpus *cpus,
                         hs_capacity *c) {
    memset(c, 0, sizeof *c);
    c->predicted_rps = NAN;
    c->serial_requests = SERIAL_REQUESTS;
    char err[160];
    if (hs_service_time(base, SERIAL_REQUESTS, &c->service_s, err, sizeof err)) {
        snprintf(c->why, sizeof c->why, "%s", err);
        return;
    }
    int n_cpus = cpus->available > 0 ? (int)ceil(cpus->available) : 1;
    c->burst_clients = BURST_CLIENTS_PER_CPU * n_cpus;
    long n = (long)ceil(BURST_TARGET_S * n_cpus / c->service_s);
    if (n < 10L * c->burst_clients) n = 10L * c->burst_clients;
    if (n > BURST_MAX_REQUESTS) n = BURST_MAX_REQUESTS;
    c->burst_requests = n;
    if (burst(base, server, c)) return;
    c->measured = 1;
    c->cpu_per_request_s = c->burst_cpu_s / (double)c->burst_requests;
    if (c->cpu_per_request_s < CPU_BOUND_SHARE * c->service_s) {
        snprintf(c->why, sizeof c->why,
                 "a request took %.3g ms of CPU of its %.3g ms service time: it mostly waits, "
                 "so CPU does not bound it", c->cpu_per_request_s * 1e3, c->service_s * 1e3);
        return;
    }
    c->predicted_rps = c->burst_cores / c->service_s;
}
