/* calibrate.c - the service time S of one request, for a lab that gives
 * its open-loop rate relative to it ("rate_per_service": k means k / S,
 * so 1.5 offers one loop thread half again what it can serve): serial
 * requests, one client, on the first variant's own server after its
 * warm-up and before any load. The median, not the mean, so that one slow
 * request does not set the rate. */
#include "run/run.h"

#include "evidence/evidence.h"
#include "load/load.h"

#include <stdio.h>
#include <stdlib.h>

#define CALIBRATION_REQUESTS 40

int hs_calibrate(const hs_lab *lab, char *const argv[], int port, const char *log_path,
                 char *const *bodies, size_t n_bodies, double *service_s, char *err,
                 size_t err_size) {
    hs_server srv;
    if (hs_server_start(argv, port, log_path, 30, &srv, err, err_size)) return -1;
    char *health = NULL, url[512];
    int rc = -1;
    if (hs_server_wait_healthy(&srv, lab->health, 30, &health, err, err_size)) goto out;
    snprintf(url, sizeof url, "%s%s", srv.base_url, lab->path);
    hs_load_config cfg = {url, lab->method, bodies, n_bodies, 1, lab->load.warmup,
                          lab->load.timeout_s, NULL, srv.pid, 0, NULL, NULL,
                          0, HS_ARRIVALS_UNIFORM, 0, 0, 1};
    if (lab->load.warmup > 0) {
        hs_load_result r;
        if (hs_load_run(&cfg, &r) == 0) free(r.samples);
    }
    if (hs_service_time(&cfg, CALIBRATION_REQUESTS, service_s, err, err_size)) goto out;
    rc = 0;
out:
    free(health);
    hs_server_stop(&srv, 5);
    return rc;
}
