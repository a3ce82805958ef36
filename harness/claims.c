/* claims.c - the text of lab 01's stretch claims, computed from the
 * numbers (claims.h): what both sections share, and the choice between
 * them. The I/O-wait claim is in claims_io.c, the workers note in
 * claims_workers.c. Every ratio and bound printed is arithmetic on the
 * inputs; nothing is tuned, and a verdict is given only when the run could
 * have shown it. */
#include "claims_internal.h"

#include <stdio.h>
#include <string.h>

const hs_claims_variant *hs_claims__find(const hs_claims *c, const char *kind) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].kind, kind)) return &c->v[i];
    return NULL;
}

int hs_claims_low_ok(const hs_summary *m) {
    return m && m->ok_percent < HS_CLAIMS_MIN_OK_PERCENT;
}

int hs_claims__both(const hs_claims_variant *v) {
    return v && v->a && v->b && !hs_claims_low_ok(v->a) && !hs_claims_low_ok(v->b);
}

void hs_claims_ms(hs_strbuf *b, double seconds) {
    double v = seconds * 1e3;
    hs_strbuf_printf(b, v < 10 ? "%.2f" : "%.1f", v);
}

/* "sync", or "sync_io0 → sync_io50" when the names differ; numbers with
 * too few HTTP 200 are marked as not compared. */
static void row_name(hs_strbuf *b, const hs_claims *c, const hs_claims_variant *v,
                     const char *unit) {
    if (!strcmp(v->name_a, v->name_b)) hs_strbuf_printf(b, "| %s", v->name_a);
    else hs_strbuf_printf(b, "| %s → %s", v->name_a, v->name_b);
    const hs_summary *side[2] = {v->a, v->b};
    const long value[2] = {c->value_a, c->value_b};
    int marked = 0;
    for (int k = 0; k < 2; k++)
        if (hs_claims_low_ok(side[k]))
            hs_strbuf_printf(b, "%s%.1f%% HTTP 200 at %ld%s", marked++ ? ", " : " (not compared: ",
                             side[k]->ok_percent, value[k], unit);
    hs_strbuf_printf(b, "%s |", marked ? ")" : "");
}

/* One row per variant: requests/s, p50 and p95 at both settings, ratios,
 * and memory when known. */
void hs_claims__table(hs_strbuf *b, const hs_claims *c, const char *unit, int memory) {
    hs_strbuf_printf(b, "| variant | requests/s at %ld → %ld%s | ratio | p50 (ms) | p95 (ms) | "
                        "p95 ratio |%s\n| --- | ---: | ---: | ---: | ---: | ---: |%s\n",
                     c->value_a, c->value_b, unit, memory ? " memory (MiB) |" : "",
                     memory ? " ---: |" : "");
    for (int i = 0; i < c->n; i++) {
        const hs_claims_variant *v = &c->v[i];
        row_name(b, c, v, unit);
        if (!v->a || !v->b) {
            if (!v->a && !v->b)
                hs_strbuf_printf(b, " not measured completely at either");
            else
                hs_strbuf_printf(b, " not measured completely at %ld%s",
                                 v->a ? c->value_b : c->value_a, unit);
            hs_strbuf_printf(b, " | - | - | - | - |%s\n", memory ? " - |" : "");
            continue;
        }
        const hs_summary *x = v->a, *y = v->b;
        hs_strbuf_printf(b, " %.1f → %.1f | ×%.2f | ", x->rps, y->rps, y->rps / x->rps);
        hs_claims_ms(b, x->p50_s), hs_strbuf_printf(b, " → "), hs_claims_ms(b, y->p50_s);
        hs_strbuf_printf(b, " | ");
        hs_claims_ms(b, x->p95_s), hs_strbuf_printf(b, " → "), hs_claims_ms(b, y->p95_s);
        hs_strbuf_printf(b, " | ×%.2f |", y->p95_s / x->p95_s);
        if (memory && v->rss_kib_a > 0 && v->rss_kib_b > 0)
            hs_strbuf_printf(b, " %.1f → %.1f |", v->rss_kib_a / 1024.0, v->rss_kib_b / 1024.0);
        else if (memory)
            hs_strbuf_printf(b, " - |");
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\n");
}

/* Lists the settings whose HTTP 200 share is below 100% and, with low,
 * below HS_CLAIMS_MIN_OK_PERCENT, else at or above it; the list begins
 * with lead. b NULL: only counts them. Returns how many. */
static int list_ok(hs_strbuf *b, const hs_claims *c, int low, const char *lead) {
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const hs_claims_variant *v = &c->v[i];
        const hs_summary *side[2] = {v->a, v->b};
        const char *name[2] = {v->name_a, v->name_b};
        const long value[2] = {c->value_a, c->value_b};
        int same_name = !strcmp(v->name_a, v->name_b); /* a sweep's: say the setting */
        for (int k = 0; k < 2; k++) {
            if (!side[k] || side[k]->ok_percent >= 100 || hs_claims_low_ok(side[k]) != low)
                continue;
            if (b && same_name)
                hs_strbuf_printf(b, "%s%s at %ld%s (%.1f%%)", n ? ", " : lead, name[k], value[k],
                                 c->param == HS_CLAIMS_IO_DELAY ? " ms" : " workers",
                                 side[k]->ok_percent);
            else if (b)
                hs_strbuf_printf(b, "%s%s (%.1f%%)", n ? ", " : lead, name[k],
                                 side[k]->ok_percent);
            n++;
        }
    }
    return n;
}

/* Names the settings where not every request got HTTP 200: below lab 01's
 * criterion they are not compared; above it their failed requests are in
 * the percentiles and requests/s, as in the run's table. */
void hs_claims__failures_note(hs_strbuf *b, const hs_claims *c) {
    int some = list_ok(NULL, c, 0, "");
    char lead[96];
    snprintf(lead, sizeof lead, "Fewer than %g%% of requests got HTTP 200 for ",
             HS_CLAIMS_MIN_OK_PERCENT);
    if (list_ok(b, c, 1, lead))
        hs_strbuf_printf(b, ", below lab 01's success criterion, so those numbers are shown "
                            "but not compared.%s", some ? " " : "\n\n");
    if (list_ok(b, c, 0, "Not every request got HTTP 200 for "))
        hs_strbuf_printf(b, "; their failed requests count in the percentiles and requests/s "
                            "above, as in the run's own table.\n\n");
}

void hs_claims_write(hs_strbuf *b, const hs_claims *c) {
    if (c->n == 0 || c->value_a >= c->value_b) return;
    if (c->param == HS_CLAIMS_IO_DELAY) hs_claims__io_section(b, c);
    else hs_claims__workers_section(b, c);
}
