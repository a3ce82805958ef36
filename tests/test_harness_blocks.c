/* test_harness_blocks.c - summing the workers' /debug/blocks documents
 * (harness/blocks_sum.c) on hand-made ones: counts add up, the longest is
 * the longest, the place that blocked longest in all wins across workers,
 * and its example report comes from the worker where it weighs most,
 * falling back to that worker's newest report of the place when the
 * example has left the server's ring of kept reports. Then summary.md's
 * section (report_blocks.c) from such sums: its table, the worst variant
 * with its report, the starvation-only variants, and what it says when
 * nothing blocked or nothing was measured. */
#include <cJSON.h>
#include <string.h>

#include "blocks.h"
#include "check.h"
#include "report.h"

/* The section for these variants' sums (NULL: not measured), into out. */
static void section(const hs_blocks *const *sums, size_t n, long pool_threads, char *out,
                    size_t size) {
    static const char *names[] = {"sync", "async_blocking", "async_tothread"};
    hs_report_variant v[3];
    memset(v, 0, sizeof v);
    for (size_t i = 0; i < n; i++) v[i].name = names[i], v[i].blocks = sums[i];
    hs_report r = {.variants = v, .n_variants = n, .cores = 2, .pool_threads = pool_threads};
    hs_strbuf b;
    hs_strbuf_init(&b, 1024);
    hs_report_blocks(&b, &r);
    CHECK(b.ok);
    snprintf(out, size, "%s", b.len ? b.s : "");
    hs_strbuf_free(&b);
}

static void test_section(void) {
    static char md[16384];
    hs_blocks quiet = {.workers = 1, .threshold_ms = 10, .starved = 3, .starved_ms = 51};
    hs_blocks blocked = {.workers = 1, .threshold_ms = 10, .blocks = 10, .blocks_ms = 345,
                         .longest_ms = 36, .top_count = 9, .top_ms = 319};
    strcpy(blocked.top_where, "job_run (server/handler_correct.c:228)");
    char report[] = "Event Loop Block: block-1\n  Duration: 0.035s\n";
    blocked.top_report = report;
    const hs_blocks *all[] = {&quiet, &blocked, NULL};
    section(all, 3, 40, md, sizeof md);
    CHECK(strstr(md, "## Event-loop blocks\n") != NULL);
    CHECK(strstr(md, "`--detect-blocking=10`") != NULL);
    CHECK(strstr(md, "| sync | 0 | 0 | - | - | 3 | 51 |\n") != NULL);
    CHECK(strstr(md, "| async_blocking | 10 | 345 | 36 | `job_run (server/handler_correct.c:228)` "
                     "| 0 | 0 |\n") != NULL);
    CHECK(strstr(md, "| async_tothread | - | - | - | not measured | - | - |\n") != NULL);
    CHECK(strstr(md, "**async_blocking blocked its loop the most:** 10 blocks, 345 ms in all, "
                     "the longest 36 ms; 9 of them (319 ms) in "
                     "`job_run (server/handler_correct.c:228)`.") != NULL);
    CHECK(strstr(md, "```\nEvent Loop Block: block-1\n  Duration: 0.035s\n```") != NULL);
    CHECK(strstr(md, "sync (3, 51 ms): no blocks, only starvation.") != NULL);
    CHECK(strstr(md, "up to 40 pool threads") != NULL);
    CHECK(strstr(md, "srv_pool_submit") == NULL);
    /* A variant that blocked in the pool's hand-off: explained, whether
     * or not it is the worst. */
    hs_blocks handoff = {.workers = 1, .threshold_ms = 10, .blocks = 2, .blocks_ms = 29,
                         .longest_ms = 15, .top_count = 2, .top_ms = 29};
    strcpy(handoff.top_where, "srv_pool_submit (server/pool.c:58)");
    const hs_blocks *two[] = {&handoff, &blocked, &quiet};
    section(two, 3, 40, md, sizeof md);
    CHECK(strstr(md, "**async_blocking blocked its loop the most:**") != NULL);
    CHECK(strstr(md, "Blocks mostly in `srv_pool_submit` (sync: 2, 29 ms) are where the loop "
                     "hands a request to libuv's pool") != NULL);
    CHECK(strstr(md, "With 40 pool threads on 2 cores that wait can pass the threshold") != NULL);
    CHECK(strstr(md, "async_tothread (3, 51 ms): no blocks, only starvation.") != NULL);
    const hs_blocks *alone[] = {&handoff};
    section(alone, 1, 0, md, sizeof md);
    CHECK(strstr(md, "**sync blocked its loop the most:**") != NULL);
    CHECK(strstr(md, "(sync: 2, 29 ms) are where the loop hands") != NULL);
    CHECK(strstr(md, "when the pool's threads outnumber the cores") != NULL);
    strcpy(handoff.top_where, "other (x.c:1)");
    section(two, 3, 40, md, sizeof md);
    CHECK(strstr(md, "pthread_cond_signal") == NULL);

    /* Nothing blocked; the pool size unknown; one variant not measured. */
    const hs_blocks *none[] = {&quiet, NULL};
    section(none, 2, 0, md, sizeof md);
    CHECK(strstr(md, "No measured variant's loop was blocked for 10 ms or more.") != NULL);
    CHECK(strstr(md, "the pool's threads") != NULL);
    CHECK(strstr(md, "up to 0") == NULL);

    /* No variant measured at all: no section. */
    const hs_blocks *unmeasured[] = {NULL, NULL};
    section(unmeasured, 2, 40, md, sizeof md);
    CHECK_EQ_STR(md, "");
}

#define JOB_RUN "{\"function\": \"job_run\", \"file\": \"server/handler_correct.c\", \"line\": 228}"
#define RESPOND "{\"function\": \"srv_respond\", \"file\": \"server/respond.c\", \"line\": 117}"

/* Worker A: three blocks, two in job_run (50 ms), one not sampled. */
static const char *worker_a =
    "{\"threshold_ms\": 10, \"blocks\": {\"count\": 3, \"total_ms\": 60, \"longest_ms\": 30},"
    " \"starvation\": {\"count\": 1, \"total_ms\": 12, \"longest_ms\": 12},"
    " \"top_stacks\": [{\"blocked_in\": " JOB_RUN ", \"count\": 2, \"total_ms\": 50, \"example\": \"block-1\"},"
    "                  {\"blocked_in\": null, \"count\": 1, \"total_ms\": 10, \"example\": \"block-3\"}],"
    " \"reports\": [{\"id\": \"block-1\", \"blocked_in\": " JOB_RUN ", \"text\": \"A1\"}]}";

/* Worker B: job_run for job_ms, srv_respond for 20 ms; its job_run
 * example (block-1) is no longer kept, block-5 is. */
static char *worker_b(double job_ms) {
    static char text[2048];
    snprintf(text, sizeof text,
        "{\"threshold_ms\": 10, \"blocks\": {\"count\": 2, \"total_ms\": %.0f, \"longest_ms\": 35},"
        " \"starvation\": {\"count\": 0, \"total_ms\": 0, \"longest_ms\": 0},"
        " \"top_stacks\": [{\"blocked_in\": " JOB_RUN ", \"count\": 1, \"total_ms\": %.0f, \"example\": \"block-1\"},"
        "                  {\"blocked_in\": " RESPOND ", \"count\": 1, \"total_ms\": 20, \"example\": \"block-2\"}],"
        " \"reports\": [{\"id\": \"block-2\", \"blocked_in\": " RESPOND ", \"text\": \"B2\"},"
        "               {\"id\": \"block-4\", \"blocked_in\": " JOB_RUN ", \"text\": \"B4\"},"
        "               {\"id\": \"block-5\", \"blocked_in\": " JOB_RUN ", \"text\": \"B5\"}]}",
        job_ms + 20, job_ms);
    return text;
}

static cJSON *workers(double b_job_ms) {
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_Parse(worker_a));
    cJSON_AddItemToArray(a, cJSON_Parse(worker_b(b_job_ms)));
    CHECK(cJSON_GetArraySize(a) == 2);
    return a;
}

int main(void) {
    hs_blocks s;
    cJSON *w = workers(20);
    hs_blocks_sum(w, &s);
    CHECK_EQ_INT(s.workers, 2);
    CHECK_EQ_INT(s.threshold_ms, 10);
    CHECK(s.blocks == 5 && s.blocks_ms == 100 && s.longest_ms == 35);
    CHECK(s.starved == 1 && s.starved_ms == 12);
    CHECK_EQ_STR(s.top_where, "job_run (server/handler_correct.c:228)");
    CHECK(s.top_count == 3 && s.top_ms == 70);
    CHECK_EQ_STR(s.top_report, "A1"); /* A's 50 ms outweigh B's 20 */
    hs_blocks_free(&s);
    cJSON_Delete(w);

    /* B weighs more, and its example is gone: its newest job_run report. */
    w = workers(60);
    hs_blocks_sum(w, &s);
    CHECK(s.top_ms == 110);
    CHECK_EQ_STR(s.top_report, "B5");
    hs_blocks_free(&s);
    cJSON_Delete(w);

    /* No workers, or workers without blocks: zeros and no place. */
    w = cJSON_CreateArray();
    hs_blocks_sum(w, &s);
    CHECK_EQ_INT(s.workers, 0);
    CHECK_EQ_STR(s.top_where, "");
    CHECK(s.top_report == NULL);
    cJSON_AddItemToArray(w, cJSON_Parse("{\"threshold_ms\": 20, \"blocks\": {\"count\": 0,"
                                        " \"total_ms\": 0, \"longest_ms\": 0}, \"top_stacks\": []}"));
    hs_blocks_sum(w, &s);
    CHECK_EQ_INT(s.workers, 1);
    CHECK_EQ_INT(s.threshold_ms, 20);
    CHECK(s.blocks == 0 && s.top_where[0] == '\0' && s.top_report == NULL);
    hs_blocks_free(&s);
    cJSON_Delete(w);
    test_section();
    fprintf(stderr, "ok\n");
    return 0;
}
