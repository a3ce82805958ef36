/* facts_read.c - reading facts.json's object back: a figure by its dotted
 * path, and which variants are fit to compare. The rules, the tables and
 * the sweep all read facts through these. */
#include "facts/facts.h"

#include <cJSON.h>
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
