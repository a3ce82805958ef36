/* schedule.c - when an open loop sends each request: the arrival times,
 * fixed before the load starts so that a slow server cannot move them
 * (wrk2's fix for coordinated omission). Uniform arrivals are evenly
 * spaced; Poisson arrivals have exponential gaps, from a seeded generator
 * so that a run can be repeated exactly. */
#include "load/load.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

int hs_arrivals(double rate, long n, hs_arrival_kind kind, uint64_t seed, double *offsets) {
    if (!(rate > 0) || !isfinite(rate) || n < 0) return -EINVAL;
    uint64_t s = seed;
    double t = 0;
    for (long i = 0; i < n; i++) {
        if (kind == HS_ARRIVALS_UNIFORM) {
            offsets[i] = (double)i / rate;
            continue;
        }
        /* a uniform in (0, 1], then an exponential gap of mean 1 / rate */
        double u = ((double)(hs_splitmix64(&s) >> 11) + 1.0) / 9007199254740992.0;
        offsets[i] = t;
        t += -log(u) / rate;
    }
    return 0;
}
