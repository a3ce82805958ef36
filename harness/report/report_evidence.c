/* report_evidence.c - summary.md's evidence tables, rendered from facts.json
 * and computing nothing: the server's CPU and the machine's, the bystander
 * probe, the request phases and the kernel's TCP counters. Each table is a
 * template in words.md (evidence.<name>.head, .rule, .row, .caption) whose
 * cells name the facts they show; a figure facts.json holds as null shows
 * as "n/a", with the reason it gives listed under the table. The sentences
 * that explain them are rules over the same facts. */
#include "report/report.h"

#include <cJSON.h>
#include <stdio.h>

void hs_report_evidence(hs_strbuf *b, const hs_report *r) {
    const cJSON *f = r->facts, *v;
    hs_say_ctx c = {.facts = f};
    if (!f) return;
    if (!cJSON_IsTrue(hs_fact_at(f, "evidence.collected"))) {
        hs_say(b, "evidence.off", &c), hs_strbuf_printf(b, "\n");
        return;
    }
    int any = 0;
    cJSON_ArrayForEach(v, hs_fact_variants(f))
        any |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"));
    if (!any) return;
    if (hs_fact(f, "load.rate") > 0) {
        hs_say_heading(b, "heading.open", NULL);
        hs_say_table(b, "evidence.open", f, "open_loop", NULL);
        hs_say_heading(b, "heading.capacity", NULL);
        hs_say_table(b, "evidence.capacity", f, "capacity", NULL);
    }
    hs_say_heading(b, "heading.cpu", NULL);
    hs_say_table(b, "evidence.cpu", f, NULL, NULL);
    if (hs_fact(f, "evidence.probe_rate_per_s") > 0) {
        hs_say_heading(b, "heading.probe", NULL);
        hs_say_table(b, "evidence.probe", f, NULL, NULL);
    } else {
        hs_say(b, "evidence.probe_off", &c), hs_strbuf_printf(b, "\n");
    }
    hs_say_heading(b, "heading.phases", NULL);
    hs_say_table(b, "evidence.phases", f, NULL, NULL);
    hs_say_heading(b, "heading.kernel", NULL);
    hs_say_table(b, "evidence.kernel", f, NULL, NULL);
}
