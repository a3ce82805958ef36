/* lab.c - loading and validating lab definitions. */
#include "lab/lab.h"

#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

static int fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (err) vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* Copies a string member into dst; missing is an error unless optional. */
static int get_str(const cJSON *obj, const char *key, char *dst, size_t size,
                   int optional) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v && optional) return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size) return -1;
    strcpy(dst, v->valuestring);
    return 0;
}

static int get_num(const cJSON *obj, const char *key, double lo, double hi,
                   double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return -1;
    *out = v->valuedouble;
    return 0;
}

static const struct {
    const char *name;
    hs_check_kind kind;
} check_kinds[] = {
    {"min_ok_percent", HS_CHECK_MIN_OK_PERCENT},
    {"p95_ratio_at_least", HS_CHECK_P95_RATIO_AT_LEAST},
    {"rps_ratio_at_least", HS_CHECK_RPS_RATIO_AT_LEAST},
    {"p95_within", HS_CHECK_P95_WITHIN},
    {"distinct_curves", HS_CHECK_DISTINCT_CURVES},
    {"p95_grows_more", HS_CHECK_P95_GROWS_MORE},
    {"rps_falls_more", HS_CHECK_RPS_FALLS_MORE},
    {"max_dropped_percent", HS_CHECK_MAX_DROPPED_PERCENT},
    {"max_late_percent", HS_CHECK_MAX_LATE_PERCENT},
};

const char *hs_check_kind_name(hs_check_kind k) {
    for (size_t i = 0; i < sizeof check_kinds / sizeof check_kinds[0]; i++)
        if (check_kinds[i].kind == k) return check_kinds[i].name;
    return "unknown";
}

/* An optional number: def when key is absent, -1 when present but bad. */
static int get_opt_num(const cJSON *obj, const char *key, double lo, double hi,
                       double def, double *out) {
    *out = def;
    if (!cJSON_GetObjectItemCaseSensitive(obj, key)) return 0;
    return get_num(obj, key, lo, hi, out);
}

/* The open loop's keys, all optional: "rate" (> 0), then "duration_s"
 * (which sets total to rate x duration_s), "arrivals" ("uniform" or
 * "poisson") and "max_in_flight". */
static int parse_open_loop(const cJSON *load, hs_load_params *p, const char *path, char *err,
                           size_t err_size) {
    double rate, dur, mif, poisson, rps_k, svc, gen;
    char arrivals[16] = "";
    /* 0 is a closed loop: what a manifest's embedded lab says of one. */
    if (get_opt_num(load, "rate", 0, 1e6, 0, &rate) ||
        get_opt_num(load, "duration_s", 0, 3600, 0, &dur) ||
        get_opt_num(load, "max_in_flight", 1, 100000, HS_DEFAULT_MAX_IN_FLIGHT, &mif) ||
        get_opt_num(load, "poisson", 0, 1, 0, &poisson) ||
        get_opt_num(load, "rate_per_service", 0, 1000, 0, &rps_k) ||
        get_opt_num(load, "service_s", 0, 3600, 0, &svc) ||
        get_opt_num(load, "loadgen_threads", 1, HS_LOAD_MAX_THREADS, 1, &gen) ||
        get_str(load, "arrivals", arrivals, sizeof arrivals, 1) ||
        (arrivals[0] && strcmp(arrivals, "uniform") && strcmp(arrivals, "poisson")))
        return fail(err, err_size,
                    "%s: \"load\" may have rate (arrivals per second, > 0) or rate_per_service "
                    "(a multiple of 1 / S), duration_s, arrivals (\"uniform\" or \"poisson\") "
                    "and max_in_flight (1-100000); loadgen_threads is 1-64", path);
    if (rate > 0 && rps_k > 0 && !(svc > 0))
        return fail(err, err_size, "%s: \"load\" gives both rate and rate_per_service: one "
                                   "of them sets the rate", path);
    if (!(rate > 0) && !(rps_k > 0) && (dur > 0 || arrivals[0]))
        return fail(err, err_size, "%s: \"load\" has duration_s or arrivals but no rate: they "
                                   "belong to an open loop", path);
    p->rate = rate, p->duration_s = dur, p->max_in_flight = (long)mif;
    p->rate_per_service = rps_k, p->service_s = svc, p->loadgen_threads = (long)gen;
    p->poisson = arrivals[0] ? !strcmp(arrivals, "poisson") : poisson == 1;
    if (rate > 0 && dur > 0) p->total = (long)(rate * dur);
    if (rps_k > 0 && !(rate > 0) && !(dur > 0))
        return fail(err, err_size, "%s: \"load\" with rate_per_service needs duration_s: the "
                                   "rate, and so the arrivals, are known only once S is", path);
    if (p->total < 1) return fail(err, err_size, "%s: rate x duration_s gives no request", path);
    return 0;
}

static int parse_load(const cJSON *load, hs_load_params *p, const char *path,
                      char *err, size_t err_size) {
    double c, t, w, to, wk, seed, th, io, bl, pr;
    if (!cJSON_IsObject(load) || get_num(load, "concurrency", 1, 10000, &c) ||
        get_num(load, "total", 1, 10000000, &t) ||
        get_num(load, "warmup", 0, 1000000, &w) ||
        get_num(load, "timeout_s", 0.001, 3600, &to) ||
        get_num(load, "workers", 1, HS_MAX_WORKERS, &wk) ||
        get_num(load, "seed", 0, 2147483647, &seed))
        return fail(err, err_size,
                    "%s: \"load\" needs concurrency (1-10000), total (1-10000000), "
                    "warmup (0-1000000), timeout_s, workers (1-%d) and seed", path,
                    HS_MAX_WORKERS);
    if (get_opt_num(load, "threads", 1, 1024, HS_DEFAULT_THREADS, &th) ||
        get_opt_num(load, "io_delay_ms", 0, 600000, 0, &io) ||
        get_opt_num(load, "detect_blocking_ms", 1, 60000, HS_DEFAULT_BLOCK_MS, &bl))
        return fail(err, err_size,
                    "%s: \"load\" may have threads (1-1024), io_delay_ms (0-600000) and "
                    "detect_blocking_ms (1-60000), whole numbers", path);
    if (get_opt_num(load, "probe_rate", 0, 1000, HS_DEFAULT_PROBE_RATE, &pr))
        return fail(err, err_size, "%s: \"load\" probe_rate is probes per second, 0 to 1000",
                    path);
    *p = (hs_load_params){(long)c, (long)t, (long)w, to, (long)wk, (long)seed, (long)th,
                          (long)io, (long)bl, pr, 0, 0, 0, 0, HS_DEFAULT_MAX_IN_FLIGHT, 0, 0, 0};
    return parse_open_loop(load, p, path, err, err_size);
}

static int parse_variant(const cJSON *v, hs_variant_def *d, const char *path,
                         int i, char *err, size_t err_size) {
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(v, "command");
    if (!cJSON_IsObject(v) || get_str(v, "name", d->name, sizeof d->name, 0) ||
        !d->name[0] || get_str(v, "label", d->label, sizeof d->label, 1) ||
        !cJSON_IsArray(cmd) || cJSON_GetArraySize(cmd) == 0 ||
        cJSON_GetArraySize(cmd) >= HS_MAX_ARGS)
        return fail(err, err_size,
                    "%s: variant %d needs a \"name\" and a non-empty \"command\" array",
                    path, i);
    for (const char *p = d->name; *p; p++)
        if (!(*p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return fail(err, err_size,
                        "%s: variant name \"%s\" may only use letters, digits, - and _ "
                        "(it names files)", path, d->name);
    if (!d->label[0]) strcpy(d->label, d->name);
    const cJSON *a;
    cJSON_ArrayForEach(a, cmd) {
        if (!cJSON_IsString(a))
            return fail(err, err_size, "%s: variant %s: command has a non-string",
                        path, d->name);
        d->argv[d->argc] = strdup(a->valuestring);
        if (!d->argv[d->argc]) return -ENOMEM;
        d->argc++;
    }
    d->argv[d->argc] = NULL;
    return 0;
}

static int parse_check(const cJSON *c, hs_check *k, const char *path, int i,
                       char *err, size_t err_size) {
    char kind[32] = "";
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(c, "variants");
    size_t j;
    if (!cJSON_IsObject(c) || get_str(c, "kind", kind, sizeof kind, 0) ||
        get_str(c, "title", k->title, sizeof k->title, 0) ||
        get_num(c, "threshold", 0, 1e9, &k->threshold) || !cJSON_IsArray(vars) ||
        cJSON_GetArraySize(vars) < 1 || cJSON_GetArraySize(vars) > HS_CHECK_MAX_OTHERS)
        return fail(err, err_size,
                    "%s: check %d needs \"kind\", \"title\", \"threshold\" and 1-%d \"variants\"",
                    path, i, HS_CHECK_MAX_OTHERS);
    for (j = 0; j < sizeof check_kinds / sizeof check_kinds[0]; j++)
        if (!strcmp(kind, check_kinds[j].name)) break;
    if (j == sizeof check_kinds / sizeof check_kinds[0])
        return fail(err, err_size,
                    "%s: check %d: unknown kind \"%s\" (known: min_ok_percent, "
                    "p95_ratio_at_least, p95_within, distinct_curves, p95_grows_more, "
                    "rps_falls_more, max_dropped_percent, max_late_percent, rps_ratio_at_least)",
                    path, i, kind);
    k->kind = check_kinds[j].kind;
    if ((k->kind == HS_CHECK_P95_GROWS_MORE || k->kind == HS_CHECK_RPS_FALLS_MORE) &&
        cJSON_GetArraySize(vars) != 4)
        return fail(err, err_size,
                    "%s: check %d: %s compares two variants across a change, so it needs 4 "
                    "\"variants\": A before, A after, B before, B after", path, i, kind);
    if ((k->kind == HS_CHECK_P95_RATIO_AT_LEAST || k->kind == HS_CHECK_RPS_RATIO_AT_LEAST) &&
        cJSON_GetArraySize(vars) < 2)
        return fail(err, err_size, "%s: check %d: %s sets the first variant against the others, "
                    "so it needs 2 or more \"variants\"", path, i, kind);
    const cJSON *name;
    cJSON_ArrayForEach(name, vars) {
        if (!cJSON_IsString(name) || strlen(name->valuestring) >= HS_NAME_MAX)
            return fail(err, err_size, "%s: check %d: variants must be names", path, i);
        strcpy(k->subjects[k->n_subjects++], name->valuestring);
    }
    return 0;
}

int hs_lab_load(const char *path, hs_lab *lab, char *err, size_t err_size) {
    char *text;
    memset(lab, 0, sizeof *lab);
    int rc = hs_read_file(path, 1 << 20, &text, NULL);
    if (rc) return fail(err, err_size, "%s: %s", path, strerror(-rc)), rc;
    cJSON *root = cJSON_Parse(text);
    free(text);
    rc = hs_lab_from_json(root, path, lab, err, err_size);
    cJSON_Delete(root);
    return rc;
}

/* Every number of hs_load_params, by its JSON key. */
#define LONG_FIELD(k, f) {k, offsetof(hs_load_params, f), 1}
#define DOUBLE_FIELD(k, f) {k, offsetof(hs_load_params, f), 0}
static const struct {
    const char *key;
    size_t off;
    int is_long;
} load_fields[] = {
    LONG_FIELD("concurrency", concurrency),   LONG_FIELD("total", total),
    LONG_FIELD("warmup", warmup),             DOUBLE_FIELD("timeout_s", timeout_s),
    LONG_FIELD("workers", workers),           LONG_FIELD("seed", seed),
    LONG_FIELD("threads", threads),           LONG_FIELD("io_delay_ms", io_delay_ms),
    LONG_FIELD("detect_blocking_ms", detect_blocking_ms),
    DOUBLE_FIELD("probe_rate", probe_rate),   DOUBLE_FIELD("rate", rate),
    DOUBLE_FIELD("duration_s", duration_s),   LONG_FIELD("poisson", poisson),
    LONG_FIELD("max_in_flight", max_in_flight), DOUBLE_FIELD("rate_per_service", rate_per_service),
    DOUBLE_FIELD("service_s", service_s),     LONG_FIELD("loadgen_threads", loadgen_threads),
};

static void set_item(cJSON *obj, const char *key, cJSON *item) {
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
}

void hs_load_params_write(const hs_load_params *L, cJSON *obj) {
    if (!cJSON_IsObject(obj)) return;
    for (size_t i = 0; i < sizeof load_fields / sizeof load_fields[0]; i++) {
        const char *at = (const char *)L + load_fields[i].off;
        double v = load_fields[i].is_long ? (double)*(const long *)(const void *)at
                                          : *(const double *)(const void *)at;
        set_item(obj, load_fields[i].key, cJSON_CreateNumber(v));
    }
    set_item(obj, "evidence", cJSON_CreateBool(!L->no_evidence));
}

long hs_whole(double v) { return v >= -1e15 && v <= 1e15 ? (long)v : 0; }

hs_load_params hs_load_params_read(const cJSON *obj) {
    hs_load_params L;
    memset(&L, 0, sizeof L);
    for (size_t i = 0; i < sizeof load_fields / sizeof load_fields[0]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, load_fields[i].key);
        double v = cJSON_IsNumber(x) ? x->valuedouble : 0;
        char *at = (char *)&L + load_fields[i].off;
        if (load_fields[i].is_long) *(long *)(void *)at = hs_whole(v);
        else *(double *)(void *)at = v;
    }
    L.no_evidence = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(obj, "evidence"));
    return L;
}

/* "background": absent, a string, or an array of strings (lines). */
static int parse_background(const cJSON *bg, hs_lab *lab, const char *path, char *err,
                            size_t err_size) {
    size_t len = 0;
    if (!bg) return 0;
    if (cJSON_IsString(bg)) {
        len = (size_t)snprintf(lab->background, sizeof lab->background, "%s", bg->valuestring);
    } else if (cJSON_IsArray(bg)) {
        const cJSON *line;
        cJSON_ArrayForEach(line, bg) {
            if (!cJSON_IsString(line))
                return fail(err, err_size, "%s: \"background\" lines must be strings", path);
            if (len < sizeof lab->background)
                len += (size_t)snprintf(lab->background + len, sizeof lab->background - len,
                                        "%s\n", line->valuestring);
        }
    } else {
        return fail(err, err_size, "%s: \"background\" is markdown: a string or an array of "
                                   "lines", path);
    }
    if (len >= sizeof lab->background)
        return fail(err, err_size, "%s: \"background\" is longer than %d bytes", path,
                    HS_BACKGROUND_MAX - 1);
    return 0;
}

int hs_lab_from_json(const cJSON *root, const char *path, hs_lab *lab, char *err,
                     size_t err_size) {
    memset(lab, 0, sizeof *lab);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(root, "request");
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(root, "variants");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    int rc = -EINVAL;
    if (!cJSON_IsObject(root)) {
        fail(err, err_size, "%s: not a JSON object", path);
        goto out;
    }
    if (get_str(root, "name", lab->name, sizeof lab->name, 0) ||
        get_str(root, "title", lab->title, sizeof lab->title, 0) ||
        get_str(root, "folder", lab->folder, sizeof lab->folder, 0) ||
        !cJSON_IsObject(req) ||
        get_str(req, "method", lab->method, sizeof lab->method, 0) ||
        get_str(req, "path", lab->path, sizeof lab->path, 0) ||
        get_str(req, "health", lab->health, sizeof lab->health, 0) ||
        get_str(req, "payloads", lab->payloads, sizeof lab->payloads, 1)) {
        fail(err, err_size,
             "%s: needs \"name\", \"title\", \"folder\" and \"request\" {method, path, "
             "health, payloads}", path);
        goto out;
    }
    if (strcmp(lab->method, "GET") && strcmp(lab->method, "POST")) {
        fail(err, err_size, "%s: request method must be GET or POST", path);
        goto out;
    }
    if (!strcmp(lab->method, "POST") && !lab->payloads[0]) {
        fail(err, err_size, "%s: a POST lab needs request \"payloads\"", path);
        goto out;
    }
    if ((rc = parse_load(cJSON_GetObjectItemCaseSensitive(root, "load"), &lab->load,
                         path, err, err_size)))
        goto out;
    rc = -EINVAL;
    if (!cJSON_IsArray(vars) || cJSON_GetArraySize(vars) < 1 ||
        cJSON_GetArraySize(vars) > HS_MAX_VARIANTS) {
        fail(err, err_size, "%s: needs 1 to %d \"variants\"", path, HS_MAX_VARIANTS);
        goto out;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, vars) {
        hs_variant_def *d = &lab->variants[lab->n_variants++];
        /* Counted before parsing, so hs_lab_free releases a partial one. */
        if ((rc = parse_variant(item, d, path, lab->n_variants - 1, err, err_size)))
            goto out;
        for (int i = 0; i < lab->n_variants - 1; i++)
            if (!strcmp(lab->variants[i].name, d->name)) {
                rc = fail(err, err_size, "%s: variant \"%s\" appears twice", path, d->name);
                goto out;
            }
    }
    if ((rc = parse_background(cJSON_GetObjectItemCaseSensitive(root, "background"), lab, path,
                               err, err_size)))
        goto out;
    rc = -EINVAL;
    if (checks && (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) > HS_MAX_CHECKS)) {
        rc = fail(err, err_size, "%s: \"checks\" must be an array of at most %d",
                  path, HS_MAX_CHECKS);
        goto out;
    }
    cJSON_ArrayForEach(item, checks) {
        if ((rc = parse_check(item, &lab->checks[lab->n_checks], path, lab->n_checks,
                              err, err_size)))
            goto out;
        lab->n_checks++;
    }
    rc = 0;
out:
    if (rc) hs_lab_free(lab);
    return rc;
}

void hs_lab_free(hs_lab *lab) {
    for (int v = 0; v < lab->n_variants; v++)
        for (int i = 0; i < lab->variants[v].argc; i++) free(lab->variants[v].argv[i]);
    lab->n_variants = 0;
}

int hs_lab_select_variants(hs_lab *lab, const char *csv, char *err,
                           size_t err_size) {
    hs_variant_def keep[HS_MAX_VARIANTS];
    int used[HS_MAX_VARIANTS] = {0}, n = 0;
    const char *p = csv;
    while (*p) {
        size_t len = strcspn(p, ",");
        int found = -1;
        for (int i = 0; i < lab->n_variants; i++)
            if (strlen(lab->variants[i].name) == len &&
                !strncmp(lab->variants[i].name, p, len))
                found = i;
        if (found < 0 || used[found]) {
            char known[512] = "";
            for (int i = 0; i < lab->n_variants; i++) {
                strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
                strncat(known, lab->variants[i].name, sizeof known - strlen(known) - 1);
            }
            fail(err, err_size, "%s variant \"%.*s\" in --variants (lab %s has: %s)",
                 found < 0 ? "unknown" : "repeated", (int)len, p, lab->name, known);
            return -1;
        }
        used[found] = 1;
        keep[n++] = lab->variants[found];
        p += len;
        if (*p == ',') p++;
    }
    if (n == 0) return fail(err, err_size, "--variants names no variant"), -1;
    for (int i = 0; i < lab->n_variants; i++)
        if (!used[i])
            for (int a = 0; a < lab->variants[i].argc; a++) free(lab->variants[i].argv[a]);
    memcpy(lab->variants, keep, sizeof(hs_variant_def) * (size_t)n);
    lab->n_variants = n;
    return 0;
}

int hs_expand(const char *tmpl, const hs_placeholders *p, char *out,
              size_t out_size) {
    size_t len = 0;
    while (*tmpl) {
        char buf[32];
        const char *sub = NULL;
        size_t skip = 1;
        if (*tmpl == '{') {
            if (!strncmp(tmpl, "{bin}", 5)) sub = p->bin, skip = 5;
            else if (!strncmp(tmpl, "{source}", 8)) sub = p->source, skip = 8;
            else if (!strncmp(tmpl, "{weights}", 9)) sub = p->weights, skip = 9;
            else if (!strncmp(tmpl, "{workers}", 9))
                snprintf(buf, sizeof buf, "%ld", p->workers), sub = buf, skip = 9;
            else if (!strncmp(tmpl, "{port}", 6))
                snprintf(buf, sizeof buf, "%d", p->port), sub = buf, skip = 6;
            else if (!strncmp(tmpl, "{threads}", 9))
                snprintf(buf, sizeof buf, "%ld", p->threads), sub = buf, skip = 9;
            else if (!strncmp(tmpl, "{io_delay_ms}", 13))
                snprintf(buf, sizeof buf, "%ld", p->io_delay_ms), sub = buf, skip = 13;
            else if (!strncmp(tmpl, "{detect_blocking_ms}", 20))
                snprintf(buf, sizeof buf, "%ld", p->detect_blocking_ms), sub = buf, skip = 20;
            else
                return -1;
        }
        if (sub) {
            size_t n = strlen(sub);
            if (len + n >= out_size) return -1;
            memcpy(out + len, sub, n);
            len += n;
        } else {
            if (len + 1 >= out_size) return -1;
            out[len++] = *tmpl;
        }
        tmpl += skip;
    }
    out[len] = '\0';
    return 0;
}

int hs_variant_uses_port(const hs_variant_def *v) {
    for (int i = 0; i < v->argc; i++)
        if (strstr(v->argv[i], "{port}")) return 1;
    return 0;
}

void hs_settings_phrase(const hs_load_params *L, unsigned takes, int brief, char *out,
                        size_t size) {
    size_t len = 0;
    out[0] = '\0';
#define APPEND(...)                                                                  \
    do {                                                                             \
        if (len < size) len += (size_t)snprintf(out + len, size - len, __VA_ARGS__); \
    } while (0)
    if (takes & (1u << HS_SWEEP_WORKERS)) {
        if (brief) APPEND(", %ld worker%s", L->workers, L->workers == 1 ? "" : "s");
        else APPEND(", %ld server worker process%s", L->workers, L->workers == 1 ? "" : "es");
    }
    if (takes & (1u << HS_SWEEP_THREADS))
        APPEND(brief ? ", %ld pool threads" : ", %ld pool threads each", L->threads);
    if (takes & (1u << HS_SWEEP_IO_DELAY_MS)) {
        if (!brief) APPEND(", %ld ms extra I/O wait per request", L->io_delay_ms);
        else if (L->io_delay_ms > 0) APPEND(", +%ld ms I/O wait", L->io_delay_ms);
    }
#undef APPEND
}

void hs_lab_settings_phrase(const hs_lab *lab, int brief, char *out, size_t size) {
    unsigned takes = 0;
    static const struct {
        hs_sweep_param p;
        const char *placeholder;
    } ph[] = {{HS_SWEEP_WORKERS, "{workers}"},
              {HS_SWEEP_THREADS, "{threads}"},
              {HS_SWEEP_IO_DELAY_MS, "{io_delay_ms}"}};
    for (size_t i = 0; i < sizeof ph / sizeof ph[0]; i++)
        if (hs_lab_lacking(lab, ph[i].placeholder, NULL, 0) < lab->n_variants)
            takes |= 1u << ph[i].p;
    hs_settings_phrase(&lab->load, takes, brief, out, size);
}

int hs_lab_lacking(const hs_lab *lab, const char *placeholder, char *names,
                   size_t names_size) {
    int lacking = 0;
    if (names && names_size) names[0] = '\0';
    for (int v = 0; v < lab->n_variants; v++) {
        int has = 0;
        for (int i = 0; i < lab->variants[v].argc && !has; i++)
            has = strstr(lab->variants[v].argv[i], placeholder) != NULL;
        if (has) continue;
        if (names && names_size) {
            size_t len = strlen(names);
            snprintf(names + len, names_size - len, "%s%s", lacking ? ", " : "",
                     lab->variants[v].name);
        }
        lacking++;
    }
    return lacking;
}
