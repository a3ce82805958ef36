/* latencies.c - reading and writing latencies_<variant>.json. */
#include "load/load.h"

#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LATENCIES_MAX_BYTES (256u * 1024 * 1024)

int hs_latencies_write(const char *path, const hs_sample *s, size_t n) {
    /* "  [1.234567890e-01, 200],\n" is at most ~40 bytes a sample. */
    size_t cap = 8 + n * 48;
    char *buf = malloc(cap);
    if (!buf) return -ENOMEM;
    size_t len = (size_t)snprintf(buf, cap, "[");
    for (size_t i = 0; i < n; i++) {
        /* %.9g keeps nanosecond resolution and stays valid JSON. */
        double v = isfinite(s[i].latency_s) ? s[i].latency_s : 0.0;
        len += (size_t)snprintf(buf + len, cap - len, "%s\n  [%.9g, %d]",
                                i ? "," : "", v, s[i].status);
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s]\n", n ? "\n" : "");
    int rc = hs_write_atomic(path, buf, len);
    free(buf);
    return rc;
}

int hs_latencies_read(const char *path, hs_sample **out, size_t *n, char *err,
                      size_t err_size) {
    char *text;
    int rc = hs_read_file(path, LATENCIES_MAX_BYTES, &text, NULL);
    if (rc) {
        if (err) snprintf(err, err_size, "%s: %s", path, strerror(-rc));
        return rc;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    hs_sample *s = NULL;
    rc = -EINVAL;
    if (!cJSON_IsArray(root)) {
        if (err) snprintf(err, err_size, "%s: not a JSON array", path);
        goto out;
    }
    size_t count = (size_t)cJSON_GetArraySize(root), i = 0;
    s = malloc((count ? count : 1) * sizeof *s);
    if (!s) {
        rc = -ENOMEM;
        goto out;
    }
    const cJSON *pair;
    cJSON_ArrayForEach(pair, root) {
        const cJSON *lat = cJSON_GetArrayItem(pair, 0);
        const cJSON *st = cJSON_GetArrayItem(pair, 1);
        if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 ||
            !cJSON_IsNumber(lat) || !cJSON_IsNumber(st) ||
            !(lat->valuedouble >= 0) || !isfinite(lat->valuedouble) || st->valuedouble < 0 ||
            st->valuedouble > 999 || st->valuedouble != (int)st->valuedouble) {
            if (err)
                snprintf(err, err_size,
                         "%s: entry %zu is not [latency_seconds >= 0, status_code]",
                         path, i);
            goto out;
        }
        s[i].latency_s = lat->valuedouble;
        s[i].status = (int)st->valuedouble;
        i++;
    }
    *out = s;
    *n = count;
    s = NULL;
    rc = 0;
out:
    free(s);
    cJSON_Delete(root);
    return rc;
}
