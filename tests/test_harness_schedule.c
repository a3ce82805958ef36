/* test_harness_schedule.c - the open loop's arrival schedules
 * (harness/load/schedule.c): uniform gaps are constant; Poisson gaps have
 * the rate's mean and variance; the same seed gives the same schedule and
 * another seed another; a rate that is not > 0 is refused. */
#include "check.h"
#include "load/load.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static void test_uniform(void) {
    static double t[N];
    CHECK_EQ_INT(hs_arrivals(250, N, HS_ARRIVALS_UNIFORM, 7, t), 0);
    CHECK(t[0] == 0);
    for (int i = 1; i < N; i++) CHECK(fabs(t[i] - t[i - 1] - 1.0 / 250) < 1e-9);
}

static void test_poisson(void) {
    static double t[N], u[N], w[N];
    double rate = 400;
    CHECK_EQ_INT(hs_arrivals(rate, N, HS_ARRIVALS_POISSON, 42, t), 0);
    double sum = 0, sq = 0;
    for (int i = 1; i < N; i++) {
        double g = t[i] - t[i - 1];
        CHECK(g >= 0);
        sum += g, sq += g * g;
    }
    double mean = sum / (N - 1), var = sq / (N - 1) - mean * mean;
    printf("poisson at %g/s: gap mean %.6f s (1/rate %.6f), variance %.3g (1/rate^2 %.3g)\n",
           rate, mean, 1 / rate, var, 1 / (rate * rate));
    /* N = 20000 exponential gaps: the mean within 3%, the variance within 6% */
    CHECK(fabs(mean * rate - 1) < 0.03);
    CHECK(fabs(var * rate * rate - 1) < 0.06);
    CHECK_EQ_INT(hs_arrivals(rate, N, HS_ARRIVALS_POISSON, 42, u), 0);
    CHECK(memcmp(t, u, sizeof t) == 0);
    CHECK_EQ_INT(hs_arrivals(rate, N, HS_ARRIVALS_POISSON, 43, w), 0);
    CHECK(memcmp(t, w, sizeof t) != 0);
}

static void test_refused(void) {
    double t[4];
    CHECK_EQ_INT(hs_arrivals(0, 4, HS_ARRIVALS_UNIFORM, 1, t), -EINVAL);
    CHECK_EQ_INT(hs_arrivals(-3, 4, HS_ARRIVALS_POISSON, 1, t), -EINVAL);
    CHECK_EQ_INT(hs_arrivals(NAN, 4, HS_ARRIVALS_POISSON, 1, t), -EINVAL);
}

int main(void) {
    test_uniform();
    test_poisson();
    test_refused();
    printf("test_harness_schedule: ok\n");
    return 0;
}
