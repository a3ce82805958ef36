/* evidence_files.c - phases_<variant>.json and probe_<variant>.json. */
#include "evidence/evidence.h"

#include "common/files.h"
#include "common/strbuf.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

static double or_zero(double v) { return isfinite(v) ? v : 0.0; }

int hs_open_write(const char *path, const double *service_s, const double *lag_s, size_t n) {
    hs_strbuf b;
    hs_strbuf_init(&b, 64 + n * 40);
    hs_strbuf_printf(&b, "{\"columns\": [\"service_s\", \"send_lag_s\"],\n \"rows\": [");
    for (size_t i = 0; i < n; i++)
        hs_strbuf_printf(&b, "%s\n  [%.9g, %.9g]", i ? "," : "", or_zero(service_s[i]),
                         or_zero(lag_s[i]));
    hs_strbuf_printf(&b, "%s]}\n", n ? "\n " : "");
    int rc = b.ok ? hs_write_atomic(path, b.s, b.len) : -ENOMEM;
    hs_strbuf_free(&b);
    return rc;
}

int hs_phases_write(const char *path, const hs_phase *p, size_t n) {
    hs_strbuf b;
    hs_strbuf_init(&b, 64 + n * 64);
    hs_strbuf_printf(&b, "{\"columns\": [\"connect_s\", \"ttfb_s\", \"total_s\", "
                         "\"new_connections\"],\n \"rows\": [");
    for (size_t i = 0; i < n; i++)
        hs_strbuf_printf(&b, "%s\n  [%.9g, %.9g, %.9g, %d]", i ? "," : "",
                         or_zero(p[i].connect_s), or_zero(p[i].ttfb_s), or_zero(p[i].total_s),
                         p[i].new_connections);
    hs_strbuf_printf(&b, "%s]}\n", n ? "\n " : "");
    int rc = b.ok ? hs_write_atomic(path, b.s, b.len) : -ENOMEM;
    hs_strbuf_free(&b);
    return rc;
}

static void samples(hs_strbuf *b, const char *key, const hs_probe *p) {
    hs_strbuf_printf(b, ",\n \"%s\": [", key);
    for (size_t i = 0; p && i < p->n; i++)
        hs_strbuf_printf(b, "%s[%.9g, %d]", i ? ", " : "", or_zero(p->samples[i].latency_s),
                         p->samples[i].status);
    hs_strbuf_printf(b, "]");
}

int hs_probe_write(const char *path, const char *probe_path, double rate,
                   const hs_probe *unloaded, const hs_probe *loaded) {
    hs_strbuf b;
    hs_strbuf_init(&b, 4096);
    cJSON *s = cJSON_CreateString(probe_path);
    char *quoted = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    hs_strbuf_printf(&b, "{\"path\": %s, \"rate_per_s\": %g", quoted ? quoted : "null", rate);
    cJSON_free(quoted);
    samples(&b, "unloaded", unloaded);
    samples(&b, "loaded", loaded);
    hs_strbuf_printf(&b, "}\n");
    int rc = b.ok ? hs_write_atomic(path, b.s, b.len) : -ENOMEM;
    hs_strbuf_free(&b);
    return rc;
}
