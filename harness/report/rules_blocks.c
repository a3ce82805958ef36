/* rules_blocks.c - what a server's own block detector reported (facts'
 * variants.<name>.blocks), for servers that have one. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* "once", or "N times" in buf. */
static const char *times(double n, char *buf) {
    if (n == 1) return "once";
    size_t len = strlen(buf);
    snprintf(buf + len, 32 - len, " times");
    return buf;
}

/* " for N ms or more", or "" when the threshold is not known. */
static void at_least(double th, char *buf, size_t size) {
    char t[32];
    hs_fact_format(th, t, sizeof t);
    if (isnan(th)) buf[0] = '\0';
    else snprintf(buf, size, " for %s ms or more", t);
}

/* Fires for a variant whose detector counted blocks: how many, how long,
 * and where the stack most often was; and for one whose loop only ever
 * waited for a core (starvation), which is the scheduler's doing. Needs
 * blocks.{blocks,blocked_ms,longest_ms,starved,starved_ms,top_blocked_in}. */
int hs_rule_loop_blocks(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "blocks");
        double blocks = hs_fact(b, "blocks"), ms = hs_fact(b, "blocked_ms");
        double starved = hs_fact(b, "starved"), sms = hs_fact(b, "starved_ms");
        const cJSON *where = cJSON_GetObjectItemCaseSensitive(b, "top_blocked_in");
        char a[32], t[32], l[32], th[48];
        at_least(hs_fact(b, "threshold_ms"), th, sizeof th);
        if (blocks > 0) {
            hs_fact_format(blocks, a, sizeof a), hs_fact_format(ms, t, sizeof t);
            hs_fact_format(hs_fact(b, "longest_ms"), l, sizeof l);
            hs_strbuf_printf(out, "- **%s's event loop was blocked** %s%s, %s ms in all (the "
                                  "longest %s ms), by its own detector",
                             v->string, times(blocks, a), th, t, l);
            if (cJSON_IsString(where))
                hs_strbuf_printf(out, "; mostly in `%s`", where->valuestring);
            hs_strbuf_printf(out, ".\n");
            n++;
        } else if (blocks == 0 && starved > 0) {
            hs_fact_format(starved, a, sizeof a), hs_fact_format(sms, t, sizeof t);
            hs_strbuf_printf(out, "- %s's event loop was never blocked by work of its own: "
                                  "%s (%s ms) its thread was ready to run but waited%s for a "
                                  "core that other threads held (starvation, which the "
                                  "detector does not count as a block).\n",
                             v->string, times(starved, a), t, th);
            n++;
        }
    }
    return n;
}
