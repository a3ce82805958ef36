/* metrics.c - the counters behind GET /metrics.
 *
 * handlers_running counts handlers between their start and their end,
 * wherever they run: it is what shows async_blocking never overlapping
 * (max 1) while sync and async_tothread do. model_running counts
 * agent_correct() calls alone. Loop lag is how late a SRV_LAG_TICK_MS
 * repeating timer fires: a blocked loop fires it late.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void gauge_up(atomic_int *now, atomic_int *max) {
    int v = atomic_fetch_add(now, 1) + 1;
    int m = atomic_load(max);
    while (v > m && !atomic_compare_exchange_weak(max, &m, v)) {
    }
}

/* Any thread; lock-free. */
void srv_metrics_handler_begin(srv_metrics *m) {
    gauge_up(&m->handlers_running, &m->handlers_max);
}
void srv_metrics_handler_end(srv_metrics *m) {
    atomic_fetch_sub(&m->handlers_running, 1);
}
void srv_metrics_model_begin(srv_metrics *m) {
    gauge_up(&m->model_running, &m->model_max);
}
void srv_metrics_model_end(srv_metrics *m) { atomic_fetch_sub(&m->model_running, 1); }

/* Loop thread. */
void srv_metrics_lag_start(srv_metrics *m) {
    m->start_ns = uv_hrtime();
    m->lag_prev_ns = m->start_ns;
}

/* Loop thread, from the lag timer. */
void srv_metrics_lag_tick(srv_metrics *m) {
    uint64_t now = uv_hrtime();
    uint64_t due = m->lag_prev_ns + (uint64_t)SRV_LAG_TICK_MS * 1000000u;
    uint64_t lag = now > due ? now - due : 0;
    m->lag_prev_ns = now;
    m->lag_ns[m->lag_next] = lag;
    m->lag_next = (m->lag_next + 1) % SRV_LAG_SAMPLES;
    if (m->lag_count < SRV_LAG_SAMPLES) m->lag_count++;
    if (lag > m->lag_max_ever_ns) m->lag_max_ever_ns = lag;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Loop thread. */
static cJSON *lag_json(const srv_metrics *m) {
    cJSON *o = cJSON_CreateObject();
    uint64_t sorted[SRV_LAG_SAMPLES];
    size_t n = m->lag_count;
    memcpy(sorted, m->lag_ns, n * sizeof sorted[0]);
    qsort(sorted, n, sizeof sorted[0], cmp_u64);
    double max = n ? (double)sorted[n - 1] / 1e6 : 0;
    double p99 = n ? (double)sorted[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6 : 0;
    cJSON_AddNumberToObject(o, "window_s", SRV_LAG_WINDOW_S);
    cJSON_AddNumberToObject(o, "samples", (double)n);
    cJSON_AddNumberToObject(o, "max", max);
    cJSON_AddNumberToObject(o, "p99", p99);
    cJSON_AddNumberToObject(o, "max_ever", (double)m->lag_max_ever_ns / 1e6);
    return o;
}

/* Loop thread. */
char *srv_metrics_json(const srv_worker *w) {
    const srv_metrics *m = &w->metrics;
    cJSON *o = cJSON_CreateObject();
    cJSON *req = cJSON_AddObjectToObject(o, "requests");
    cJSON *by = cJSON_CreateObject();
    uint64_t total = 0;
    for (int s = 100; s < 600; s++) {
        if (!m->by_status[s]) continue;
        char key[8];
        snprintf(key, sizeof key, "%d", s);
        cJSON_AddNumberToObject(by, key, (double)m->by_status[s]);
        total += m->by_status[s];
    }
    cJSON_AddNumberToObject(req, "total", (double)total);
    cJSON_AddItemToObject(req, "by_status", by);

    cJSON *h = cJSON_AddObjectToObject(o, "handlers");
    cJSON_AddNumberToObject(h, "running", atomic_load(&m->handlers_running));
    cJSON_AddNumberToObject(h, "max_running", atomic_load(&m->handlers_max));
    cJSON *mc = cJSON_AddObjectToObject(o, "model_calls");
    cJSON_AddNumberToObject(mc, "running", atomic_load(&m->model_running));
    cJSON_AddNumberToObject(mc, "max_running", atomic_load(&m->model_max));
    cJSON *p = cJSON_AddObjectToObject(o, "pool");
    cJSON_AddNumberToObject(p, "threads", w->cfg->threads);
    cJSON_AddNumberToObject(p, "queued", atomic_load(&m->queued));
    cJSON_AddNumberToObject(p, "max_queued", atomic_load(&m->queued_max));
    cJSON *c = cJSON_AddObjectToObject(o, "connections");
    cJSON_AddNumberToObject(c, "open", w->n_conns);
    cJSON_AddNumberToObject(c, "accepted", (double)m->conns_accepted);
    cJSON_AddNumberToObject(c, "rejected", (double)m->conns_rejected);
    cJSON_AddItemToObject(o, "loop_lag_ms", lag_json(m));
    cJSON_AddNumberToObject(o, "uptime_s", (double)(uv_hrtime() - m->start_ns) / 1e9);
    cJSON_AddStringToObject(o, "variant", srv_variant_name(w->cfg->variant));
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}
