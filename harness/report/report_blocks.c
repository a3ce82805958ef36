/* report_blocks.c - summary.md's table of event-loop blocks, from what each
 * variant's servers said at GET /debug/blocks (facts' variants.<v>.blocks),
 * and one block as the worst of them reported it, in its own words. What
 * the blocks mean is a rule's (rules_blocks.c). */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

static const cJSON *sub(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

void hs_report_blocks(hs_strbuf *b, const hs_report *r) {
    const cJSON *vars = sub(r->facts, "variants"), *v, *worst = NULL;
    double threshold = NAN;
    cJSON_ArrayForEach(v, vars) {
        const cJSON *k = sub(v, "blocks");
        if (!cJSON_IsObject(k)) continue;
        if (isnan(threshold)) threshold = hs_fact(k, "threshold_ms");
        if (hs_fact(k, "blocks") > 0 &&
            (!worst || hs_fact(k, "blocked_ms") > hs_fact(sub(worst, "blocks"), "blocked_ms")))
            worst = v;
    }
    int any = 0;
    cJSON_ArrayForEach(v, vars) any |= cJSON_IsObject(sub(v, "blocks"));
    if (!any) return;
    hs_say_ctx c = {.facts = r->facts, .v = worst};
    hs_say_num(&c, "threshold", threshold);
    hs_say_heading(b, "heading.blocks", NULL);
    hs_say_table(b, "blocks", r->facts, "blocks", &c);
    const cJSON *report = sub(sub(worst, "blocks"), "top_report");
    if (cJSON_IsString(report)) {
        hs_say(b, "blocks.example", &c);
        hs_strbuf_printf(b, "\n```\n%s```\n\n", report->valuestring);
    }
}
