/* load.c - the closed-loop load generator on libcurl's multi interface.
 * Everything here runs on the calling thread. */
#include "load/load.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t hs_stop;

typedef struct {
    CURL *easy;
    double started;
} load_slot;

double hs_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *user) {
    (void)ptr, (void)user;
    return size * nmemb;
}

static void classify(CURLcode cc, long status, hs_load_errors *e) {
    switch (cc) {
    case CURLE_OK:
        if (status < 200 || status > 299) e->http++;
        break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        e->connect++;
        break;
    case CURLE_OPERATION_TIMEDOUT:
        e->timeout++;
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        e->io++;
        break;
    default:
        e->other++;
    }
}

/* 1 if pid has exited; the zombie is left for the caller to reap. */
static int has_exited(pid_t pid) {
    siginfo_t info = {0};
    if (pid <= 0) return 0;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return 1;
    return info.si_pid == pid;
}

static size_t error_total(const hs_load_errors *e) {
    return e->connect + e->timeout + e->io + e->other + e->http;
}

static void progress(const hs_load_config *cfg, const hs_load_result *r,
                     long in_flight, double t0, int final) {
    static double last;
    static int tty = -1;
    if (!cfg->label) return;
    double now = hs_now();
    if (tty < 0) tty = isatty(STDERR_FILENO);
    if (!final && now - last < (tty ? 0.25 : 2.0)) return;
    last = now;
    double el = now - t0;
    fprintf(stderr, "%s%-16s %6zu/%ld done  %7.1f req/s  %3ld in flight  %zu errors%s%s",
            tty ? "\r" : "", cfg->label, r->n, cfg->total, el > 0 ? r->n / el : 0.0,
            in_flight, error_total(&r->errors),
            r->server_exited ? "  (server exited)" : "",
            tty && !final ? "" : "\n");
}

static int configure(const hs_load_config *cfg, CURL *easy, struct curl_slist *hdr,
                     long idx) {
    CURLcode rc = CURLE_OK;
    rc |= curl_easy_setopt(easy, CURLOPT_URL, cfg->url);
    rc |= curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    rc |= curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_s * 1000));
    rc |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    /* Measure the server on loopback, never through a proxy from the env. */
    rc |= curl_easy_setopt(easy, CURLOPT_PROXY, "");
    rc |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard_body);
    rc |= curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)idx);
    if (!strcmp(cfg->method, "POST")) {
        rc |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdr);
        rc |= curl_easy_setopt(easy, CURLOPT_POST, 1L);
    }
    return rc == CURLE_OK ? 0 : -EINVAL;
}

/* Hands request number seq to curl on slot. */
static int start(const hs_load_config *cfg, CURLM *multi, load_slot *slot,
                 long seq) {
    if (!strcmp(cfg->method, "POST")) {
        const char *body = cfg->bodies[(size_t)seq % cfg->n_bodies];
        curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, body);
    }
    slot->started = hs_now();
    return curl_multi_add_handle(multi, slot->easy) == CURLM_OK ? 0 : -EIO;
}

double hs_cpu_seconds(int who) {
    struct rusage ru;
    if (getrusage(who, &ru)) return -1;
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

/* curl's phase times of a finished transfer. */
static hs_phase phase_of(CURL *easy) {
    curl_off_t connect = 0, ttfb = 0, total = 0;
    long conns = 0;
    curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &conns);
    return (hs_phase){connect * 1e-6, ttfb * 1e-6, total * 1e-6, (int)conns};
}

static int run_open(const hs_load_config *cfg, hs_load_result *out);

/* What every finished transfer adds to out, closed loop or open: its
 * error class, its phases (at out->n) and connections; its slot into
 * *slot. Returns its HTTP status, 0 for no response. */
static int finished(CURLMsg *msg, hs_load_result *out, long *slot) {
    void *priv;
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    *slot = (long)priv;
    CURLcode cc = msg->data.result;
    if (cc == CURLE_OK) curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    classify(cc, status, &out->errors);
    hs_phase ph = phase_of(msg->easy_handle);
    out->connections_opened += (size_t)(ph.new_connections > 0 ? ph.new_connections : 0);
    if (out->phases) out->phases[out->n] = ph;
    return cc == CURLE_OK ? (int)status : 0;
}

/* The handles a load runs on: nslots easy handles configured for cfg,
 * the request headers, and the multi handle that drives them. */
typedef struct {
    load_slot *slots;
    long n;
    struct curl_slist *hdr;
    CURLM *multi;
} load_pool;

static void pool_close(load_pool *p) {
    for (long i = 0; p->slots && i < p->n; i++) {
        if (p->multi && p->slots[i].easy) curl_multi_remove_handle(p->multi, p->slots[i].easy);
        curl_easy_cleanup(p->slots[i].easy);
    }
    if (p->multi) curl_multi_cleanup(p->multi);
    curl_slist_free_all(p->hdr);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

/* 0, or -ENOMEM (or -EINVAL for an option curl refused) with p closed. */
static int pool_open(const hs_load_config *cfg, long nslots, load_pool *p) {
    memset(p, 0, sizeof *p);
    p->n = nslots;
    p->slots = calloc((size_t)nslots, sizeof *p->slots);
    p->hdr = curl_slist_append(NULL, "Content-Type: application/json");
    /* An empty "Expect:" stops curl from waiting for 100-continue. */
    struct curl_slist *both = p->hdr ? curl_slist_append(p->hdr, "Expect:") : NULL;
    if (both) p->hdr = both;
    else curl_slist_free_all(p->hdr), p->hdr = NULL;
    p->multi = curl_multi_init();
    if (!p->slots || !p->hdr || !p->multi) return pool_close(p), -ENOMEM;
    curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, nslots);
    curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, nslots);
    for (long i = 0; i < nslots; i++) {
        p->slots[i].easy = curl_easy_init();
        if (!p->slots[i].easy) return pool_close(p), -ENOMEM;
        if (configure(cfg, p->slots[i].easy, p->hdr, i)) return pool_close(p), -EINVAL;
    }
    return 0;
}

/* On failure nothing is returned: the records made so far are freed. */
static void drop_records(hs_load_result *out) {
    free(out->samples), free(out->phases), free(out->service_s), free(out->lag_s);
    out->samples = NULL, out->phases = NULL, out->service_s = NULL, out->lag_s = NULL;
    out->n = 0;
}

int hs_load_run(const hs_load_config *cfg, hs_load_result *out) {
    memset(out, 0, sizeof *out);
    if (cfg->rate > 0) return run_open(cfg, out);
    if (cfg->total <= 0 || cfg->concurrency <= 0) return -EINVAL;
    if (!strcmp(cfg->method, "POST") && cfg->n_bodies == 0) return -EINVAL;
    long nslots = cfg->concurrency < cfg->total ? cfg->concurrency : cfg->total;
    load_pool pool;
    long sent = 0, in_flight = 0;
    int rc = pool_open(cfg, nslots, &pool);
    if (rc) return rc;
    load_slot *slots = pool.slots;
    CURLM *multi = pool.multi;
    rc = -ENOMEM;
    out->samples = calloc((size_t)cfg->total, sizeof *out->samples);
    if (cfg->record_phases) out->phases = calloc((size_t)cfg->total, sizeof *out->phases);
    if (!out->samples || (cfg->record_phases && !out->phases)) goto out;

    double cpu0 = hs_cpu_seconds(RUSAGE_THREAD);
    double t0 = hs_now(), last_done = t0;
    for (long i = 0; i < nslots; i++, sent++, in_flight++)
        if ((rc = start(cfg, multi, &slots[i], sent))) goto out;

    while (in_flight > 0) {
        int running;
        if (curl_multi_perform(multi, &running) != CURLM_OK) { rc = -EIO; goto out; }
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            double done = hs_now();
            long k;
            int status = finished(msg, out, &k);
            load_slot *slot = &slots[k];
            out->samples[out->n++] = (hs_sample){done - slot->started, status};
            last_done = done;
            curl_multi_remove_handle(multi, slot->easy);
            in_flight--;
            if (sent < cfg->total && !hs_stop) {
                if ((rc = start(cfg, multi, slot, sent))) goto out;
                sent++, in_flight++;
            }
        }
        if (hs_stop) {
            out->interrupted = 1;
            break;
        }
        if (!out->server_exited && has_exited(cfg->watch_pid)) out->server_exited = 1;
        progress(cfg, out, in_flight, t0, 0);
        if (in_flight > 0) curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    out->wall_s = last_done - t0;
    double cpu1 = hs_cpu_seconds(RUSAGE_THREAD);
    out->cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    if (cfg->on_end) cfg->on_end(cfg->end_arg);
    if (out->n < (size_t)cfg->total) out->interrupted = 1;
    progress(cfg, out, 0, t0, 1);
    rc = 0;
out:
    pool_close(&pool);
    if (rc) drop_records(out);
    return rc;
}

/* The open loop: arrivals on a schedule fixed in advance, each sent on a
 * free slot when its time comes (or dropped when none is free), timed from
 * that intended time. curl_multi_poll wakes at the next arrival, to the
 * millisecond; the send lag says how late each one really went. */
static int run_open(const hs_load_config *cfg, hs_load_result *out) {
    long n = cfg->total, nslots = cfg->max_in_flight < n ? cfg->max_in_flight : n;
    if (n <= 0 || nslots <= 0) return -EINVAL;
    if (!strcmp(cfg->method, "POST") && cfg->n_bodies == 0) return -EINVAL;
    load_pool pool;
    int rc = pool_open(cfg, nslots, &pool);
    if (rc) return rc;
    load_slot *slots = pool.slots;
    CURLM *multi = pool.multi;
    double *when = malloc((size_t)n * sizeof *when), *intended = calloc((size_t)nslots, sizeof *intended);
    long *free_slots = malloc((size_t)nslots * sizeof *free_slots);
    out->samples = calloc((size_t)n, sizeof *out->samples);
    out->service_s = calloc((size_t)n, sizeof *out->service_s);
    out->lag_s = calloc((size_t)n, sizeof *out->lag_s);
    if (cfg->record_phases) out->phases = calloc((size_t)n, sizeof *out->phases);
    long next = 0, in_flight = 0, n_free = 0;
    rc = -ENOMEM;
    if (!when || !intended || !free_slots || !out->samples || !out->service_s || !out->lag_s ||
        (cfg->record_phases && !out->phases))
        goto out;
    if ((rc = hs_arrivals(cfg->rate, n, cfg->arrivals, cfg->seed, when))) goto out;
    for (long i = 0; i < nslots; i++) free_slots[n_free++] = nslots - 1 - i;
    double cpu0 = hs_cpu_seconds(RUSAGE_THREAD);
    double t0 = hs_now(), last_done = t0;
    while ((next < n || in_flight > 0) && !hs_stop) {
        /* every arrival whose time has come: sent, or dropped */
        double now = hs_now();
        for (; next < n && t0 + when[next] <= now; next++) {
            if (n_free == 0) {
                out->dropped++;
                continue;
            }
            long k = free_slots[--n_free];
            intended[k] = t0 + when[next];
            if ((rc = start(cfg, multi, &slots[k], next))) goto out;
            in_flight++;
        }
        int running;
        if (curl_multi_perform(multi, &running) != CURLM_OK) { rc = -EIO; goto out; }
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            double done = hs_now();
            long k;
            int status = finished(msg, out, &k);
            load_slot *slot = &slots[k];
            double lag = slot->started - intended[k];
            out->late_1ms += lag > 1e-3;
            out->lag_s[out->n] = lag;
            out->service_s[out->n] = done - slot->started;
            out->samples[out->n++] = (hs_sample){done - intended[k], status};
            last_done = done;
            curl_multi_remove_handle(multi, slot->easy);
            free_slots[n_free++] = k;
            in_flight--;
        }
        if (!out->server_exited && has_exited(cfg->watch_pid)) out->server_exited = 1;
        progress(cfg, out, in_flight, t0, 0);
        /* sleep until the next arrival (or a completion), 50 ms at most */
        double wait = next < n ? t0 + when[next] - hs_now() : 0.05;
        if (wait >= 1e-3 || next >= n)
            curl_multi_poll(multi, NULL, 0, (int)fmin(50, floor(wait * 1e3)), NULL);
    }
    out->interrupted = hs_stop != 0;
    out->wall_s = last_done - t0;
    double cpu1 = hs_cpu_seconds(RUSAGE_THREAD);
    out->cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    if (cfg->on_end) cfg->on_end(cfg->end_arg);
    progress(cfg, out, 0, t0, 1);
    rc = 0;
out:
    pool_close(&pool);
    free(free_slots), free(when), free(intended);
    if (rc) drop_records(out);
    return rc;
}
