/* test_harness_settings_run.c - comparisons across one server setting in
 * real runs against miniserve, with tiny loads. Variants are paired only by
 * what their servers report in /healthz (facts' settings), so each test
 * checks the facts first, then that the summary's findings carry the
 * facts' own figures. Which way any figure went is not checked (no test
 * asserts on speed). */
#include "check.h"
#include "harness_cmd.h"
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[1024];      /* this test's scratch folder */
static char out[65536];     /* the last command's stdout and stderr */
static const char *weights; /* the seeded init weights the tests use */

static int run(char *const argv[], double timeout_s) {
    return hs_cmd_run(argv, timeout_s, NULL, tmp, out, sizeof out);
}

/* Writes a lab of miniserve variants on the test weights. Each entry of
 * variants is "name variant extra-args-json"; checks is a JSON array. */
static void write_lab(const char *path, const char *const *variants, int n, const char *load,
                      const char *checks) {
    char vars[8192] = "", text[12288];
    for (int i = 0; i < n; i++) {
        char name[64], kind[64], extra[256];
        CHECK(sscanf(variants[i], "%63s %63s %255[^\n]", name, kind, extra) == 3);
        size_t used = strlen(vars);
        snprintf(vars + used, sizeof vars - used,
                 "%s{\"name\": \"%s\", \"command\": [\"{bin}/miniserve\", \"--variant\", \"%s\", "
                 "\"--threads\", \"{threads}\", \"--weights\", \"%s\", \"--port\", \"0\", %s]}",
                 i ? ", " : "", name, kind, weights, extra);
    }
    snprintf(text, sizeof text,
             "{\"name\": \"settingslab\", \"title\": \"Settings test lab\", \"folder\": \"s\",\n"
             " \"request\": {\"method\": \"POST\", \"path\": \"/correct\", \"health\": \"/healthz\",\n"
             "   \"payloads\": \"{source}/experiments/prompts/lab01_verb_corrections.json\"},\n"
             " \"load\": %s,\n \"variants\": [%s],\n \"checks\": %s}\n", load, vars, checks);
    hs_cmd_write_file(path, text);
}

/* The summary's line that rule wrote containing want, or NULL. */
static const char *finding(const char *md, const char *rule, const char *want) {
    static char line[4096];
    char tag[64];
    snprintf(tag, sizeof tag, "<!-- rule: %s -->", rule);
    for (const char *p = md; *p;) {
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        if (strstr(line, tag) && strstr(line, want)) return line;
        p += len + (p[len] == '\n');
    }
    return NULL;
}

static cJSON *facts_of(const char *dir) {
    cJSON *f = cJSON_Parse(hs_cmd_slurp(dir, "facts.json"));
    CHECK(f != NULL);
    return f;
}

static const cJSON *variant(const cJSON *facts, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(hs_fact_variants(facts), name);
    if (!v) fprintf(stderr, "no variant %s in facts\n", name);
    CHECK(v != NULL);
    return v;
}

/* "x1.23": b's figure at path over a's, as the findings print it. */
static void ratio_text(const cJSON *a, const cJSON *b, const char *path, char *buf, size_t n) {
    char r[24];
    hs_fact_format2(hs_fact(b, path) / hs_fact(a, path), r, sizeof r);
    snprintf(buf, n, "x%s", r);
}

/* 60 recorded requests: above the rules' minimum of 50. */
static const char *load8 = "{\"concurrency\": 8, \"total\": 60, \"warmup\": 4, \"timeout_s\": 30, "
                           "\"workers\": 1, \"threads\": 4, \"seed\": 0}";

/* lab01-iodelay's shape: 8 clients against 4 threads, 0 and 20 ms. */
static void test_iodelay_run(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/iodelay.json", tmp);
    snprintf(dir, sizeof dir, "%s/iodelay-run", tmp);
    const char *v[] = {"sync_io0 sync \"--io-delay-ms\", \"0\"",
                       "async_tothread_io0 async_tothread \"--io-delay-ms\", \"0\"",
                       "sync_io20 sync \"--io-delay-ms\", \"20\"",
                       "async_tothread_io20 async_tothread \"--io-delay-ms\", \"20\""};
    write_lab(lab, v, 4, load8,
              "[{\"kind\": \"p95_grows_more\", \"title\": \"claim on p95\", \"threshold\": 1,"
              "  \"variants\": [\"sync_io0\", \"sync_io20\", \"async_tothread_io0\","
              "                 \"async_tothread_io20\"]},"
              " {\"kind\": \"rps_falls_more\", \"title\": \"claim on requests/s\", \"threshold\": 1,"
              "  \"variants\": [\"sync_io0\", \"sync_io20\", \"async_tothread_io0\","
              "                 \"async_tothread_io20\"]}]");
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    int rc = run(argv, 240);
    /* 1: a check failed, which is the measurement's business, not ours */
    if (rc != 0 && rc != 1) fprintf(stderr, "%s", out);
    CHECK(rc == 0 || rc == 1);

    cJSON *facts = facts_of(dir);
    const cJSON *s0 = variant(facts, "sync_io0"), *s20 = variant(facts, "sync_io20");
    const cJSON *t0 = variant(facts, "async_tothread_io0"), *t20 = variant(facts, "async_tothread_io20");
    /* What the servers reported, as the pairing reads it. */
    CHECK(!strcmp(cJSON_GetStringValue(hs_fact_at(s20, "settings.variant")), "sync"));
    CHECK(!strcmp(cJSON_GetStringValue(hs_fact_at(t0, "settings.variant")), "async_tothread"));
    CHECK(hs_fact(s20, "settings.io_delay_ms") == 20 && hs_fact(s0, "settings.io_delay_ms") == 0);
    CHECK(hs_fact(s20, "settings.threads") == 4 && hs_fact(t20, "settings.workers") == 1);

    /* The checks' verdicts follow the facts' own ratios. */
    double sp = hs_fact(s20, "latency_ms.p95") / hs_fact(s0, "latency_ms.p95");
    double tp = hs_fact(t20, "latency_ms.p95") / hs_fact(t0, "latency_ms.p95");
    double sr = hs_fact(s20, "requests_per_s") / hs_fact(s0, "requests_per_s");
    double tr = hs_fact(t20, "requests_per_s") / hs_fact(t0, "requests_per_s");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(facts, "checks");
    CHECK_EQ_INT(cJSON_GetArraySize(checks), 2);
    const char *r0 = cJSON_GetStringValue(hs_fact_at(cJSON_GetArrayItem(checks, 0), "result"));
    const char *r1 = cJSON_GetStringValue(hs_fact_at(cJSON_GetArrayItem(checks, 1), "result"));
    /* Ratios within 1e-6 of each other could round either way. */
    if (fabs(sp - tp) > 1e-6) CHECK(!strcmp(r0, sp >= tp ? "PASS" : "FAIL"));
    if (fabs(sr - tr) > 1e-6) CHECK(!strcmp(r1, sr <= tr ? "PASS" : "FAIL"));

    /* One setting_change finding per handler, with the facts' ratios; the
     * two handlers are never paired with each other. */
    const char *md = hs_cmd_slurp(dir, "summary.md");
    CHECK(strstr(md, "[words.md has no") == NULL);
    char rps[32], p95[32];
    const char *line = finding(md, "setting_change", "(sync_io0 → sync_io20)");
    CHECK(line != NULL);
    ratio_text(s0, s20, "requests_per_s", rps, sizeof rps);
    ratio_text(s0, s20, "latency_ms.p95", p95, sizeof p95);
    CHECK(strstr(line, rps) != NULL && strstr(line, p95) != NULL);
    CHECK(strstr(line, "io_delay_ms 0 → 20") != NULL);
    CHECK(finding(md, "setting_change", "(async_tothread_io0 → async_tothread_io20)") != NULL);
    CHECK(finding(md, "setting_change", "(sync_io0 → async_tothread") == NULL);

    /* wait_held: for the two with a wait, the number in their wait is
     * requests/s x 20 ms; none for the two without. */
    const char *names[] = {"sync_io20", "async_tothread_io20"};
    const cJSON *with[] = {s20, t20};
    for (int k = 0; k < 2; k++) {
        char head[128], n[32];
        hs_fact_format(hs_fact(with[k], "requests_per_s") * 20 / 1e3, n, sizeof n);
        snprintf(head, sizeof head, "%s: %s ", names[k], n);
        CHECK(finding(md, "wait_held", head) != NULL);
    }
    CHECK(finding(md, "wait_held", "sync_io0") == NULL);
    printf("iodelay run: sync x%.2f req/s, async_tothread x%.2f req/s\n", sr, tr);
    cJSON_Delete(facts);
}

/* A sweep over io_delay_ms: the first and last points' facts pair each
 * variant with itself across the wait. */
static void test_iodelay_sweep(void) {
    char lab[1100], dir[1100], p0[1200], p2[1200];
    snprintf(lab, sizeof lab, "%s/sweep.json", tmp);
    snprintf(dir, sizeof dir, "%s/iodelay-sweep", tmp);
    const char *v[] = {"sync sync \"--io-delay-ms\", \"{io_delay_ms}\""};
    write_lab(lab, v, 1, load8, "[]");
    char *argv[] = {HARNESS_BIN, "run", lab, "--sweep", "io_delay_ms=0,5,20", "--out", dir, NULL};
    int rc = run(argv, 240);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    snprintf(p0, sizeof p0, "%s/io_delay_ms-0", dir);
    snprintf(p2, sizeof p2, "%s/io_delay_ms-20", dir);
    cJSON *f0 = facts_of(p0), *f2 = facts_of(p2);
    char rps[32];
    ratio_text(variant(f0, "sync"), variant(f2, "sync"), "requests_per_s", rps, sizeof rps);
    const char *md = hs_cmd_slurp(dir, "summary.md");
    const char *line = finding(md, "setting_change", "(sync at io_delay_ms=0 → sync at io_delay_ms=20)");
    CHECK(line != NULL);
    CHECK(strstr(line, rps) != NULL);
    CHECK(strstr(md, "| sync | 0 → 20 |") != NULL);
    cJSON_Delete(f0), cJSON_Delete(f2);
}

/* 1 and 2 workers: the change in the cores, CPU and memory. */
static void test_workers_run(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/workers.json", tmp);
    snprintf(dir, sizeof dir, "%s/workers-run", tmp);
    const char *v[] = {"async_blocking_w1 async_blocking \"--workers\", \"1\"",
                       "async_blocking_w2 async_blocking \"--workers\", \"2\""};
    write_lab(lab, v, 2, load8, "[]");
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    int rc = run(argv, 240);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    cJSON *facts = facts_of(dir);
    const cJSON *w1 = variant(facts, "async_blocking_w1"), *w2 = variant(facts, "async_blocking_w2");
    CHECK(hs_fact(w1, "settings.workers") == 1 && hs_fact(w2, "settings.workers") == 2);
    const char *md = hs_cmd_slurp(dir, "summary.md");
    const char *line = finding(md, "setting_change", "(async_blocking_w1 → async_blocking_w2)");
    CHECK(line != NULL);
    CHECK(strstr(line, "workers 1 → 2") != NULL);
    char mem[32];
    ratio_text(w1, w2, "memory_after_warmup.total_mib", mem, sizeof mem);
    if (!isnan(hs_fact(w2, "memory_after_warmup.total_mib")))
        CHECK(strstr(line, mem) != NULL);
    /* uneven_spread exactly when fewer pids than workers answered */
    int spread = hs_fact(w2, "memory_after_warmup.serving_pids") < 2;
    CHECK((finding(md, "uneven_spread", "async_blocking_w2") != NULL) == spread);
    CHECK(finding(md, "wait_held", "") == NULL);
    cJSON_Delete(facts);
}

int main(void) {
    const char *base = getenv("LAB_TEST_TMP");
    weights = getenv("MINIGPT_TEST_WEIGHTS");
    CHECK(weights != NULL && access(weights, R_OK) == 0);
    snprintf(tmp, sizeof tmp, "%s/harness_settings.%ld", base ? base : "/tmp", (long)getpid());
    CHECK(mkdir(tmp, 0755) == 0);
    test_iodelay_run();
    test_iodelay_sweep();
    test_workers_run();
    /* Leaves tmp for inspection when a check fails; removes it on success. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    return 0;
}
