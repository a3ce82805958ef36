/* test_server_metrics.c - the loop-lag summary of /metrics on known
 * samples: nearest-rank p99, max, and the 10 s window, with the clock
 * readings given rather than taken. */
#include <string.h>

#include "check.h"
#include "internal.h"

#define MS 1000000ull /* nanoseconds */
#define S (1000 * MS)

static srv_metrics m;

/* Records lags first_ms..last_ms, one per 10 ms tick from start_ns on;
 * returns the time of the last. */
static uint64_t record(uint64_t start_ns, int first_ms, int last_ms) {
    uint64_t t = start_ns;
    for (int v = first_ms; v <= last_ms; v++, t += 10 * MS)
        srv_metrics_lag_record(&m, t, (uint64_t)v * MS);
    return t - 10 * MS;
}

static void check_summary(uint64_t now, size_t samples, double max, double p99) {
    srv_lag_summary s;
    srv_metrics_lag_summary(&m, now, &s);
    fprintf(stderr, "samples %zu max %.0f p99 %.0f\n", s.samples, s.max_ms, s.p99_ms);
    CHECK_EQ_INT(s.samples, samples);
    CHECK(s.max_ms == max);
    CHECK(s.p99_ms == p99);
}

int main(void) {
    check_summary(100 * S, 0, 0, 0);

    /* One sample is its own p99. */
    memset(&m, 0, sizeof m);
    uint64_t t = record(100 * S, 7, 7);
    check_summary(t, 1, 7, 7);

    /* 1..100 ms: 99 of the 100 are <= 99 ms, so p99 is 99, not the max. */
    memset(&m, 0, sizeof m);
    t = record(100 * S, 1, 100);
    check_summary(t, 100, 100, 99);
    /* 1..200 ms: the 198th. */
    memset(&m, 0, sizeof m);
    t = record(100 * S, 1, 200);
    check_summary(t, 200, 200, 198);
    /* 1..50 ms: ceil(49.5) = 50th, the max itself. */
    memset(&m, 0, sizeof m);
    t = record(100 * S, 1, 50);
    check_summary(t, 50, 50, 50);

    /* A stall 30 s ago has left the window even though the ring still
     * holds it (a blocked loop ticks rarely); max_ever keeps it. */
    memset(&m, 0, sizeof m);
    srv_metrics_lag_record(&m, 100 * S, 5000 * MS);
    t = record(130 * S, 1, 10);
    check_summary(t, 10, 10, 10);
    CHECK(m.lag_max_ever_ns == 5000 * MS);
    /* 10.05 s after the first of them, only the last five are in the
     * window. */
    check_summary(130 * S + 10050 * MS, 5, 10, 10);

    /* A full ring and more: a window's worth of 10 ms ticks, inclusive. */
    memset(&m, 0, sizeof m);
    t = record(100 * S, 1, 2 * SRV_LAG_SAMPLES);
    check_summary(t, 1001, 2 * SRV_LAG_SAMPLES, 2 * SRV_LAG_SAMPLES - 10);
    return 0;
}
