/* sweep_manifest.c - a sweep's manifest.json, written and read back, so
 * `harness plot` can redraw the sweep from the folder alone. Latencies are
 * in milliseconds here (the _ms keys), as the sweep's table and plot show
 * them; each point's own folder keeps the seconds. */
#include "facts/facts.h"

#include "lab/lab.h"
#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *variant_json(const hs_variant_outcome *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_summary *s = &v->summary;
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddBoolToObject(o, "measured", v->measured);
    cJSON_AddBoolToObject(o, "complete", v->complete);
    cJSON_AddNumberToObject(o, "requests", v->measured ? (double)s->requests : 0);
    if (v->measured) {
        cJSON_AddNumberToObject(o, "ok", (double)s->ok);
        cJSON_AddNumberToObject(o, "ok_percent", s->ok_percent);
        cJSON_AddNumberToObject(o, "p50_ms", s->p50_s * 1e3);
        cJSON_AddNumberToObject(o, "p95_ms", s->p95_s * 1e3);
        cJSON_AddNumberToObject(o, "p99_ms", s->p99_s * 1e3);
        cJSON_AddNumberToObject(o, "max_ms", s->max_s * 1e3);
        cJSON_AddNumberToObject(o, "wall_s", s->wall_s);
        cJSON_AddNumberToObject(o, "throughput_rps", s->rps);
    }
    cJSON *pids = cJSON_AddArrayToObject(o, "serving_pids");
    for (int k = 0; k < v->n_pids; k++) cJSON_AddItemToArray(pids, cJSON_CreateNumber((double)v->pids[k]));
    if (v->predicted_rps > 0) cJSON_AddNumberToObject(o, "predicted_rps", v->predicted_rps);
    else cJSON_AddNullToObject(o, "predicted_rps");
    if (v->problem[0]) cJSON_AddStringToObject(o, "problem", v->problem);
    else cJSON_AddNullToObject(o, "problem");
    return o;
}

cJSON *hs_sweep_to_json(const hs_sweep *s) {
    cJSON *m = cJSON_CreateObject();
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "kind", "sweep");
    cJSON_AddStringToObject(m, "lab", s->lab_name);
    cJSON_AddStringToObject(m, "lab_title", s->lab_title);
    cJSON_AddStringToObject(m, "lab_file", s->lab_file);
    cJSON_AddStringToObject(m, "plot_title", s->title);
    cJSON_AddStringToObject(m, "created", s->created);
    /* each point a repeated run (--repeat): its numbers are medians */
    cJSON_AddNumberToObject(m, "repeats_per_point", s->repeats > 1 ? s->repeats : 1);
    cJSON_AddBoolToObject(m, "completed", s->complete);
    if (s->complete) cJSON_AddNullToObject(m, "incomplete_reason");
    else cJSON_AddStringToObject(m, "incomplete_reason", s->reason);
    /* "completed" says whether every point ran; this, which of them failed. */
    cJSON *failed = cJSON_AddArrayToObject(m, "failed_points");
    for (int i = 0; i < s->spec.n; i++)
        if (s->points[i].status == HS_POINT_FAILED)
            cJSON_AddItemToArray(failed, cJSON_CreateNumber((double)s->points[i].value));

    cJSON *sw = cJSON_AddObjectToObject(m, "sweep");
    hs_sweep_param p = s->spec.param;
    cJSON_AddStringToObject(sw, "parameter", hs_sweep_param_name(p));
    cJSON *vals = cJSON_AddArrayToObject(sw, "values");
    for (int i = 0; i < s->spec.n; i++) cJSON_AddItemToArray(vals, cJSON_CreateNumber((double)s->spec.values[i]));
    cJSON_AddStringToObject(sw, "meaning", hs_sweep_param_axis(p));
    if (hs_sweep_param_placeholder(p))
        cJSON_AddStringToObject(sw, "reaches_server_as", hs_sweep_param_placeholder(p));
    else
        cJSON_AddStringToObject(sw, "reaches_server_as", "load generator only");

    /* The fixed parameters; the swept one shows its first value. */
    cJSON *load = cJSON_AddObjectToObject(m, "load");
    const hs_load_params *L = &s->load;
    hs_load_params_write(L, load);
    cJSON_AddStringToObject(load, "method", s->method);
    cJSON_AddStringToObject(load, "path", s->path);
    /* Which of them reached the servers (or the load generator). */
    cJSON *takes = cJSON_AddArrayToObject(m, "parameters_taken");
    for (int q = HS_SWEEP_WORKERS; q <= HS_SWEEP_THREADS; q++)
        if (s->takes & (1u << q))
            cJSON_AddItemToArray(takes, cJSON_CreateString(hs_sweep_param_name((hs_sweep_param)q)));

    cJSON *vars = cJSON_AddArrayToObject(m, "sweep_variants");
    for (int i = 0; i < s->n_variants; i++) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "name", s->variants[i]);
        cJSON_AddStringToObject(v, "label", s->labels[i]);
        /* First to last comparable point, as the summary's table shows it. */
        hs_sweep_change c;
        hs_sweep_change_of(s, i, &c);
        cJSON *ch = cJSON_AddObjectToObject(v, "change");
        if (c.first < 0) {
            cJSON_AddNullToObject(ch, "from");
            cJSON_AddStringToObject(ch, "from_unknown", "fewer than two comparable points");
        } else {
            cJSON_AddNumberToObject(ch, "from", (double)s->points[c.first].value);
            cJSON_AddNumberToObject(ch, "to", (double)s->points[c.last].value);
            const double x[3] = {c.p50_x, c.p95_x, c.rps_x};
            static const char *const keys[3] = {"p50_ratio", "p95_ratio", "requests_per_s_ratio"};
            for (int k = 0; k < 3; k++)
                if (isfinite(x[k])) cJSON_AddNumberToObject(ch, keys[k], x[k]);
                else cJSON_AddNullToObject(ch, keys[k]);
            cJSON_AddNumberToObject(ch, "p95_trend", c.p95_trend);
            cJSON_AddNumberToObject(ch, "requests_per_s_trend", c.rps_trend);
        }
        int kept, behind;
        if (!hs_sweep_knee(s, i, &kept, &behind)) { /* over the rate: where it fell behind */
            if (kept >= 0) cJSON_AddNumberToObject(v, "kept_up_to_rate", (double)s->points[kept].value);
            else cJSON_AddNullToObject(v, "kept_up_to_rate");
            if (behind >= 0) cJSON_AddNumberToObject(v, "fell_behind_at_rate", (double)s->points[behind].value);
            else cJSON_AddNullToObject(v, "fell_behind_at_rate");
            int n_pred;
            double pred = hs_sweep_predicted(s, i, &n_pred);
            if (n_pred > 0) cJSON_AddNumberToObject(v, "predicted_capacity_rps", pred);
            else cJSON_AddNullToObject(v, "predicted_capacity_rps");
        }
        cJSON_AddItemToArray(vars, v);
    }
    cJSON_AddNumberToObject(m, "cores", (double)s->cores);

    cJSON *points = cJSON_AddArrayToObject(m, "points");
    for (int i = 0; i < s->spec.n; i++) {
        const hs_sweep_point *pt = &s->points[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(points, o);
        cJSON_AddNumberToObject(o, "value", (double)pt->value);
        cJSON_AddStringToObject(o, "folder", pt->folder);
        cJSON_AddStringToObject(o, "status", hs_point_status_name(pt->status));
        cJSON_AddNumberToObject(o, "exit_code", pt->exit_code);
        cJSON *pv = cJSON_AddArrayToObject(o, "variants");
        for (int k = 0; k < pt->out.n; k++) cJSON_AddItemToArray(pv, variant_json(&pt->out.v[k]));
    }
    return m;
}

/* Readers below take what is there and leave the rest zero: a manifest is
 * ours, so a missing key means an older or cut-short sweep, not an attack. */
static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* A count: negative ones read as 0, as missing ones do. */
static size_t count(const cJSON *o, const char *key) {
    long n = hs_whole(num(o, key));
    return n > 0 ? (size_t)n : 0;
}

static void str(const cJSON *o, const char *key, char *out, size_t size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int flag(const cJSON *o, const char *key) {
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void read_variant(const cJSON *o, hs_variant_outcome *v) {
    memset(v, 0, sizeof *v);
    str(o, "name", v->name, sizeof v->name);
    v->measured = flag(o, "measured");
    v->complete = flag(o, "complete");
    hs_summary *s = &v->summary;
    s->requests = count(o, "requests");
    s->ok = count(o, "ok");
    s->ok_percent = num(o, "ok_percent");
    s->p50_s = num(o, "p50_ms") / 1e3;
    s->p95_s = num(o, "p95_ms") / 1e3;
    s->p99_s = num(o, "p99_ms") / 1e3;
    s->max_s = num(o, "max_ms") / 1e3;
    s->wall_s = num(o, "wall_s");
    s->rps = num(o, "throughput_rps");
    const cJSON *pid;
    cJSON_ArrayForEach(pid, cJSON_GetObjectItemCaseSensitive(o, "serving_pids"))
        if (cJSON_IsNumber(pid) && v->n_pids < HS_MAX_PIDS) v->pids[v->n_pids++] = hs_whole(pid->valuedouble);
    str(o, "problem", v->problem, sizeof v->problem);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "predicted_rps");
    v->predicted_rps = cJSON_IsNumber(p) ? p->valuedouble : 0;
}

static hs_point_status status_of(const char *name) {
    for (int st = HS_POINT_NOT_RUN; st <= HS_POINT_DONE_NO_PLOT; st++)
        if (!strcmp(name, hs_point_status_name((hs_point_status)st))) return (hs_point_status)st;
    return HS_POINT_FAILED;
}

int hs_sweep_read(const char *dir, hs_sweep *s, char *err, size_t err_size) {
    char path[4200], *text, buf[64];
    memset(s, 0, sizeof *s);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    int rc = hs_read_file(path, 64u << 20, &text, NULL);
    if (rc) {
        snprintf(err, err_size, "%s: %s", path, strerror(-rc));
        return rc == -ENOENT ? -ENOENT : -EINVAL;
    }
    cJSON *m = cJSON_Parse(text);
    free(text);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(m, "kind");
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "sweep")) {
        snprintf(err, err_size, "%s: not a sweep's manifest", path);
        cJSON_Delete(m);
        return -EMEDIUMTYPE;
    }
    rc = -EINVAL;
    const cJSON *sw = cJSON_GetObjectItemCaseSensitive(m, "sweep");
    str(sw, "parameter", buf, sizeof buf);
    char spec_text[96];
    snprintf(spec_text, sizeof spec_text, "%s=1", buf);
    if (hs_sweep_parse(spec_text, &s->spec, err, err_size)) goto out; /* the name only */
    s->spec.n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(sw, "values"))
        if (s->spec.n < HS_SWEEP_MAX_POINTS) s->spec.values[s->spec.n++] = hs_whole(item->valuedouble);

    str(m, "lab", s->lab_name, sizeof s->lab_name);
    str(m, "lab_title", s->lab_title, sizeof s->lab_title);
    str(m, "lab_file", s->lab_file, sizeof s->lab_file);
    str(m, "plot_title", s->title, sizeof s->title);
    str(m, "created", s->created, sizeof s->created);
    s->complete = flag(m, "completed");
    str(m, "incomplete_reason", s->reason, sizeof s->reason);
    const cJSON *load = cJSON_GetObjectItemCaseSensitive(m, "load");
    s->load = hs_load_params_read(load);
    str(load, "method", s->method, sizeof s->method);
    str(load, "path", s->path, sizeof s->path);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(m, "sweep_variants")) {
        if (s->n_variants == HS_MAX_VARIANTS) break;
        str(item, "name", s->variants[s->n_variants], sizeof s->variants[0]);
        str(item, "label", s->labels[s->n_variants], sizeof s->labels[0]);
        s->n_variants++;
    }
    s->cores = hs_whole(num(m, "cores"));
    double rp = num(m, "repeats_per_point"); /* absent before issue 15: plain runs */
    s->repeats = rp >= 1 && rp <= HS_REPEAT_MAX ? (int)rp : 1;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(m, "parameters_taken")) {
        for (int p = HS_SWEEP_WORKERS; p <= HS_SWEEP_THREADS; p++)
            if (cJSON_IsString(item) && !strcmp(item->valuestring, hs_sweep_param_name((hs_sweep_param)p)))
                s->takes |= 1u << p;
    }
    int n = 0;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(m, "points")) {
        if (n == s->spec.n) break;
        hs_sweep_point *pt = &s->points[n++];
        pt->value = hs_whole(num(item, "value"));
        str(item, "folder", pt->folder, sizeof pt->folder);
        char st[32];
        str(item, "status", st, sizeof st);
        pt->status = status_of(st);
        long code = hs_whole(num(item, "exit_code"));
        pt->exit_code = code >= -1 && code <= 255 ? (int)code : -1;
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(item, "variants"))
            if (pt->out.n < HS_MAX_VARIANTS) read_variant(v, &pt->out.v[pt->out.n++]);
        /* A folder name is joined to dir: it must stay inside it. */
        if (!pt->folder[0] || pt->folder[0] == '.' || strchr(pt->folder, '/')) {
            snprintf(err, err_size, "%s: point %d has no usable folder name", path, n);
            goto out;
        }
    }
    if (n != s->spec.n || n == 0) {
        snprintf(err, err_size, "%s: %d values but %d points", path, s->spec.n, n);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(m);
    return rc;
}
