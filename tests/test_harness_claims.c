/* test_harness_claims.c - lab 01's stretch claims from known numbers: the
 * I/O-wait verdict in each case (held, did not hold, mixed either way,
 * not tested because the clients never outnumber the pool, not judged for
 * lack of numbers), the bounds it prints, the workers note with more and
 * with fewer workers than cores; and which variants of the real lab files
 * pair up by their commands. */
#include "check.h"
#include "claims.h"

#include <cJSON.h>

static hs_strbuf md_buf; /* the last section written */

/* rps, p95 in ms; p50 is p95 / 2. */
static hs_summary sum(double rps, double p95_ms) {
    return (hs_summary){.requests = 500, .ok = 500, .ok_percent = 100, .p50_s = p95_ms / 2e3,
                        .p95_s = p95_ms / 1e3, .p99_s = p95_ms / 1e3, .max_s = p95_ms / 1e3,
                        .wall_s = 500 / rps, .rps = rps};
}

static const char *write(const hs_claims *c) {
    hs_strbuf_free(&md_buf);
    hs_strbuf_init(&md_buf, 4096);
    hs_claims_write(&md_buf, c);
    CHECK(md_buf.ok);
    return md_buf.len ? md_buf.s : "";
}

static void expect(const char *md, const char *want) {
    if (!strstr(md, want)) fprintf(stderr, "missing \"%s\" in:\n%s\n", want, md);
    CHECK(strstr(md, want) != NULL);
}

static void expect_not(const char *md, const char *unwanted) {
    if (strstr(md, unwanted)) fprintf(stderr, "unexpected \"%s\" in:\n%s\n", unwanted, md);
    CHECK(strstr(md, unwanted) == NULL);
}

/* sync, async_blocking, async_tothread at 0 and 50 ms: a[k], b[k]. */
static hs_claims io_claims(long concurrency, long threads, const hs_summary a[3],
                           const hs_summary b[3]) {
    static const char *kinds[] = {"sync", "async_blocking", "async_tothread"};
    static const char *na[] = {"sync_io0", "async_blocking_io0", "async_tothread_io0"};
    static const char *nb[] = {"sync_io50", "async_blocking_io50", "async_tothread_io50"};
    hs_claims c = {.param = HS_CLAIMS_IO_DELAY, .value_a = 0, .value_b = 50,
                   .concurrency = concurrency, .threads = threads, .workers = 1,
                   .io_delay_ms = -1, .cores = 2, .miniserve = 1};
    for (int k = 0; k < 3; k++)
        c.v[c.n++] = (hs_claims_variant){kinds[k], na[k], nb[k], &a[k], &b[k], 0, 0, 1, 1};
    return c;
}

static void test_io_verdicts(void) {
    const hs_summary at0[3] = {sum(2000, 50), sum(1000, 60), sum(1900, 48)};

    /* sync falls to its pool bound, async_tothread barely moves. */
    const hs_summary held[3] = {sum(780, 140), sum(19.5, 5200), sum(1500, 80)};
    hs_claims c = io_claims(100, 40, at0, held);
    const char *md = write(&c);
    expect(md, "## The I/O-wait claim: 0 vs 50 ms");
    expect(md, "**Verdict: the claim held.**");
    expect(md, "went ×0.39 (2000.0 → 780.0) against async_tothread's ×0.79 (1900.0 → 1500.0)");
    expect(md, "its p95 went ×2.80 (50.0 → 140.0 ms) against ×1.67 (48.0 → 80.0 ms)");
    expect(md, "| sync_io0 → sync_io50 | 2000.0 → 780.0 | ×0.39 | 25.0 → 70.0 | 50.0 → 140.0 | ×2.80 |");
    expect(md, "40 × 1000 / 50 = 800 requests/s");
    expect(md, "100 clients were in flight against 40 threads, so it bites clearly: sync's limit is ×2.50 below");
    expect(md, "100 × 1000 / 50 = 2000 requests/s");
    expect(md, "With half the clients (50) it would be crossed only barely: 800 vs 1000");
    expect(md, "1 × 1000 / 50 = 20 requests/s. Measured 1000.0 → 19.5 requests/s (×0.02)");
    expect(md, "it served 1900.0 requests/s at 0 ms");
    expect(md, "Measured: 780.0 requests/s, ×0.97 of that limit (800).");
    expect(md, "Measured: 1500.0 requests/s, ×0.79 of the lower of the two (1900).");
    expect_not(md, "margin");
    expect_not(md, "Not every request got HTTP 200");
    expect_not(md, "not compared");

    /* Failed requests are named, not hidden. */
    hs_summary some_failed[3] = {held[0], held[1], held[2]};
    some_failed[1].ok_percent = 99.5;
    c = io_claims(100, 40, at0, some_failed);
    md = write(&c);
    expect(md, "Not every request got HTTP 200 for async_blocking_io50 (99.5%); their failed "
               "requests count in the percentiles");
    expect(md, "**Verdict: the claim held.**");

    /* Below lab 01's 99% criterion the numbers are shown, never compared:
     * no verdict rests on a server that mostly failed. */
    some_failed[0].ok_percent = 90;
    c = io_claims(100, 40, at0, some_failed);
    md = write(&c);
    expect(md, "Fewer than 99% of requests got HTTP 200 for sync_io50 (90.0%), below lab 01's "
               "success criterion, so those numbers are shown but not compared.");
    expect(md, "| sync_io0 → sync_io50 (not compared: 90.0% HTTP 200 at 50 ms) | 2000.0 → 780.0 |");
    expect(md, "**Verdict: not judged.** It needs complete numbers with at least 99% HTTP 200");
    expect(md, "sync got HTTP 200 for only 90.0% of its requests at 50 ms.");
    expect_not(md, "claim held");
    /* A sweep pairs a variant with itself: the note says at which setting. */
    c.v[0].name_a = c.v[0].name_b = "sync";
    md = write(&c);
    expect(md, "Fewer than 99% of requests got HTTP 200 for sync at 50 ms (90.0%)");

    /* The opposite: async_tothread degrades more on both counts. */
    const hs_summary not_held[3] = {sum(1800, 55), sum(19.5, 5200), sum(900, 140)};
    c = io_claims(100, 40, at0, not_held);
    md = write(&c);
    expect(md, "**Verdict: the claim did not hold.**");
    expect_not(md, "claim held");

    /* Mixed, each way round. */
    const hs_summary rps_only[3] = {sum(780, 60), sum(19.5, 5200), sum(1500, 80)};
    c = io_claims(100, 40, at0, rps_only);
    md = write(&c);
    expect(md, "**Verdict: the claim held on requests/s, not on p95.** sync's requests/s went");
    expect(md, ", the lower ratio, and");
    expect(md, ", not the higher ratio.");
    const hs_summary p95_only[3] = {sum(1700, 140), sum(19.5, 5200), sum(1500, 80)};
    c = io_claims(100, 40, at0, p95_only);
    md = write(&c);
    expect(md, "**Verdict: the claim held on p95, not on requests/s.**");
    expect(md, ", not the lower ratio, and");
    expect(md, ", the higher ratio.");

    /* Ratios within 10% of each other are flagged, the verdict kept. */
    const hs_summary close[3] = {sum(1000, 100), sum(19.5, 5200), sum(1000, 93)};
    c = io_claims(100, 40, at0, close);
    md = write(&c);
    expect(md, "**Verdict: the claim held.**");
    expect(md, "The margin on both is under 10%");
}

static const hs_summary *held_for_others(void) {
    static hs_summary h[3];
    h[0] = sum(780, 140), h[1] = sum(19.5, 5200), h[2] = sum(1500, 80);
    return h;
}

static void test_io_untested(void) {
    const hs_summary at0[3] = {sum(2000, 10), sum(1000, 20), sum(1900, 11)};
    /* 20 clients, 40 threads: every request has a thread. Even numbers
     * that would read as "did not hold" are not called a failure. */
    const hs_summary at50[3] = {sum(390, 52), sum(19.5, 1000), sum(380, 53)};
    hs_claims c = io_claims(20, 40, at0, at50);
    const char *md = write(&c);
    expect(md, "**Verdict: not tested by this run.**");
    expect(md, "20 clients in flight and 40 pool threads");
    expect(md, "no failure of the claim");
    expect(md, "the bound is never reached");
    expect(md, "`--concurrency` well above 40");
    expect_not(md, "claim held");
    expect_not(md, "did not hold");

    /* Just above the threads: crossed, but barely. */
    c = io_claims(50, 40, at0, at50);
    md = write(&c);
    expect(md, "50 clients were in flight against 40 threads, so it bites, but only barely");
    expect(md, "`--concurrency 80`");

    /* Two workers double the pool: 100 clients against 80 threads. */
    c = io_claims(100, 40, at0, at50);
    c.workers = 2;
    md = write(&c);
    expect(md, "80 threads (40 per worker × 2 workers)");
    expect(md, "2 × 1000 / 50 = 40 requests/s");

    /* Pool size unknown: judged, with the caveat. */
    c = io_claims(100, 0, at0, at50);
    md = write(&c);
    expect(md, "pool threads per worker not known");
    expect(md, "is not known either");

    /* Missing numbers: no verdict. */
    c = io_claims(100, 40, at0, at50);
    c.v[2].b = NULL;
    md = write(&c);
    expect(md, "**Verdict: not judged.**");
    expect(md, "async_tothread has no complete numbers at 50 ms");
    expect(md, "| async_tothread_io0 → async_tothread_io50 | not measured completely at 50 ms |");
    c.n = 2; /* no async_tothread at all */
    md = write(&c);
    expect(md, "async_tothread was not measured");

    /* Workers unknown: no pool size in all, no loop bound. */
    c = io_claims(100, 40, at0, at50);
    c.workers = 0;
    md = write(&c);
    expect(md, "worker processes not known");
    expect(md, "P (threads per worker × workers) is not known here");
    expect(md, "how many workers there were is not known here");
    expect_not(md, "40 × 1000 / 50");

    /* How far the pool is crossed, in words: 70 against 40 (×1.75) is
     * neither clear nor barely; 200 against 40 leaves half still clear. */
    c = io_claims(70, 40, at0, at50);
    md = write(&c);
    expect(md, "70 clients were in flight against 40 threads, so it bites: sync's limit is ×1.75");
    c = io_claims(200, 40, at0, at50);
    md = write(&c);
    expect(md, "so it bites clearly");
    expect(md, "With half the clients (100) it would still be crossed clearly: 800 vs 2000");
    expect_not(md, "only barely");

    /* The first setting already waits: its rate is not the model's. */
    c = io_claims(100, 40, at0, at50);
    c.value_a = 10;
    md = write(&c);
    expect(md, "The model's own rate was not measured here (the first setting already waits 10 "
               "ms). Measured: 380.0 requests/s, ×0.19 of the clients' limit.");
    expect_not(md, "at 0 ms)");

    /* Not miniserve: the numbers and the verdict, no mechanism. */
    c = io_claims(100, 40, at0, held_for_others());
    c.miniserve = 0;
    md = write(&c);
    expect(md, "Not every server here is miniserve, so only the numbers are compared");
    expect(md, "**Verdict: the claim held.**");
    expect_not(md, "What bounds each variant");
    expect_not(md, "libuv timer");

    /* Nothing to compare: nothing written. */
    c = io_claims(100, 40, at0, at50);
    c.value_b = 0;
    CHECK_EQ_STR(write(&c), "");
}

static hs_claims workers_claims(long cores) {
    static hs_summary w1[3], w4[3];
    w1[0] = sum(2000, 50), w1[1] = sum(1000, 60), w1[2] = sum(1900, 48);
    w4[0] = sum(1940, 55), w4[1] = sum(1700, 40), w4[2] = sum(1900, 50);
    static const char *kinds[] = {"sync", "async_blocking", "async_tothread"};
    static const char *na[] = {"sync_w1", "async_blocking_w1", "async_tothread_w1"};
    static const char *nb[] = {"sync_w4", "async_blocking_w4", "async_tothread_w4"};
    hs_claims c = {.param = HS_CLAIMS_WORKERS, .value_a = 1, .value_b = 4, .concurrency = 50,
                   .threads = 40, .workers = 0, .io_delay_ms = 0, .cores = cores,
                   .memory_where = "the server-memory table above", .miniserve = 1};
    static const int pids[] = {4, 1, 3};
    for (int k = 0; k < 3; k++)
        c.v[c.n++] = (hs_claims_variant){kinds[k], na[k], nb[k], &w1[k], &w4[k], 10 * 1024,
                                         38 * 1024, 1, pids[k]};
    return c;
}

static void test_workers(void) {
    hs_claims c = workers_claims(2);
    const char *md = write(&c);
    expect(md, "## Workers: 1 vs 4 server processes");
    expect(md, "Machine: 2 cores, so 4 workers are more than the cores.");
    expect(md, "**async_blocking's requests/s went ×1.70 from 1 to 4 workers** (1000.0 → 1700.0), "
               "closing 76% of its gap to sync (sync minus async_blocking: 1000.0 → 240.0 requests/s).");
    expect(md, "**sync and async_tothread already compute on every core at 1 worker** through "
               "their pool of 40 threads, so for CPU-bound work more workers can add at most "
               "×1.00 to them: measured ×0.97 for sync and ×1.00 for async_tothread.");
    expect(md, "**Each worker process has its own event loop**");
    expect(md, "Here, fresh connections after warm-up reached 4 of the 4 workers for sync, 1 for "
               "async_blocking, 3 for async_tothread. Workers race to accept");
    expect(md, "at most 2 workers compute at once");
    expect(md, "can gain at most ×2.00 over 1 worker, not ×4.00. async_blocking measured ×1.70.");
    expect(md, "sync 10.0 → 38.0 MiB (×3.80)");
    expect(md, "(the server-memory table above)");
    expect(md, "| memory (MiB) |");
    expect_not(md, "Verdict");

    c = workers_claims(8);
    md = write(&c);
    expect(md, "Machine: 8 cores, so 4 workers are no more than the cores.");
    expect(md, "each worker can have a core of its own, so CPU-bound work on one loop per worker "
               "can gain up to ×4.00 over 1 worker");
    expect_not(md, "at most 8 workers compute");
    for (int k = 0; k < 3; k++) c.v[k].pids_b = 4;
    md = write(&c);
    expect(md, "reached 4 of the 4 workers for sync, 4 for async_blocking, 4 for async_tothread.");
    expect_not(md, "Workers race to accept");
    for (int k = 0; k < 3; k++) c.v[k].pids_b = 0;
    md = write(&c);
    expect_not(md, "fresh connections");

    /* async_blocking ahead of sync after: said as overtaking. */
    c = workers_claims(8);
    hs_summary fast = sum(2500, 30);
    c.v[1].b = &fast;
    md = write(&c);
    expect(md, "overtaking sync: the gap went from 1000.0 requests/s behind to 560.0 ahead");

    /* Gains beyond what the cores allow are flagged for a second run. */
    c = workers_claims(2);
    hs_summary big = sum(2500, 30), pool_big = sum(2600, 30);
    c.v[1].b = &big, c.v[0].b = &pool_big;
    md = write(&c);
    expect(md, "async_blocking measured ×2.50, more than the cores explain");
    expect(md, "measured ×1.30 for sync and ×1.00 for async_tothread; a gain this size is more "
               "than the cores explain");

    /* Its gap to sync can widen. */
    c = workers_claims(2);
    hs_summary slow = sum(900, 80);
    c.v[1].b = &slow;
    md = write(&c);
    expect(md, "while its gap to sync widened (sync minus async_blocking: 1000.0 → 1040.0");

    /* With an I/O wait the cores bound only the computing. */
    c = workers_claims(2);
    c.io_delay_ms = 50;
    md = write(&c);
    expect(md, ", 50 ms extra I/O wait");
    expect(md, "The cores bound only the computing: the 50 ms waits are slept through");
    c.v[1].b = &big; /* no longer more than the cores explain */
    md = write(&c);
    expect_not(md, "more than the cores explain");

    /* The pool's size unknown: no ceiling claimed for it, numbers kept. */
    c = workers_claims(2);
    c.threads = 0;
    md = write(&c);
    expect(md, "whose size (threads per worker) is not known here");
    expect(md, "measured ×0.97 for sync and ×1.00 for async_tothread");
    expect_not(md, "already compute on every core");

    /* The I/O wait unknown: the CPU-bound ceiling comes with a caveat. */
    c = workers_claims(2);
    c.io_delay_ms = -1;
    md = write(&c);
    expect(md, "Whether the servers also waited on I/O is not known here");

    /* Not miniserve: the numbers, the spread and memory, no why. */
    c = workers_claims(2);
    c.miniserve = 0;
    md = write(&c);
    expect(md, "Why is not worked out here: not every server is miniserve");
    expect(md, "program's own. Here, fresh connections after warm-up reached 4 of the 4 workers");
    expect(md, "sync 10.0 → 38.0 MiB (×3.80)");
    expect_not(md, "Each worker process has its own event loop");
    expect_not(md, "Workers race to accept");
}

/* Parses a lab from JSON text; variants is the array's text. */
static void lab_from(hs_lab *lab, const char *variants) {
    char text[8192], err[512];
    snprintf(text, sizeof text,
             "{\"name\": \"x\", \"title\": \"X\", \"folder\": \"x\", \"request\": {\"method\": "
             "\"GET\", \"path\": \"/\", \"health\": \"/\"}, \"load\": {\"concurrency\": 1, "
             "\"total\": 1, \"warmup\": 0, \"timeout_s\": 1, \"workers\": 3, \"seed\": 0, "
             "\"io_delay_ms\": 7}, \"variants\": %s}", variants);
    cJSON *j = cJSON_Parse(text);
    CHECK(j != NULL);
    int rc = hs_lab_from_json(j, "test", lab, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    CHECK_EQ_INT(rc, 0);
    cJSON_Delete(j);
}

static void test_families(void) {
    hs_lab lab;
    char err[512];
    hs_claims_family f[HS_MAX_VARIANTS];

    /* lab01-iodelay: three families, 0 and 50 ms, by server variant. */
    CHECK_EQ_INT(hs_lab_load(LABS_DIR "/lab01-iodelay.json", &lab, err, sizeof err), 0);
    CHECK_EQ_INT(hs_claims_families(&lab, "--io-delay-ms", f, HS_MAX_VARIANTS), 3);
    const char *kinds[] = {"sync", "async_blocking", "async_tothread"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(f[i].n, 2);
        CHECK_EQ_INT(f[i].value[0], 0);
        CHECK_EQ_INT(f[i].value[1], 50);
        CHECK_EQ_STR(hs_claims_kind(&lab.variants[f[i].idx[0]]), kinds[i]);
        CHECK_EQ_STR(hs_claims_kind(&lab.variants[f[i].idx[1]]), kinds[i]);
        CHECK(strstr(lab.variants[f[i].idx[0]].name, "_io0") != NULL);
        CHECK(strstr(lab.variants[f[i].idx[1]].name, "_io50") != NULL);
    }
    /* Its {workers} and {threads} are filled from the load. */
    CHECK_EQ_INT(hs_claims_flag_value(&lab.variants[0], "--workers", &lab.load, -1), 1);
    CHECK_EQ_INT(hs_claims_flag_value(&lab.variants[0], "--threads", &lab.load, -1), 40);
    CHECK_EQ_INT(hs_claims_families(&lab, "--workers", f, HS_MAX_VARIANTS), 0);
    hs_lab_free(&lab);

    /* lab01-workers: 1 and 4 workers. */
    CHECK_EQ_INT(hs_lab_load(LABS_DIR "/lab01-workers.json", &lab, err, sizeof err), 0);
    CHECK_EQ_INT(hs_claims_families(&lab, "--workers", f, HS_MAX_VARIANTS), 3);
    for (int i = 0; i < 3; i++) {
        CHECK(f[i].value[0] == 1 && f[i].value[1] == 4);
        CHECK_EQ_STR(hs_claims_kind(&lab.variants[f[i].idx[1]]), kinds[i]);
    }
    CHECK_EQ_INT(hs_claims_families(&lab, "--io-delay-ms", f, HS_MAX_VARIANTS), 0);
    hs_lab_free(&lab);

    /* lab01: one value per placeholder, so nothing pairs. */
    CHECK_EQ_INT(hs_lab_load(LABS_DIR "/lab01.json", &lab, err, sizeof err), 0);
    CHECK_EQ_INT(hs_claims_families(&lab, "--io-delay-ms", f, HS_MAX_VARIANTS), 0);
    CHECK_EQ_INT(hs_claims_families(&lab, "--workers", f, HS_MAX_VARIANTS), 0);
    hs_lab_free(&lab);

    /* "--flag=V", values sorted, a repeated value and a variant that
     * differs elsewhere left out; placeholders from the load. */
    lab_from(&lab,
             "[{\"name\": \"a100\", \"command\": [\"s\", \"--io-delay-ms=100\", \"--variant\", \"sync\"]},"
             " {\"name\": \"a0\", \"command\": [\"s\", \"--io-delay-ms=0\", \"--variant\", \"sync\"]},"
             " {\"name\": \"a7\", \"command\": [\"s\", \"--io-delay-ms={io_delay_ms}\", \"--variant\", \"sync\"]},"
             " {\"name\": \"again0\", \"command\": [\"s\", \"--io-delay-ms=0\", \"--variant\", \"sync\"]},"
             " {\"name\": \"other\", \"command\": [\"s\", \"--io-delay-ms=50\", \"--variant\", \"async_tothread\"]},"
             " {\"name\": \"twice\", \"command\": [\"s\", \"--io-delay-ms\", \"1\", \"--io-delay-ms\", \"2\"]},"
             " {\"name\": \"py_w1\", \"command\": [\"env\", \"MINISERVE_VARIANT=async_blocking\", \"--workers\", \"1\"]},"
             " {\"name\": \"py_w\", \"command\": [\"env\", \"MINISERVE_VARIANT=async_blocking\", \"--workers\", \"{workers}\"]}]");
    CHECK_EQ_INT(hs_claims_families(&lab, "--io-delay-ms", f, HS_MAX_VARIANTS), 1);
    CHECK_EQ_INT(f[0].n, 3);
    CHECK_EQ_STR(lab.variants[f[0].idx[0]].name, "a0");
    CHECK_EQ_STR(lab.variants[f[0].idx[1]].name, "a7");
    CHECK_EQ_STR(lab.variants[f[0].idx[2]].name, "a100");
    CHECK(f[0].value[0] == 0 && f[0].value[1] == 7 && f[0].value[2] == 100);
    CHECK_EQ_INT(hs_claims_flag_value(&lab.variants[5], "--io-delay-ms", &lab.load, -1), -1);
    CHECK_EQ_INT(hs_claims_families(&lab, "--workers", f, HS_MAX_VARIANTS), 1);
    CHECK(f[0].value[0] == 1 && f[0].value[1] == 3);
    CHECK_EQ_STR(hs_claims_kind(&lab.variants[f[0].idx[0]]), "async_blocking");

    /* What a server ran with: its flag's value; absent, miniserve's own
     * default for miniserve and unknown for any other program (here
     * "env ... --workers", whose program is "--workers"); given twice,
     * unknown. The load's {io_delay_ms} is 7. */
    CHECK_EQ_STR(hs_claims_program(&lab.variants[0]), "s");
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[2], "--io-delay-ms", &lab.load), 7);
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[0], "--threads", &lab.load), -1);
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[5], "--io-delay-ms", &lab.load), -1);
    hs_lab_free(&lab);
    lab_from(&lab,
             "[{\"name\": \"m\", \"command\": [\"{bin}/miniserve\", \"--workers\", \"{workers}\"]},"
             " {\"name\": \"py\", \"command\": [\"/usr/bin/env\", \"A=1\", \"B={weights}\", "
             "\"/usr/bin/python3\", \"-m\", \"uvicorn\"]},"
             " {\"name\": \"bare\", \"command\": [\"env\"]}]");
    CHECK_EQ_STR(hs_claims_program(&lab.variants[0]), "miniserve");
    CHECK_EQ_STR(hs_claims_program(&lab.variants[1]), "python3");
    CHECK_EQ_STR(hs_claims_program(&lab.variants[2]), "");
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[0], "--workers", &lab.load), 3);
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[0], "--threads", &lab.load), 40);
    CHECK_EQ_INT(hs_claims_server_setting(&lab.variants[1], "--threads", &lab.load), -1);
    hs_lab_free(&lab);

    /* Kinds from names, for sweeps. */
    CHECK_EQ_STR(hs_claims_kind_of_name("sync"), "sync");
    CHECK_EQ_STR(hs_claims_kind_of_name("async_blocking_io50"), "async_blocking");
    CHECK_EQ_STR(hs_claims_kind_of_name("async_tothread-w4"), "async_tothread");
    CHECK_EQ_STR(hs_claims_kind_of_name("syncish"), "syncish");
}

int main(void) {
    hs_strbuf_init(&md_buf, 16);
    test_io_verdicts();
    test_io_untested();
    test_workers();
    test_families();
    hs_strbuf_free(&md_buf);
    return 0;
}
