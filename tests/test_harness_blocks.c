/* test_harness_blocks.c - summing the workers' /debug/blocks documents
 * (harness/evidence/blocks_sum.c) on hand-made ones: counts add up, the longest is
 * the longest, the place that blocked longest in all wins across workers,
 * and its example report comes from the worker where it weighs most,
 * falling back to that worker's newest report of the place when the
 * example has left the server's ring of kept reports. Then summary.md's
 * section (report_blocks.c): its table, the worst variant's report, and
 * what it shows when
 * nothing blocked or nothing was measured, all from facts.json's object. */
#include <cJSON.h>
#include <string.h>

#include "evidence/evidence.h"
#include "check.h"
#include "report/report.h"

/* The section for hand-made facts, into out. */
static void section(const char *facts_text, char *out, size_t size) {
    cJSON *facts = cJSON_Parse(facts_text);
    CHECK(facts != NULL);
    hs_report r = {.facts = facts};
    hs_strbuf b;
    hs_strbuf_init(&b, 1024);
    hs_report_blocks(&b, &r);
    CHECK(b.ok);
    snprintf(out, size, "%s", b.len ? b.s : "");
    hs_strbuf_free(&b);
    cJSON_Delete(facts);
}

/* Its table is facts.json's blocks figures, row by row; the report quoted
 * is the worst variant's own text; a variant without a detector is a
 * "not measured" row; no detector anywhere, no section. */
static void test_section(void) {
    static char md[16384];
    section("{\"variants\": {"
            " \"sync\": {\"measured\": true, \"blocks\": {\"threshold_ms\": 10, \"blocks\": 0,"
            "   \"blocked_ms\": 0,"
            "   \"longest_ms\": 0, \"starved\": 3, \"starved_ms\": 51, \"top_blocked_in\": null,"
            "   \"top_report\": null}},"
            " \"async_blocking\": {\"measured\": true, \"blocks\": {\"threshold_ms\": 10,"
            "   \"blocks\": 10,"
            "   \"blocked_ms\": 345, \"longest_ms\": 36, \"starved\": 0, \"starved_ms\": 0,"
            "   \"top_blocked_in\": \"job_run (server/handler_correct.c:228)\","
            "   \"top_report\": \"Event Loop Block: block-1\\n  Duration: 0.035s\\n\"}},"
            " \"async_tothread\": {\"measured\": true, \"blocks\": null}}}", md, sizeof md);
    CHECK(strstr(md, "## Event-loop blocks\n") != NULL);
    /* The caption with the servers' threshold, in words.md's words. */
    hs_say_ctx c = {0};
    hs_say_num(&c, "threshold", 10);
    hs_strbuf cap;
    hs_strbuf_init(&cap, 256);
    hs_say_part(&cap, "blocks.caption", &c);
    CHECK(cap.ok && strstr(cap.s, "10") && strstr(md, cap.s) != NULL);
    hs_strbuf_free(&cap);
    /* sync blocked nowhere: where it blocked is n/a, with the reason */
    CHECK(strstr(md, "| sync | 0 | 0 | 0 | n/a | 3 | 51 |\n") != NULL);
    CHECK(strstr(md, "- n/a: not recorded (sync blocks.top_blocked_in)") != NULL);
    CHECK(strstr(md, "| async_blocking | 10 | 345 | 36 | job_run (server/handler_correct.c:228) "
                     "| 0 | 0 |\n") != NULL);
    CHECK(strstr(md, "| async_tothread | - | - | - | not measured | - | - |\n") != NULL);
    CHECK(strstr(md, "```\nEvent Loop Block: block-1\n  Duration: 0.035s\n```") != NULL);
    CHECK(strstr(md, "async_blocking") < strstr(md, "```")); /* the worst one's report */

    /* Nothing blocked: the table, and no report. */
    section("{\"variants\": {\"sync\": {\"measured\": true, \"blocks\": {\"threshold_ms\": 20,"
            " \"blocks\": 0,"
            " \"blocked_ms\": 0, \"longest_ms\": 0, \"starved\": 0, \"starved_ms\": 0}}}}",
            md, sizeof md);
    CHECK(strstr(md, "| sync | 0 | 0 | 0 | n/a | 0 | 0 |") != NULL);
    CHECK(strstr(md, "```") == NULL);

    /* No variant had a detector: no section. */
    section("{\"variants\": {\"sync\": {\"blocks\": null}, \"async\": {}}}", md, sizeof md);
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
