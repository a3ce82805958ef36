/* rules_network.c - what the kernel's TCP counters and the connect phase
 * say: an accept queue that overflowed. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

/* Fires for a variant during whose load listen overflows or SYN
 * retransmits rose. A dropped SYN is sent again after 1 s (Linux's initial
 * retransmission timeout), so when the connect phase's tail reached about
 * that (RTO_MS) the rule gives it as the overflow's cost; when it did not,
 * the counters rose for someone else's connections (they count the whole
 * network namespace) and the rule says that instead. Needs
 * kernel.listen_overflows, kernel.syn_retransmits and
 * phases_ms.connect.{p99,max}. */
#define RTO_MS 900.0
int hs_rule_accept_queue(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        double over = hs_fact(v, "kernel.listen_overflows");
        double syn = hs_fact(v, "kernel.syn_retransmits");
        if (!(over > 0) && !(syn > 0)) continue;
        double p99 = hs_fact(v, "phases_ms.connect.p99"), max = hs_fact(v, "phases_ms.connect.max");
        char counted[160] = "", o[64], s[64], p[32], m[32];
        /* only the counters that were read, and rose */
        hs_fact_count(over, "listen overflow", "listen overflows", o, sizeof o);
        hs_fact_count(syn, "SYN retransmit", "SYN retransmits", s, sizeof s);
        snprintf(counted, sizeof counted, "%s%s%s", over > 0 ? o : "",
                 over > 0 && syn > 0 ? " and " : "", syn > 0 ? s : "");
        hs_fact_format(p99, p, sizeof p), hs_fact_format(max, m, sizeof m);
        if (max >= RTO_MS)
            hs_strbuf_printf(out,
                "- **%s's accept queue overflowed.** The kernel counted %s during its load: "
                "connections arrived faster than the server accepted them, the full queue "
                "dropped their SYNs, and each such client waited about 1 s to send its SYN "
                "again. The connect phase shows it: p99 %s ms, max %s ms.\n",
                v->string, counted, p, m);
        else if (!isnan(max))
            hs_strbuf_printf(out,
                "- %s: the kernel counted %s during its load, but none of this run's "
                "connections waited for a retransmit (connect max %s ms); these counters "
                "cover the whole machine's loopback, so another program's connections "
                "overflowed.\n", v->string, counted, m);
        else
            hs_strbuf_printf(out,
                "- %s: the kernel counted %s during its load; the connect phase was not "
                "measured, so whether this run's connections waited for it is not known.\n",
                v->string, counted);
        n++;
    }
    return n;
}
