/* rules_network.c - what the kernel's TCP counters and the connect phase
 * say: an accept queue that overflowed. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

/* Fires when listen overflows or SYN retransmits rose during a variant's
 * load; which words depends on whether its connects waited for a resend.
 * Needs kernel.{listen_overflows,syn_retransmits}, phases_ms.connect.max. */
#define RTO_MS 900.0 /* a dropped SYN is resent after 1 s (Linux's initial RTO) */
int hs_rule_accept_queue(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        double over = hs_fact(v, "kernel.listen_overflows");
        double syn = hs_fact(v, "kernel.syn_retransmits"), max = hs_fact(v, "phases_ms.connect.max");
        if (!(over > 0) && !(syn > 0)) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        /* only the counters that were read, and rose */
        hs_say_count(&c, "overflows", over, "accept_queue.overflows");
        hs_say_count(&c, "syns", syn, "accept_queue.syns");
        hs_say_sub(&c, "counted", over > 0 && syn > 0 ? "accept_queue.counted.both"
                                  : over > 0          ? "accept_queue.counted.overflows"
                                                      : "accept_queue.counted.syns",
                   NULL);
        n += hs_say(out, max >= RTO_MS ? "accept_queue.waited"
                         : !isnan(max) ? "accept_queue.elsewhere"
                                       : "accept_queue.unmeasured", &c);
    }
    return n;
}
