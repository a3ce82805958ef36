/* handler_info.c - GET /healthz, /metrics and /debug/blocks, on the loop.
 *
 * /healthz's body cannot change during a worker's life, so it is built
 * once; /metrics is built per request from the counters in metrics.c, and
 * /debug/blocks from the block detector's results (blockwatch.c).
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Loop thread, at worker start. */
char *srv_healthz_json(const srv_worker *w) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "variant", srv_variant_name(w->cfg->variant));
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    cJSON *m = cJSON_AddObjectToObject(o, "model");
    cJSON_AddStringToObject(m, "weights", w->cfg->weights);
    cJSON_AddBoolToObject(m, "trained", (w->info.flags & GPT_FLAG_TRAINED) != 0);
    cJSON_AddNumberToObject(m, "params", (double)w->info.n_params);
    cJSON_AddNumberToObject(m, "seed", (double)w->info.seed);
    cJSON_AddNumberToObject(m, "max_sentence_bytes", (double)agent_max_sentence(w->model));
    cJSON_AddNumberToObject(o, "threads", w->cfg->threads);
    cJSON_AddNumberToObject(o, "workers", w->cfg->workers);
    if (w->cfg->variant == SRV_ASYNC_TOPROCESS)
        cJSON_AddNumberToObject(o, "processes", w->cfg->processes);
    cJSON_AddNumberToObject(o, "io_delay_ms", w->cfg->io_delay_ms);
    cJSON_AddNumberToObject(o, "detect_blocking_ms", w->cfg->detect_blocking_ms);
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}

/* Loop thread. */
void srv_handle_healthz(srv_conn *c) {
    /* A worker whose model processes all keep dying serves nothing but
     * 503s: it is not healthy, whatever else works. */
    if (c->w->procpool.gave_up) {
        srv_respond_error(c, 503, "no model process is running: they kept dying before "
                                  "answering (see the server's log)", NULL, NULL);
        return;
    }
    srv_respond(c, 200, c->w->healthz, c->w->healthz_len, NULL);
}

/* Loop thread. */
void srv_handle_metrics(srv_conn *c) {
    char *body = srv_metrics_json(c->w);
    if (!body) {
        srv_respond_error(c, 503, "out of memory", NULL, NULL);
        return;
    }
    srv_respond(c, 200, body, strlen(body), NULL);
    free(body);
}

/* Loop thread. The detector's reports; 404 when it is off, saying how to
 * turn it on. */
void srv_handle_debug_blocks(srv_conn *c) {
    srv_worker *w = c->w;
    if (!w->blockwatch) {
        srv_respond_error(c, 404, "block detection is off; start miniserve "
                          "with --detect-blocking[=MS]", NULL, NULL);
        return;
    }
    cJSON *o = blockwatch_json(w->blockwatch);
    if (o) {
        cJSON_AddStringToObject(o, "variant", srv_variant_name(w->cfg->variant));
        cJSON_AddNumberToObject(o, "pid", (double)getpid());
    }
    char *body = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!body) {
        srv_respond_error(c, 503, "out of memory", NULL, NULL);
        return;
    }
    srv_respond(c, 200, body, strlen(body), NULL);
    free(body);
}
