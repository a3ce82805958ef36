/* sweep_spec.c - what `--sweep NAME=v1,v2,...` means: the parameter, its
 * values, and whether a lab can take it. */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *alias, *flag, *axis, *placeholder;
    long lo, hi;       /* as `harness run`'s flag takes it */
    const char *why_hi; /* where hi comes from, when it is not the harness's own */
} params[] = {
    [HS_SWEEP_WORKERS] = {"workers", NULL, "--workers", "server worker processes (--workers)",
                          "{workers}", 1, HS_MAX_WORKERS,
                          "miniserve's own limit"},
    [HS_SWEEP_CONCURRENCY] = {"concurrency", NULL, "--concurrency",
                              "concurrent clients (requests in flight)", NULL, 1, 10000, NULL},
    [HS_SWEEP_IO_DELAY_MS] = {"io_delay_ms", "io-delay-ms", "--io-delay-ms",
                              "extra I/O wait per request (ms, --io-delay-ms)", "{io_delay_ms}",
                              0, 600000, NULL},
    [HS_SWEEP_THREADS] = {"threads", NULL, "--threads", "pool threads per worker (--threads)",
                          "{threads}", 1, 1024, NULL},
    [HS_SWEEP_RATE] = {"rate", NULL, "--rate", "offered arrivals per second (--rate, open loop)",
                       NULL, 1, 1000000, NULL},
};
#define N_PARAMS (sizeof params / sizeof params[0])

const char *hs_sweep_param_name(hs_sweep_param p) { return params[p].name; }
const char *hs_sweep_param_flag(hs_sweep_param p) { return params[p].flag; }
const char *hs_sweep_param_axis(hs_sweep_param p) { return params[p].axis; }
const char *hs_sweep_param_placeholder(hs_sweep_param p) { return params[p].placeholder; }

void hs_sweep_param_set(hs_load_params *load, hs_sweep_param p, long value) {
    switch (p) {
    case HS_SWEEP_WORKERS: load->workers = value; return;
    case HS_SWEEP_CONCURRENCY: load->concurrency = value; return;
    case HS_SWEEP_IO_DELAY_MS: load->io_delay_ms = value; return;
    case HS_SWEEP_THREADS: load->threads = value; return;
    case HS_SWEEP_RATE:
        load->rate = (double)value;
        if (load->duration_s > 0) load->total = (long)(load->rate * load->duration_s);
        if (load->total < 1) load->total = 1;
        return;
    }
    abort(); /* every parameter is listed above */
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int hs_sweep_parse(const char *text, hs_sweep_spec *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    const char *eq = strchr(text, '=');
    size_t name_len = eq ? (size_t)(eq - text) : strlen(text);
    size_t p;
    for (p = 0; p < N_PARAMS; p++)
        if ((strlen(params[p].name) == name_len && !strncmp(text, params[p].name, name_len)) ||
            (params[p].alias && strlen(params[p].alias) == name_len &&
             !strncmp(text, params[p].alias, name_len)))
            break;
    if (p == N_PARAMS) {
        snprintf(err, err_size, "--sweep: unknown parameter \"%.*s\" (known: workers, "
                 "concurrency, io_delay_ms, threads, rate; e.g. --sweep workers=1,2,4)",
                 (int)name_len, text);
        return -EINVAL;
    }
    out->param = (hs_sweep_param)p;
    if (!eq || !eq[1]) {
        snprintf(err, err_size, "--sweep %s needs values: --sweep %s=v1,v2,...",
                 params[p].name, params[p].name);
        return -EINVAL;
    }
    for (const char *s = eq + 1;;) {
        size_t len = strcspn(s, ",");
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (len == 0) {
            snprintf(err, err_size, "--sweep %s: an empty value (two commas together, or one "
                     "at an end)", params[p].name);
            return -EINVAL;
        }
        if (errno || end != s + len || !(*s >= '0' && *s <= '9') ||
            v < params[p].lo || v > params[p].hi) {
            snprintf(err, err_size, "--sweep %s: \"%.*s\" is not a whole number from %ld to %ld%s%s%s",
                     params[p].name, (int)len, s, params[p].lo, params[p].hi,
                     params[p].why_hi ? " (" : "", params[p].why_hi ? params[p].why_hi : "",
                     params[p].why_hi ? ")" : "");
            return -EINVAL;
        }
        if (out->n == HS_SWEEP_MAX_POINTS) {
            snprintf(err, err_size, "--sweep %s: at most %d values", params[p].name,
                     HS_SWEEP_MAX_POINTS);
            return -EINVAL;
        }
        for (int i = 0; i < out->n; i++)
            if (out->values[i] == v) {
                snprintf(err, err_size, "--sweep %s: %ld appears twice", params[p].name, v);
                return -EINVAL;
            }
        out->values[out->n++] = v;
        s += len;
        if (!*s) break;
        s++; /* the comma; a trailing one leaves an empty value, refused above */
    }
    qsort(out->values, (size_t)out->n, sizeof out->values[0], cmp_long);
    return 0;
}

int hs_sweep_check_lab(const hs_lab *lab, hs_sweep_param p, char *err, size_t err_size) {
    const char *ph = params[p].placeholder;
    char names[512];
    if (!ph) return 0;
    int lacking = hs_lab_lacking(lab, ph, names, sizeof names);
    if (!lacking) return 0;
    snprintf(err, err_size,
             "cannot sweep %s over lab %s: the command%s of %s ha%s no %s, so %s would not "
             "reach %s and every point would measure the same thing (choose the variants "
             "that have it with --variants, or add %s to the lab file)",
             params[p].name, lab->name, lacking == 1 ? "" : "s", names,
             lacking == 1 ? "s" : "ve", ph, params[p].name, lacking == 1 ? "it" : "them", ph);
    return -EINVAL;
}

void hs_sweep_point_folder(const hs_sweep_spec *s, int i, char *out, size_t size) {
    snprintf(out, size, "%s-%ld", params[s->param].name, s->values[i]);
}

const char *hs_point_status_name(hs_point_status st) {
    switch (st) {
    case HS_POINT_NOT_RUN: return "not run";
    case HS_POINT_DONE: return "done";
    case HS_POINT_FAILED: return "failed";
    case HS_POINT_INTERRUPTED: return "interrupted";
    case HS_POINT_DONE_NO_PLOT: return "done_no_plot";
    }
    return "?";
}
