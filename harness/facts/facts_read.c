/* facts_read.c - reading facts.json's object back: a figure by its dotted
 * path, and which variants are fit to compare. The rules, the tables and
 * the sweep all read facts through these. */
#include "facts/facts.h"

#include <cJSON.h>
#include <math.h>
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

int hs_fact_same_settings(const cJSON *a, const cJSON *b) {
    static const char *keys[] = {"settings.threads", "settings.workers", "settings.io_delay_ms"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        double x = hs_fact(a, keys[i]), y = hs_fact(b, keys[i]);
        if (isnan(x) != isnan(y) || (!isnan(x) && x != y)) return 0;
    }
    return 1;
}

int hs_fact_group_first(const cJSON *facts, const cJSON *v) {
    const cJSON *w;
    cJSON_ArrayForEach(w, hs_fact_variants(facts)) {
        if (w == v) return 1;
        if (hs_fact_comparable(w) && hs_fact_same_settings(w, v)) return 0;
    }
    return 1;
}
