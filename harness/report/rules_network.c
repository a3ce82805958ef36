/* rules_network.c - what the kernel's TCP counters and the connect phase
 * say: an accept queue that overflowed. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

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
        char counted[160], o[64], s[64];
        /* only the counters that were read, and rose */
        hs_fact_count(over, "listen overflow", "listen overflows", o, sizeof o);
        hs_fact_count(syn, "SYN retransmit", "SYN retransmits", s, sizeof s);
        snprintf(counted, sizeof counted, "%s%s%s", over > 0 ? o : "",
                 over > 0 && syn > 0 ? " and " : "", syn > 0 ? s : "");
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_str(&c, "counted", counted);
        n += hs_say(out, max >= RTO_MS ? "accept_queue.waited"
                         : !isnan(max) ? "accept_queue.elsewhere"
                                       : "accept_queue.unmeasured", &c);
    }
    return n;
}
