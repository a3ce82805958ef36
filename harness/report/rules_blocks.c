/* rules_blocks.c - what a server's own block detector reported (facts'
 * variants.<name>.blocks), for servers that have one. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

/* Fires when a variant's own detector counted blocks, or only starvation
 * (its loop waiting for a core, the scheduler's doing). Needs
 * blocks.{blocks,blocked_ms,longest_ms,starved,starved_ms,top_blocked_in}. */
int hs_rule_loop_blocks(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double blocks = hs_fact(v, "blocks.blocks"), starved = hs_fact(v, "blocks.starved");
        if (!(blocks > 0) && !(blocks == 0 && starved > 0)) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_count(&c, "times", blocks > 0 ? blocks : starved, "loop_blocks.times");
        /* The first value of a name counts: "" only where none was set. */
        if (!isnan(hs_fact(v, "blocks.threshold_ms")))
            hs_say_sub(&c, "at_least", "loop_blocks.at_least", NULL);
        if (cJSON_IsString(hs_fact_at(v, "blocks.top_blocked_in")))
            hs_say_sub(&c, "where", "loop_blocks.where", NULL);
        hs_say_str(&c, "where", ""), hs_say_str(&c, "at_least", "");
        n += hs_say(out, blocks > 0 ? "loop_blocks.blocked" : "loop_blocks.starved", &c);
    }
    return n;
}
