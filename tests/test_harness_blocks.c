/* test_harness_blocks.c - summing the workers' /debug/blocks documents
 * (harness/blocks_sum.c) on hand-made ones: counts add up, the longest is
 * the longest, the place that blocked longest in all wins across workers,
 * and its example report comes from the worker where it weighs most,
 * falling back to that worker's newest report of the place when the
 * example has left the server's ring of kept reports. */
#include <cJSON.h>
#include <string.h>

#include "blocks.h"
#include "check.h"

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
    fprintf(stderr, "ok\n");
    return 0;
}
