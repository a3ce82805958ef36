/* blocks_sum.c - a blocks file's worker documents summed for the report:
 * counts, and the place that blocked longest with one report of it; see
 * blocks.h. */
#include "evidence/evidence.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const cJSON *o, const char *a, const char *b) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(x) ? x->valuestring : "";
}

/* "function (file:line)" of a blocked_in frame, or "function+offset
 * (object)" from a server without debug information; "" for null. */
static void where(const cJSON *frame, char *out, size_t size) {
    out[0] = '\0';
    if (!cJSON_IsObject(frame)) return;
    if (str(frame, "file")[0])
        snprintf(out, size, "%s (%s:%.0f)", str(frame, "function"), str(frame, "file"),
                 num(frame, "line", NULL));
    else
        snprintf(out, size, "%s+%s (%s)", str(frame, "function"), str(frame, "offset"),
                 str(frame, "object"));
}

/* The text of the report that shows place `at` in worker doc: the one
 * named by the top_stacks entry's example, else the newest one blocked
 * there (the example may have left the ring of kept reports). */
static const char *report_text(const cJSON *doc, const char *example, const char *at) {
    const cJSON *rep, *found = NULL;
    cJSON_ArrayForEach(rep, cJSON_GetObjectItemCaseSensitive(doc, "reports")) {
        char w[512];
        where(cJSON_GetObjectItemCaseSensitive(rep, "blocked_in"), w, sizeof w);
        if (!strcmp(str(rep, "id"), example)) return str(rep, "text");
        if (!strcmp(w, at)) found = rep;
    }
    return found ? str(found, "text") : NULL;
}

void hs_blocks_sum(const void *workers_json, hs_blocks *out) {
    const cJSON *workers = workers_json, *doc;
    /* Places that blocked, summed over workers by "function (file:line)". */
    struct {
        char at[512];
        double count, ms;
    } place[64];
    int n_places = 0;
    memset(out, 0, sizeof *out);
    cJSON_ArrayForEach(doc, workers) {
        out->workers++;
        out->threshold_ms = (long)num(doc, "threshold_ms", NULL);
        out->blocks += num(doc, "blocks", "count");
        out->blocks_ms += num(doc, "blocks", "total_ms");
        double longest = num(doc, "blocks", "longest_ms");
        if (longest > out->longest_ms) out->longest_ms = longest;
        out->starved += num(doc, "starvation", "count");
        out->starved_ms += num(doc, "starvation", "total_ms");
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "top_stacks")) {
            char at[512];
            where(cJSON_GetObjectItemCaseSensitive(t, "blocked_in"), at, sizeof at);
            if (!at[0]) continue; /* blocks with no sample: nowhere to point */
            int k = 0;
            while (k < n_places && strcmp(place[k].at, at)) k++;
            if (k == n_places) {
                if (n_places == 64) continue;
                snprintf(place[n_places].at, sizeof place[0].at, "%s", at);
                place[n_places].count = place[n_places].ms = 0;
                n_places++;
            }
            place[k].count += num(t, "count", NULL);
            place[k].ms += num(t, "total_ms", NULL);
        }
    }
    int top = -1;
    for (int k = 0; k < n_places; k++)
        if (top < 0 || place[k].ms > place[top].ms) top = k;
    if (top < 0) return;
    snprintf(out->top_where, sizeof out->top_where, "%s", place[top].at);
    out->top_count = place[top].count;
    out->top_ms = place[top].ms;
    /* Its example: from the worker where that place weighs most. */
    double best = -1;
    const char *text = NULL;
    cJSON_ArrayForEach(doc, workers) {
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "top_stacks")) {
            char at[512];
            where(cJSON_GetObjectItemCaseSensitive(t, "blocked_in"), at, sizeof at);
            if (strcmp(at, out->top_where) || num(t, "total_ms", NULL) <= best) continue;
            const char *x = report_text(doc, str(t, "example"), at);
            if (!x || !x[0]) continue;
            best = num(t, "total_ms", NULL);
            text = x;
        }
    }
    if (text) out->top_report = strdup(text);
}

void hs_blocks_free(hs_blocks *b) {
    free(b->top_report);
    b->top_report = NULL;
}

