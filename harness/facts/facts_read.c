/* facts_read.c - reading facts.json's object back: a figure by its dotted
 * path, and which variants are fit to compare. The rules, the tables and
 * the sweep all read facts through these. */
#include "facts/facts.h"

#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const cJSON *hs_fact_at(const cJSON *obj, const char *path) {
    char key[128];
    const cJSON *o = obj;
    for (const char *p = path; o && *p;) {
        size_t len = strcspn(p, ".");
        if (len >= sizeof key) return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        p += len + (p[len] == '.');
    }
    return o;
}

double hs_fact(const cJSON *obj, const char *path) {
    const cJSON *o = hs_fact_at(obj, path);
    return cJSON_IsNumber(o) && isfinite(o->valuedouble) ? o->valuedouble : NAN;
}

const cJSON *hs_fact_variants(const cJSON *facts) {
    return cJSON_GetObjectItemCaseSensitive(facts, "variants");
}

int hs_fact_comparable(const cJSON *v) {
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) &&
           hs_fact(v, "ok_percent") >= HS_FACTS_MIN_OK_PERCENT &&
           hs_fact(v, "requests") >= HS_FACTS_MIN_REQUESTS;
}

const char *const hs_fact_setting_names[HS_FACT_N_SETTINGS] = {"threads", "workers",
                                                               "io_delay_ms"};

double hs_fact_setting(const cJSON *v, int k) {
    char path[64];
    snprintf(path, sizeof path, "settings.%s", hs_fact_setting_names[k]);
    return hs_fact(v, path);
}

int hs_fact_same_settings(const cJSON *a, const cJSON *b) {
    for (int k = 0; k < HS_FACT_N_SETTINGS; k++) {
        double x = hs_fact_setting(a, k), y = hs_fact_setting(b, k);
        if (isnan(x) != isnan(y) || (!isnan(x) && x != y)) return 0;
    }
    return 1;
}

int hs_fact_one_setting_apart(const cJSON *a, const cJSON *b) {
    const cJSON *na = hs_fact_at(a, "settings.variant"), *nb = hs_fact_at(b, "settings.variant");
    if (a == b || !cJSON_IsString(na) || !cJSON_IsString(nb) ||
        strcmp(na->valuestring, nb->valuestring))
        return -1;
    int apart = -1;
    for (int k = 0; k < HS_FACT_N_SETTINGS; k++) {
        double x = hs_fact_setting(a, k), y = hs_fact_setting(b, k);
        if ((isnan(x) && isnan(y)) || x == y) continue;
        if (isnan(x) || isnan(y) || apart >= 0) return -1;
        apart = k;
    }
    return apart;
}

int hs_fact_cpu(const cJSON *v, double *cores, double *ms) {
    *cores = hs_fact(v, "server.cpu_cores_used");
    *ms = hs_fact(v, "server.cpu_ms_per_request");
    return hs_fact_comparable(v) && !isnan(*cores) && !isnan(*ms) && *ms > 0 &&
           hs_fact(v, "server.window_s") >= HS_FACTS_MIN_WINDOW_S;
}

int hs_fact_group_first(const cJSON *facts, const cJSON *v) {
    const cJSON *w;
    cJSON_ArrayForEach(w, hs_fact_variants(facts)) {
        if (w == v) return 1;
        if (hs_fact_comparable(w) && hs_fact_same_settings(w, v)) return 0;
    }
    return 1;
}

cJSON *hs_facts_read(const char *dir, int *rc, char *err, size_t err_size) {
    char path[4200], *text = NULL;
    snprintf(path, sizeof path, "%s/facts.json", dir);
    *rc = hs_read_file(path, 64 << 20, &text, NULL);
    if (*rc) {
        snprintf(err, err_size, "%s: %s", path, strerror(-*rc));
        return NULL;
    }
    cJSON *f = cJSON_Parse(text);
    free(text);
    if (!f) {
        snprintf(err, err_size, "%s: not valid JSON (cut short?); delete it and `harness check` "
                                "judges from the latencies files", path);
        *rc = -EINVAL;
        return NULL;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(f, "facts_format");
    if (!cJSON_IsObject(f) || !cJSON_IsNumber(fmt) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(f, "variants"))) {
        snprintf(err, err_size, "%s: not a facts file (no facts_format and variants)", path);
        cJSON_Delete(f);
        *rc = -EINVAL;
        return NULL;
    }
    if (fmt->valuedouble != HS_FACTS_FORMAT) {
        snprintf(err, err_size, "%s: facts_format %g, this harness reads %d", path,
                 fmt->valuedouble, HS_FACTS_FORMAT);
        cJSON_Delete(f);
        *rc = -EINVAL;
        return NULL;
    }
    *rc = 0;
    return f;
}

cJSON *hs_json_read(const char *dir, const char *name) {
    char path[4400], *text = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (hs_read_file(path, 256u << 20, &text, NULL)) return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}
