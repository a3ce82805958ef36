/* blockwatch_report.c - a block report as text (pyleak's form) and JSON. */
#include "blockwatch_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t size, len;
    int full;
} text;

static void put(text *t, const char *fmt, ...) {
    if (t->full) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->size - t->len) {
        t->full = 1;
        t->len = t->size - 1;
        return;
    }
    t->len += (size_t)n;
}

void bw_format_seconds(uint64_t ns, char *buf, size_t size) {
    snprintf(buf, size, "%.3fs", (double)ns / 1e9);
}

int bw_frame_same(const blockwatch_frame *a, const blockwatch_frame *b) {
    if (strcmp(a->function, b->function) != 0 || strcmp(a->file, b->file) != 0)
        return 0;
    if (a->file[0]) return a->line == b->line;
    return a->offset == b->offset && strcmp(a->object, b->object) == 0;
}

static void put_frame(text *t, const blockwatch_frame *f) {
    if (f->file[0]) {
        put(t, "      File \"%s\", line %d, in %s\n", f->file, f->line, f->function);
        if (f->source[0]) put(t, "          %s\n", f->source);
    } else if (f->object[0]) {
        /* Without debug information the offset is what is left to find
         * the line with, by addr2line on a copy that has it. */
        put(t, "      File \"%s\", in %s+0x%lx\n", f->object, f->function, f->offset);
    } else {
        put(t, "      File \"?\", in %s\n", f->function);
    }
}

int blockwatch_format(const blockwatch_report *r, int threshold_ms,
                      uint64_t same_as, char *buf, size_t size) {
    if (size == 0) return -ENOSPC;
    text t = {buf, size, 0, 0};
    buf[0] = '\0';
    char dur[32], thr[32], rq[32];
    bw_format_seconds(r->duration_ns, dur, sizeof dur);
    bw_format_seconds((uint64_t)threshold_ms * 1000000u, thr, sizeof thr);
    bw_format_seconds(r->runqueue_ns, rq, sizeof rq);
    put(&t, "Event Loop Block: block-%llu\n", (unsigned long long)r->id);
    put(&t, "  Duration: %s (threshold: %s)\n", dur, thr);
    put(&t, "  Timestamp: %s\n", r->timestamp);
    put(&t, "  Waiting for a core: %s (not counted as blocking)\n", rq);
    if (r->n_frames == 0 && r->asleep_in[0]) {
        put(&t, "  Blocking Stack: not sampled: the loop thread was asleep in %s(), "
                "which a signal would cut short\n", r->asleep_in);
    } else if (r->n_frames == 0) {
        put(&t, "  Blocking Stack: not sampled (the block ended before the "
                "watchdog looked)\n");
    } else if (same_as) {
        put(&t, "  Blocking Stack: as in block-%llu\n", (unsigned long long)same_as);
    } else {
        put(&t, "  Blocking Stack:\n");
        if (r->truncated) put(&t, "      ...\n");
        for (int i = 0; i < r->n_frames; i++) put_frame(&t, &r->frames[i]);
    }
    if (r->blamed >= 0) {
        const blockwatch_frame *b = &r->frames[r->blamed];
        if (b->file[0])
            put(&t, "  Blocked in: %s (%s:%d)\n", b->function, b->file, b->line);
        else
            put(&t, "  Blocked in: %s+0x%lx (%s)\n", b->function, b->offset, b->object);
    }
    return t.full ? -ENOSPC : (int)t.len;
}

void *bw_frame_json(const blockwatch_frame *f) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "function", f->function);
    if (f->file[0]) {
        cJSON_AddStringToObject(o, "file", f->file);
        cJSON_AddNumberToObject(o, "line", f->line);
        if (f->source[0]) cJSON_AddStringToObject(o, "source", f->source);
    } else {
        cJSON_AddNullToObject(o, "file");
        cJSON_AddNullToObject(o, "line");
        if (f->object[0]) {
            cJSON_AddStringToObject(o, "object", f->object);
            char off[24];
            snprintf(off, sizeof off, "0x%lx", f->offset);
            cJSON_AddStringToObject(o, "offset", off);
        }
    }
    return o;
}

void *blockwatch_report_json(const blockwatch_report *r, int threshold_ms) {
    cJSON *o = cJSON_CreateObject();
    char id[32];
    snprintf(id, sizeof id, "block-%llu", (unsigned long long)r->id);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "timestamp", r->timestamp);
    cJSON_AddNumberToObject(o, "duration_s", (double)r->duration_ns / 1e9);
    cJSON_AddNumberToObject(o, "threshold_s", threshold_ms / 1e3);
    cJSON_AddNumberToObject(o, "runqueue_wait_s", (double)r->runqueue_ns / 1e9);
    cJSON_AddNumberToObject(o, "samples", r->samples);
    cJSON_AddBoolToObject(o, "truncated", r->truncated);
    if (r->asleep_in[0]) cJSON_AddStringToObject(o, "asleep_in", r->asleep_in);
    else cJSON_AddNullToObject(o, "asleep_in");
    if (r->blamed >= 0)
        cJSON_AddItemToObject(o, "blocked_in", bw_frame_json(&r->frames[r->blamed]));
    else
        cJSON_AddNullToObject(o, "blocked_in");
    cJSON *stack = cJSON_AddArrayToObject(o, "stack");
    for (int i = 0; i < r->n_frames; i++)
        cJSON_AddItemToArray(stack, bw_frame_json(&r->frames[i]));
    /* The same report as text, whole, so that a reader of the JSON (the
     * harness's summary) shows exactly what stderr showed. */
    char whole[BW_TEXT_MAX];
    blockwatch_format(r, threshold_ms, 0, whole, sizeof whole);
    cJSON_AddStringToObject(o, "text", whole);
    return o;
}
