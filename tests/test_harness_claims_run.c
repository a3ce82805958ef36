/* test_harness_claims_run.c - the stretch claims' sections in real runs
 * against miniserve, with tiny loads: a lab01-iodelay-shaped run (the
 * three variants at 0 and 20 ms, more clients than pool threads), a sweep
 * over io_delay_ms, and a run at 1 and 2 workers. Each summary must have
 * its section with the numbers of the run's own files and the verdict
 * those numbers give; which verdict that is, is not checked (no test
 * asserts on speed). */
#include "check.h"
#include "harness_cmd.h"
#include "latencies.h"
#include "stats.h"

#include <cJSON.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];         /* this test's scratch folder */
static char out[65536];        /* the last command's stdout and stderr */
static const char *weights;    /* the seeded init weights the tests use */

/* Runs argv with its output into out. */
static int run(char *const argv[], double timeout_s) {
    return hs_cmd_run(argv, timeout_s, NULL, tmp, out, sizeof out);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    CHECK(fclose(f) == 0);
}

static char *slurp(const char *dir, const char *name) {
    static char buf[1 << 20];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) fprintf(stderr, "missing %s\n", path);
    CHECK(f != NULL);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void expect(const char *md, const char *want) {
    if (!strstr(md, want)) fprintf(stderr, "missing \"%s\" in:\n%s\n", want, md);
    CHECK(strstr(md, want) != NULL);
}

/* Writes a lab of miniserve variants on the test weights. Each entry of
 * variants is "name variant extra-args-json"; load is the load object. */
static void write_lab(const char *path, const char *const *variants, int n, const char *load) {
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
             "{\"name\": \"claimslab\", \"title\": \"Claims test lab\", \"folder\": \"claims-test\",\n"
             " \"request\": {\"method\": \"POST\", \"path\": \"/correct\", \"health\": \"/healthz\",\n"
             "   \"payloads\": \"{source}/experiments/prompts/lab01_verb_corrections.json\"},\n"
             " \"load\": %s,\n \"variants\": [%s]}\n", load, vars);
    write_file(path, text);
}

static void ms(char *buf, size_t size, double seconds) {
    double v = seconds * 1e3;
    snprintf(buf, size, v < 10 ? "%.2f" : "%.1f", v);
}

/* name's numbers as the run recorded them: percentiles from its
 * latencies file, requests/s from the manifest. */
static hs_summary numbers(const char *dir, const cJSON *manifest, const char *name) {
    char path[2048], err[512];
    snprintf(path, sizeof path, "%s/latencies_%s.json", dir, name);
    hs_sample *s;
    size_t n;
    CHECK_EQ_INT(hs_latencies_read(path, &s, &n, err, sizeof err), 0);
    hs_summary sum;
    CHECK_EQ_INT(hs_summarize(s, n, 1, &sum), 0);
    free(s);
    const cJSON *v;
    sum.rps = -1;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(manifest, "variants"))
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring, name))
            sum.rps = cJSON_GetObjectItemCaseSensitive(v, "throughput_rps")->valuedouble;
    CHECK(sum.rps > 0);
    return sum;
}

/* The summary's row for a variant measured as a and b, as claims.c
 * prints it; label is its name cell. */
static void expect_row(const char *md, const char *label, const hs_summary *a,
                       const hs_summary *b) {
    char row[512], a50[32], b50[32], a95[32], b95[32];
    ms(a50, sizeof a50, a->p50_s), ms(b50, sizeof b50, b->p50_s);
    ms(a95, sizeof a95, a->p95_s), ms(b95, sizeof b95, b->p95_s);
    snprintf(row, sizeof row, "| %s | %.1f → %.1f | ×%.2f | %s → %s | %s → %s | ×%.2f |", label,
             a->rps, b->rps, b->rps / a->rps, a50, b50, a95, b95, b->p95_s / a->p95_s);
    expect(md, row);
}

/* The verdict sync's and async_tothread's numbers give. */
static const char *verdict(const hs_summary *s0, const hs_summary *s1, const hs_summary *t0,
                           const hs_summary *t1) {
    int rps = s1->rps / s0->rps < t1->rps / t0->rps;
    int p95 = s1->p95_s / s0->p95_s > t1->p95_s / t0->p95_s;
    return rps && p95   ? "**Verdict: the claim held.**"
           : !rps && !p95 ? "**Verdict: the claim did not hold.**"
           : rps          ? "**Verdict: the claim held on requests/s, not on p95.**"
                          : "**Verdict: the claim held on p95, not on requests/s.**";
}

static const char *load8 = "{\"concurrency\": 8, \"total\": 40, \"warmup\": 4, \"timeout_s\": 30, "
                           "\"workers\": 1, \"threads\": 4, \"seed\": 0}";

/* lab01-iodelay's shape: 8 clients against 4 threads, 0 and 20 ms. */
static void test_iodelay_run(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/iodelay.json", tmp);
    snprintf(dir, sizeof dir, "%s/iodelay-run", tmp);
    const char *kinds[] = {"sync", "async_blocking", "async_tothread"};
    const char *v[6];
    char specs[6][128];
    for (int i = 0; i < 6; i++) {
        snprintf(specs[i], sizeof specs[i], "%s_io%d %s \"--io-delay-ms\", \"%d\"", kinds[i % 3],
                 i < 3 ? 0 : 20, kinds[i % 3], i < 3 ? 0 : 20);
        v[i] = specs[i];
    }
    write_lab(lab, v, 6, load8);
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    int rc = run(argv, 240);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);

    cJSON *m = cJSON_Parse(slurp(dir, "manifest.json"));
    CHECK(m != NULL);
    hs_summary at0[3], at20[3];
    for (int k = 0; k < 3; k++) {
        char n0[64], n20[64];
        snprintf(n0, sizeof n0, "%s_io0", kinds[k]);
        snprintf(n20, sizeof n20, "%s_io20", kinds[k]);
        at0[k] = numbers(dir, m, n0), at20[k] = numbers(dir, m, n20);
    }
    cJSON_Delete(m);
    const char *md = slurp(dir, "summary.md");
    expect(md, "## The I/O-wait claim: 0 vs 20 ms of extra wait per request");
    expect(md, "Same load at both settings: 8 concurrent clients, 1 worker process, 4 pool threads "
               "per worker.");
    for (int k = 0; k < 3; k++) {
        char label[128];
        snprintf(label, sizeof label, "%s_io0 → %s_io20", kinds[k], kinds[k]);
        expect_row(md, label, &at0[k], &at20[k]);
    }
    expect(md, verdict(&at0[0], &at20[0], &at0[2], &at20[2]));
    expect(md, "4 × 1000 / 20 = 200 requests/s");
    expect(md, "8 clients were in flight against 4 threads, so it bites clearly");
    expect(md, "1 × 1000 / 20 = 50 requests/s");
    CHECK(strstr(md, "## Workers") == NULL);
    printf("iodelay run: sync %.0f -> %.0f req/s, async_tothread %.0f -> %.0f req/s\n",
           at0[0].rps, at20[0].rps, at0[2].rps, at20[2].rps);
}

/* A sweep over io_delay_ms: the section compares the first point with the
 * last, from the sweep's own numbers. */
static void test_iodelay_sweep(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/sweep.json", tmp);
    snprintf(dir, sizeof dir, "%s/iodelay-sweep", tmp);
    const char *v[] = {"sync sync \"--io-delay-ms\", \"{io_delay_ms}\"",
                       "async_tothread async_tothread \"--io-delay-ms\", \"{io_delay_ms}\""};
    write_lab(lab, v, 2, load8);
    char *argv[] = {HARNESS_BIN, "run", lab, "--sweep", "io_delay_ms=0,5,20", "--out", dir, NULL};
    int rc = run(argv, 240);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    const char *names[] = {"sync", "async_tothread"};
    hs_summary first[2], last[2];
    for (int k = 0; k < 2; k++) {
        char p0[1200], p2[1200];
        snprintf(p0, sizeof p0, "%s/io_delay_ms-0", dir);
        snprintf(p2, sizeof p2, "%s/io_delay_ms-20", dir);
        cJSON *m0 = cJSON_Parse(slurp(p0, "manifest.json"));
        first[k] = numbers(p0, m0, names[k]);
        cJSON_Delete(m0);
        cJSON *m2 = cJSON_Parse(slurp(p2, "manifest.json"));
        last[k] = numbers(p2, m2, names[k]);
        cJSON_Delete(m2);
    }
    const char *md = slurp(dir, "summary.md");
    expect(md, "## The I/O-wait claim: 0 vs 20 ms of extra wait per request");
    for (int k = 0; k < 2; k++) expect_row(md, names[k], &first[k], &last[k]);
    expect(md, verdict(&first[0], &last[0], &first[1], &last[1]));
    expect(md, "4 × 1000 / 20 = 200 requests/s");
}

/* 1 and 2 workers: the workers note, with memory from the run. */
static void test_workers_run(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/workers.json", tmp);
    snprintf(dir, sizeof dir, "%s/workers-run", tmp);
    const char *v[] = {"async_blocking_w1 async_blocking \"--workers\", \"1\"",
                       "async_blocking_w2 async_blocking \"--workers\", \"2\""};
    write_lab(lab, v, 2, load8);
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    int rc = run(argv, 240);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    cJSON *m = cJSON_Parse(slurp(dir, "manifest.json"));
    hs_summary w1 = numbers(dir, m, "async_blocking_w1"), w2 = numbers(dir, m, "async_blocking_w2");
    cJSON_Delete(m);
    const char *md = slurp(dir, "summary.md");
    expect(md, "## Workers: 1 vs 2 server processes");
    expect_row(md, "async_blocking_w1 → async_blocking_w2", &w1, &w2);
    char gain[160];
    snprintf(gain, sizeof gain, "**async_blocking's requests/s went ×%.2f from 1 to 2 workers**",
             w2.rps / w1.rps);
    expect(md, gain);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    expect(md, cores < 2 ? "2 workers are more than the cores"
                         : "2 workers are no more than the cores");
    expect(md, "Total resident memory after warm-up, 1 → 2 workers: async_blocking ");
    expect(md, "(the server-memory table above)");
    CHECK(strstr(md, "I/O-wait claim") == NULL);
}

int main(void) {
    const char *base = getenv("LAB_TEST_TMP");
    weights = getenv("MINIGPT_TEST_WEIGHTS");
    CHECK(weights != NULL && access(weights, R_OK) == 0);
    snprintf(tmp, sizeof tmp, "%s/harness_claims.%ld", base ? base : "/tmp", (long)getpid());
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
