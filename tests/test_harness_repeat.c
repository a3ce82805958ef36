/* test_harness_repeat.c - a repeated run's facts from hand-made repeats'
 * facts (repeat_facts.c): each check's verdict from its figure's interval
 * (PASS, FAIL, UNSTABLE, and a repeat without the figure), one repeat's
 * PASS/FAIL kept as a single run's, the three warnings (a slow first
 * repeat, an outlier repeat, repeats that disagree on a check) and none
 * from too few repeats, the figures' medians and the pooled percentiles;
 * then the summary written from them names each verdict and warning by
 * its tag. No process, no socket, no clock. */
#include "check.h"
#include "facts/facts.h"
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *lab_json =
    "{\"name\": \"t\", \"title\": \"T\", \"folder\": \"t\","
    " \"request\": {\"method\": \"GET\", \"path\": \"/\", \"health\": \"/h\"},"
    " \"load\": {\"concurrency\": 2, \"total\": 10, \"warmup\": 0, \"timeout_s\": 1,"
    "  \"workers\": 1, \"seed\": 0},"
    " \"variants\": [{\"name\": \"a\", \"command\": [\"x\"]}, {\"name\": \"b\", \"command\": [\"y\"]}],"
    " \"checks\": [{\"kind\": \"p95_within\", \"title\": \"a and b within 20%\","
    "  \"variants\": [\"a\", \"b\"], \"threshold\": 0.2}]}";

/* One repeat's facts: a's p50 and b's p95 as given, the check's figure
 * (NAN: not known) and its single-run result. */
static cJSON *repeat_facts(double a_p50, double b_p95, double check_value) {
    char text[1024], value[32];
    if (isnan(check_value)) snprintf(value, sizeof value, "null");
    else snprintf(value, sizeof value, "%g", check_value);
    snprintf(text, sizeof text,
             "{\"complete\": true, \"load\": {\"concurrency\": 2}, \"variants\": {"
             "\"a\": {\"measured\": true, \"ok_percent\": 100, \"requests\": 10,"
             " \"requests_per_s\": 100, \"latency_ms\": {\"p50\": %g, \"p95\": 30, \"p99\": 40}},"
             "\"b\": {\"measured\": true, \"ok_percent\": 100, \"requests\": 10,"
             " \"requests_per_s\": 90, \"latency_ms\": {\"p50\": 10, \"p95\": %g, \"p99\": 40}}},"
             "\"checks\": [{\"threshold\": 0.2, \"at_least\": false, \"value\": %s,"
             " \"result\": \"%s\"}]}",
             a_p50, b_p95, value, !isnan(check_value) && check_value <= 0.2 ? "PASS" : "FAIL");
    cJSON *f = cJSON_Parse(text);
    CHECK(f != NULL);
    return f;
}

typedef struct {
    cJSON *facts[HS_REPEAT_MAX];
    const char *folders[HS_REPEAT_MAX];
    int n;
} repeats;

static cJSON *build(const hs_lab *lab, repeats *r, const double *a_p50, const double *b_p95,
                    const double *values, int n, const hs_sample *pooled, size_t n_pooled) {
    static const char *names[] = {"repeat-1", "repeat-2", "repeat-3", "repeat-4", "repeat-5",
                                  "repeat-6"};
    r->n = n;
    for (int k = 0; k < n; k++)
        r->facts[k] = repeat_facts(a_p50[k], b_p95[k], values[k]), r->folders[k] = names[k];
    hs_repeat_input in = {lab, n, n, (const cJSON *const *)r->facts, r->folders, NULL,
                          {0}, {0}, 1, NULL};
    in.pooled[0] = pooled, in.pooled_n[0] = n_pooled;
    cJSON *f = hs_repeat_facts_build(&in);
    CHECK(f != NULL);
    return f;
}

static void release(repeats *r) {
    for (int k = 0; k < r->n; k++) cJSON_Delete(r->facts[k]);
}

static const char *verdict_of(const cJSON *f) {
    const cJSON *v = hs_fact_at(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "checks"),
                                                   0), "verdict");
    CHECK(cJSON_IsString(v));
    return v->valuestring;
}

/* How many warnings of kind there are (about variant and figure, when not
 * NULL), and the repeat the last one names. */
static int warnings(const cJSON *f, const char *kind, const char *variant, const char *figure,
                    int *repeat) {
    int n = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(f, "warnings")) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(w, "kind");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, "variant");
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(w, "figure");
        if (strcmp(k->valuestring, kind)) continue;
        if (variant && (!cJSON_IsString(v) || strcmp(v->valuestring, variant))) continue;
        if (figure && (!cJSON_IsString(g) || strcmp(g->valuestring, figure))) continue;
        if (repeat) *repeat = (int)hs_fact(w, "repeat");
        n++;
    }
    return n;
}

int main(void) {
    char err[512];
    hs_lab lab;
    cJSON *j = cJSON_Parse(lab_json);
    CHECK_EQ_INT(hs_lab_from_json(j, "t.json", &lab, err, sizeof err), 0);
    cJSON_Delete(j);
    const double steady[] = {10, 10.2, 9.9, 10.1, 10.05}, flat95[] = {20, 20.4, 19.8, 20.2, 20.1};
    repeats r;

    /* every repeat well inside the threshold: PASS */
    const double inside[] = {0.05, 0.08, 0.1, 0.06, 0.07};
    cJSON *f = build(&lab, &r, steady, flat95, inside, 5, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "PASS");
    const cJSON *ck = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "checks"), 0);
    CHECK(hs_fact(ck, "value.lo") <= hs_fact(ck, "value.median"));
    CHECK(hs_fact(ck, "value.median") <= hs_fact(ck, "value.hi") && hs_fact(ck, "value.hi") <= 0.2);
    CHECK_EQ_INT((int)hs_fact(ck, "repeats_passed"), 5);
    CHECK_EQ_INT(warnings(f, "repeats_disagree", NULL, NULL, NULL), 0);
    /* the figures: a's p50 median of the five, its five values kept */
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(hs_fact_variants(f), "a");
    CHECK(fabs(hs_fact(a, "repeated.latency_ms.p50.median") - 10.05) < 1e-9);
    CHECK_EQ_INT(cJSON_GetArraySize(hs_fact_at(a, "repeated.latency_ms.p50.values")), 5);
    CHECK_EQ_INT((int)hs_fact(a, "repeats_measured"), 5);
    CHECK_EQ_INT(warnings(f, "slow_first_repeat", NULL, NULL, NULL), 0);
    CHECK_EQ_INT(warnings(f, "outlier_repeat", NULL, NULL, NULL), 0);
    cJSON_Delete(f), release(&r);

    /* every repeat outside: FAIL */
    const double outside[] = {0.3, 0.4, 0.5, 0.35, 0.45};
    f = build(&lab, &r, steady, flat95, outside, 5, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "FAIL");
    cJSON_Delete(f), release(&r);

    /* on both sides: UNSTABLE, and the repeats disagree (3 of 5 passed) */
    const double straddle[] = {0.1, 0.3, 0.15, 0.25, 0.18};
    f = build(&lab, &r, steady, flat95, straddle, 5, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "UNSTABLE");
    CHECK_EQ_INT(warnings(f, "repeats_disagree", NULL, NULL, NULL), 1);
    ck = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "checks"), 0);
    CHECK_EQ_INT((int)hs_fact(ck, "repeats_passed"), 3);
    /* and the summary says so, by its tags */
    char dir[256];
    snprintf(dir, sizeof dir, "/tmp/test_harness_repeat.%d", (int)getpid());
    CHECK(mkdir(dir, 0755) == 0);
    CHECK_EQ_INT(hs_repeat_report_write(dir, &lab, f), 0);
    char path[300], text[65536];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    size_t len = fread(text, 1, sizeof text - 1, fp);
    text[len] = '\0';
    fclose(fp);
    CHECK(strstr(text, "| **UNSTABLE** |") != NULL);
    CHECK(strstr(text, "<!-- says: repeat.warn.disagree -->") != NULL);
    CHECK(strstr(text, "[words.md has no") == NULL);
    unlink(path), rmdir(dir);
    cJSON_Delete(f), release(&r);

    /* a repeat without the check's figure failed it: the others' PASS
     * becomes UNSTABLE */
    const double one_unknown[] = {0.05, NAN, 0.1, 0.06, 0.07};
    f = build(&lab, &r, steady, flat95, one_unknown, 5, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "UNSTABLE");
    cJSON_Delete(f), release(&r);

    /* one repeat: a single run's verdict, PASS or FAIL, never UNSTABLE */
    const double just_under[] = {0.19}, just_over[] = {0.21};
    f = build(&lab, &r, steady, flat95, just_under, 1, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "PASS");
    cJSON_Delete(f), release(&r);
    f = build(&lab, &r, steady, flat95, just_over, 1, NULL, 0);
    CHECK_EQ_STR(verdict_of(f), "FAIL");
    cJSON_Delete(f), release(&r);

    /* a's first repeat 5x slower (a warm-up too short): slow_first_repeat;
     * b's third repeat's p95 4x the others': an outlier, repeat 3 */
    const double slow_first[] = {50, 10.2, 9.9, 10.1, 10.05}, odd95[] = {20, 20.4, 80, 20.2, 20.1};
    hs_sample pooled[] = {{0.010, 200}, {0.020, 200}, {0.030, 500}, {0.040, 200}};
    f = build(&lab, &r, slow_first, odd95, inside, 5, pooled, 4);
    CHECK_EQ_INT(warnings(f, "slow_first_repeat", "a", "latency_ms.p50", NULL), 1);
    int which = 0;
    CHECK_EQ_INT(warnings(f, "outlier_repeat", "b", "latency_ms.p95", &which), 1);
    CHECK_EQ_INT(which, 3);
    CHECK_EQ_INT(warnings(f, "outlier_repeat", "a", NULL, NULL), 0); /* the slow first, only */
    a = cJSON_GetObjectItemCaseSensitive(hs_fact_variants(f), "a");
    CHECK(fabs(hs_fact(a, "pooled.latency_ms.p50") - 25) < 1e-9);
    CHECK_EQ_INT((int)hs_fact(a, "pooled.ok_percent"), 75);
    cJSON_Delete(f), release(&r);

    /* the same from four repeats: too few to call anything an outlier */
    f = build(&lab, &r, slow_first, odd95, inside, 4, NULL, 0);
    CHECK_EQ_INT(warnings(f, "slow_first_repeat", NULL, NULL, NULL), 0);
    CHECK_EQ_INT(warnings(f, "outlier_repeat", NULL, NULL, NULL), 0);
    cJSON_Delete(f), release(&r);

    hs_lab_free(&lab);
    printf("repeat facts: verdicts, warnings and pooled figures as expected\n");
    return 0;
}
