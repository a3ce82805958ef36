/* rules_capacity.c - an open loop's prediction set beside its measurement:
 * whether the offered rate was within the capacity measured before the
 * load (capacity.c), and whether the variant then kept up with it. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

/* One finding per measured variant with a capacity object. Kept up means
 * answered at least HS_SWEEP_KEPT_UP of the offered rate with HTTP 200, as
 * a rate sweep's knee counts served requests.
 * A prediction that held says so briefly; one that missed sets what the
 * load measured (cores busy, CPU per request) beside what the prediction
 * was made from, since the difference is where it went wrong. Needs
 * capacity.{predicted_rps,offered_rps,utilisation,service_ms,burst.*,
 * achieved_ok_rps} and server.cpu_cores_used, server.cpu_ms_per_request. */
int hs_rule_capacity_prediction(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        /* measured is enough: a server that refuses what it cannot serve
         * is the case in point, and its refusals are not counted served */
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) ||
            !cJSON_IsObject(hs_fact_at(v, "capacity")))
            continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        double predicted = hs_fact(v, "capacity.predicted_rps");
        double offered = hs_fact(v, "capacity.offered_rps");
        double achieved = hs_fact(v, "capacity.achieved_ok_rps");
        if (!isfinite(predicted)) {
            n += hs_say(out, "capacity_prediction.none", &c);
            continue;
        }
        if (!isfinite(offered) || !isfinite(achieved)) continue;
        int stable = offered < predicted;
        int kept = achieved >= HS_SWEEP_KEPT_UP * offered;
        hs_say_num(&c, "kept_percent", 100 * achieved / offered);
        n += hs_say(out,
                    stable && kept    ? "capacity_prediction.held_stable"
                    : !stable && !kept ? "capacity_prediction.held_overloaded"
                    : stable           ? "capacity_prediction.missed_behind"
                                       : "capacity_prediction.missed_kept",
                    &c);
    }
    return n;
}
