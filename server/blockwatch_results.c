/* blockwatch_results.c - what the detector found: tallies, the last
 * reports, the places that blocked, and the /debug/blocks document. The
 * watchdog writes, anyone reads, all under results_mu. */
#include "blockwatch_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void tally_add(blockwatch_tally *t, uint64_t ns) {
    t->count++;
    t->total_ns += ns;
    if (ns > t->longest_ns) t->longest_ns = ns;
}

void bw_results_starved(blockwatch *bw, const char *timestamp, uint64_t dur_ns,
                        uint64_t rq_ns, uint64_t *id) {
    pthread_mutex_lock(&bw->results_mu);
    tally_add(&bw->starved, dur_ns);
    bw_starve_event *s = &bw->starves[(bw->starved.count - 1) % BLOCKWATCH_KEEP];
    s->id = *id = bw->starved.count;
    snprintf(s->timestamp, sizeof s->timestamp, "%s", timestamp);
    s->duration_ns = dur_ns;
    s->runqueue_ns = rq_ns;
    pthread_mutex_unlock(&bw->results_mu);
}

/* Under results_mu. Counts r under its blamed frame; returns the first
 * block printed with the same one and a stack, or 0. */
static uint64_t top_add(blockwatch *bw, const blockwatch_report *r) {
    const blockwatch_frame *f = r->blamed >= 0 ? &r->frames[r->blamed] : NULL;
    for (int i = 0; i < bw->n_top; i++) {
        bw_top_stack *t = &bw->top[i];
        if (t->has_frame != (f != NULL) || (f && !bw_frame_same(&t->frame, f))) continue;
        t->count++;
        t->total_ns += r->duration_ns;
        if (!f || r->n_frames == 0) return 0;
        if (!t->first_had_stack) {
            t->first_id = r->id;
            t->first_had_stack = 1;
            return 0;
        }
        return t->first_id;
    }
    if (bw->n_top == BW_TOP) {
        bw->top_other_count++;
        bw->top_other_ns += r->duration_ns;
        return 0;
    }
    bw_top_stack *t = &bw->top[bw->n_top++];
    memset(t, 0, sizeof *t);
    t->has_frame = f != NULL;
    if (f) t->frame = *f;
    t->count = 1;
    t->total_ns = r->duration_ns;
    t->first_id = r->id;
    t->first_had_stack = r->n_frames > 0;
    return 0;
}

uint64_t bw_results_block(blockwatch *bw, blockwatch_report *r) {
    pthread_mutex_lock(&bw->results_mu);
    tally_add(&bw->blocks, r->duration_ns);
    r->id = bw->blocks.count;
    uint64_t same_as = top_add(bw, r);
    bw->reports[(r->id - 1) % BLOCKWATCH_KEEP] = *r;
    pthread_mutex_unlock(&bw->results_mu);
    return same_as;
}

void bw_results_sample(blockwatch *bw, int failed, int stale, int own) {
    pthread_mutex_lock(&bw->results_mu);
    if (own) bw->samples_own++;
    else if (failed) bw->samples_failed++;
    else bw->samples_taken++;
    if (stale) bw->samples_stale++;
    pthread_mutex_unlock(&bw->results_mu);
}

void bw_results_misc(blockwatch *bw, uint64_t missed, uint64_t idle) {
    pthread_mutex_lock(&bw->results_mu);
    bw->stretches_missed += missed;
    bw->stretches_idle += idle;
    pthread_mutex_unlock(&bw->results_mu);
}

void blockwatch_tallies(blockwatch *bw, blockwatch_tally *blocks,
                        blockwatch_tally *starved) {
    pthread_mutex_lock(&bw->results_mu);
    *blocks = bw->blocks;
    *starved = bw->starved;
    pthread_mutex_unlock(&bw->results_mu);
}

static cJSON *tally_json(const blockwatch_tally *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)t->count);
    cJSON_AddNumberToObject(o, "total_ms", (double)t->total_ns / 1e6);
    cJSON_AddNumberToObject(o, "longest_ms", (double)t->longest_ns / 1e6);
    return o;
}

static int by_total_desc(const void *a, const void *b) {
    const bw_top_stack *x = a, *y = b;
    return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

/* Under results_mu. */
static cJSON *top_json(const blockwatch *bw) {
    bw_top_stack sorted[BW_TOP];
    memcpy(sorted, bw->top, sizeof(bw_top_stack) * (size_t)bw->n_top);
    qsort(sorted, (size_t)bw->n_top, sizeof sorted[0], by_total_desc);
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < bw->n_top; i++) {
        const bw_top_stack *t = &sorted[i];
        cJSON *o = cJSON_CreateObject();
        if (t->has_frame) {
            cJSON_AddItemToObject(o, "blocked_in", bw_frame_json(&t->frame));
        } else {
            cJSON_AddNullToObject(o, "blocked_in");
        }
        cJSON_AddNumberToObject(o, "count", (double)t->count);
        cJSON_AddNumberToObject(o, "total_ms", (double)t->total_ns / 1e6);
        char id[32];
        snprintf(id, sizeof id, "block-%" PRIu64, t->first_id);
        cJSON_AddStringToObject(o, "example", id);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

void *blockwatch_json(blockwatch *bw) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    pthread_mutex_lock(&bw->results_mu);
    cJSON_AddNumberToObject(o, "threshold_ms", bw->threshold_ms);
    cJSON_AddBoolToObject(o, "runqueue_known", bw->schedstat_fd >= 0);
    cJSON_AddItemToObject(o, "blocks", tally_json(&bw->blocks));
    cJSON_AddItemToObject(o, "starvation", tally_json(&bw->starved));
    cJSON *s = cJSON_AddObjectToObject(o, "samples");
    cJSON_AddNumberToObject(s, "taken", (double)bw->samples_taken);
    cJSON_AddNumberToObject(s, "stale", (double)bw->samples_stale);
    cJSON_AddNumberToObject(s, "failed", (double)bw->samples_failed);
    cJSON_AddNumberToObject(s, "in_detector", (double)bw->samples_own);
    cJSON_AddNumberToObject(s, "walks_cut_by_fault", (double)bw_sample_faults());
    cJSON_AddNumberToObject(o, "stretches_missed", (double)bw->stretches_missed);
    cJSON_AddNumberToObject(o, "stretches_idle", (double)bw->stretches_idle);
    cJSON_AddItemToObject(o, "top_stacks", top_json(bw));
    if (bw->top_other_count) {
        cJSON *x = cJSON_AddObjectToObject(o, "top_stacks_other");
        cJSON_AddNumberToObject(x, "count", (double)bw->top_other_count);
        cJSON_AddNumberToObject(x, "total_ms", (double)bw->top_other_ns / 1e6);
    }
    /* The last BLOCKWATCH_KEEP of each, oldest first. */
    cJSON *reports = cJSON_AddArrayToObject(o, "reports");
    uint64_t n = bw->blocks.count;
    for (uint64_t id = n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP + 1 : 1; id <= n; id++)
        cJSON_AddItemToArray(reports, blockwatch_report_json(
                                          &bw->reports[(id - 1) % BLOCKWATCH_KEEP],
                                          bw->threshold_ms));
    cJSON_AddNumberToObject(o, "reports_dropped",
                            (double)(n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP : 0));
    cJSON *starved = cJSON_AddArrayToObject(o, "starved");
    n = bw->starved.count;
    for (uint64_t id = n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP + 1 : 1; id <= n; id++) {
        const bw_starve_event *e = &bw->starves[(id - 1) % BLOCKWATCH_KEEP];
        cJSON *x = cJSON_CreateObject();
        char name[32];
        snprintf(name, sizeof name, "starved-%" PRIu64, e->id);
        cJSON_AddStringToObject(x, "id", name);
        cJSON_AddStringToObject(x, "timestamp", e->timestamp);
        cJSON_AddNumberToObject(x, "duration_s", (double)e->duration_ns / 1e9);
        cJSON_AddNumberToObject(x, "runqueue_wait_s", (double)e->runqueue_ns / 1e9);
        cJSON_AddItemToArray(starved, x);
    }
    cJSON_AddNumberToObject(o, "starved_dropped",
                            (double)(n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP : 0));
    pthread_mutex_unlock(&bw->results_mu);
    return o;
}
