/* rules.c - the registry of rules and what they share: reading a figure,
 * choosing the variants fit to compare, and the lab background's template. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const hs_rule hs_rules[] = {
    {"blocked_loop", hs_rule_blocked_loop},
    {"probe_cpu_wait", hs_rule_probe_cpu_wait},
    {"serialized_work", hs_rule_serialized_work},
    {"cpu_bound", hs_rule_cpu_bound},
    {"setting_change", hs_rule_setting_change},
    {"wait_held", hs_rule_wait_held},
    {"uneven_spread", hs_rule_uneven_spread},
    {"accept_queue", hs_rule_accept_queue},
    {"loop_blocks", hs_rule_loop_blocks},
    {"littles_law", hs_rule_littles_law},
    {"capacity_prediction", hs_rule_capacity_prediction},
    {"open_loop_sends", hs_rule_open_loop_sends},
    {"loadgen_busy", hs_rule_loadgen_busy},
    {"busy_machine", hs_rule_busy_machine},
    {"short_load", hs_rule_short_load},
};
const int hs_n_rules = (int)(sizeof hs_rules / sizeof hs_rules[0]);

int hs_rules_run(const cJSON *facts, hs_strbuf *out) { return hs_rules_run_only(facts, NULL, out); }

int hs_rules_run_only(const cJSON *facts, const char *only, hs_strbuf *out) {
    int n = 0;
    for (int i = 0; i < hs_n_rules; i++) {
        if (only && strcmp(only, hs_rules[i].name)) continue;
        hs_strbuf one;
        hs_strbuf_init(&one, 512);
        n += hs_rules[i].fn(facts, &one);
        for (const char *p = one.ok && one.len ? one.s : ""; *p;) {
            size_t len = strcspn(p, "\n");
            hs_strbuf_printf(out, "%.*s", (int)len, p);
            if (!strncmp(p, "- ", 2)) hs_strbuf_printf(out, " <!-- rule: %s -->", hs_rules[i].name);
            hs_strbuf_printf(out, "\n");
            p += len + (p[len] == '\n');
        }
        hs_strbuf_free(&one);
    }
    return n;
}

void hs_fact_format(double v, char *buf, size_t size) {
    double a = fabs(v);
    if (isnan(v)) snprintf(buf, size, "unknown");
    else if (a >= 100 || v == floor(v)) snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);
    else if (a >= 10) snprintf(buf, size, "%.1f", v);
    else snprintf(buf, size, "%.2f", v);
}

void hs_fact_format2(double v, char *buf, size_t size) {
    if (isnan(v)) snprintf(buf, size, "unknown");
    else snprintf(buf, size, "%.2f", v == 0 ? 0.0 : v); /* no "-0.00" */
    if (!strcmp(buf, "-0.00")) snprintf(buf, size, "0.00");
}


