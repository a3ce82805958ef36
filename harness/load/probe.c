/* probe.c - the bystander probe: GET the health path at a fixed rate on one
 * keep-alive connection of its own (its own curl handle, so it never takes
 * a connection of the load's), recording each latency. */
#include "load/load.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *ptr, size_t size, size_t nmemb, void *user) {
    (void)ptr, (void)user;
    return size * nmemb;
}

static void sleep_until(double t) {
    double d = t - hs_now();
    if (d <= 0) return;
    struct timespec ts = {(time_t)d, (long)((d - (time_t)d) * 1e9)};
    nanosleep(&ts, NULL);
}

static void keep(hs_probe *p, hs_probe_sample s) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        hs_probe_sample *g = realloc(p->samples, cap * sizeof *g);
        if (!g) {
            p->oom = 1;
            return;
        }
        p->samples = g, p->cap = cap;
    }
    p->samples[p->n++] = s;
}

/* Ends a probe in flight once hs_probe_stop asks (p is NULL for the
 * baseline, which nothing stops early). */
static int abort_if_stopped(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                            curl_off_t un) {
    (void)dt, (void)dn, (void)ut, (void)un;
    const hs_probe *p = user;
    return p && p->stop;
}

static CURL *make_handle(const hs_probe_config *cfg, hs_probe *p) {
    CURL *e = curl_easy_init();
    if (!e) return NULL;
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, abort_if_stopped);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, p);
    curl_easy_setopt(e, CURLOPT_URL, cfg->url);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_s * 1000));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    return e;
}

/* One probe on e, recorded in p; one cut short by hs_probe_stop is not. */
static void probe_once(hs_probe *p, CURL *e) {
    long status = 0;
    double t0 = hs_now();
    CURLcode cc = curl_easy_perform(e);
    double t1 = hs_now();
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        p->cut_short++;
        if (t1 - t0 > p->cut_short_wait_s) p->cut_short_wait_s = t1 - t0;
        return;
    }
    if (cc == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    keep(p, (hs_probe_sample){t0, t1 - t0, cc == CURLE_OK ? (int)status : 0});
}

/* Runs on the probe's own thread; takes no locks (stop is an atomic flag
 * read between probes; the samples are read only after the thread is
 * joined). It never reads hs_stop: hs_probe_stop is its one way out. */
static void *probe_main(void *arg) {
    hs_probe *p = arg;
    CURL *e = make_handle(&p->cfg, p);
    if (!e) return NULL;
    double interval = 1.0 / p->cfg.rate, next = hs_now();
    while (!p->stop) {
        probe_once(p, e);
        next += interval;
        double now = hs_now();
        if (next < now) { /* skip the missed ticks */
            p->missed += (size_t)((now - next) / interval);
            next = now;
        }
        while (!p->stop && hs_now() < next) {
            double wake = hs_now() + 0.01;
            sleep_until(wake < next ? wake : next);
        }
    }
    curl_easy_cleanup(e);
    return NULL;
}

int hs_probe_start(hs_probe *p, const hs_probe_config *cfg) {
    memset(p, 0, sizeof *p);
    if (!(cfg->rate > 0)) return -EINVAL;
    p->cfg = *cfg;
    int rc = pthread_create(&p->thread, NULL, probe_main, p);
    if (rc) return -rc;
    p->running = 1;
    return 0;
}

void hs_probe_stop(hs_probe *p) {
    if (!p->running) return;
    p->stop = 1;
    pthread_join(p->thread, NULL);
    p->running = 0;
}

int hs_probe_run(hs_probe *p, const hs_probe_config *cfg, size_t n, double deadline_s) {
    memset(p, 0, sizeof *p);
    if (!(cfg->rate > 0)) return -EINVAL;
    p->cfg = *cfg;
    CURL *e = make_handle(cfg, NULL);
    if (!e) return -ENOMEM;
    double next = hs_now(), end = next + deadline_s;
    for (size_t i = 0; i < n && !hs_stop && hs_now() < end; i++) {
        sleep_until(next);
        probe_once(p, e);
        next += 1.0 / cfg->rate;
        if (next < hs_now()) next = hs_now();
    }
    curl_easy_cleanup(e);
    return p->oom ? -ENOMEM : 0;
}

void hs_probe_free(hs_probe *p) {
    free(p->samples);
    p->samples = NULL;
    p->n = p->cap = 0;
}
