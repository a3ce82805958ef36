/* fuzz_readers.c - libFuzzer target: an experiment folder read back, as
 * `harness plot`, `check` and `compare` read it: the manifest (a run's or
 * a sweep's, with its embedded lab), the latencies files, facts.json; then
 * what is made from them without the network: the checks judged from the
 * facts, the plot's marks, and summary.md rendered from the facts.
 *
 * Input: manifest.json, facts.json and latencies_sync.json, in that order,
 * separated by lines "--8<--"; a missing part is a missing file.
 *
 * It aborts (a finding) when a read is refused without a reason, or when
 * it accepts numbers it promised to refuse. */
#include "cli/cli.h"
#include "common/files.h"
#include "facts/facts.h"
#include "report/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_FALLBACK_LAB
#error "FUZZ_FALLBACK_LAB: the lab file a folder without a manifest is judged by"
#endif

#define die(...) (fprintf(stderr, "fuzz_readers: " __VA_ARGS__), fputc('\n', stderr), abort())

static char dir[64];

/* The folder goes when the process ends (libFuzzer's runs end in exit()). */
static void remove_dir(void) {
    static const char *files[] = {"manifest.json", "facts.json", "latencies_sync.json",
                                  "summary.md"};
    char path[128];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void put(const char *name, const uint8_t *p, size_t n, int present) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!present) {
        unlink(path);
        return;
    }
    if (hs_write_atomic(path, (const char *)p, n) != 0) die("cannot write %s", path);
}

static void judge(const cJSON *facts, const hs_lab *lab) {
    static hs_ks_pair pairs[HS_MAX_VARIANTS * HS_MAX_VARIANTS];
    hs_ks_table ks = {pairs, hs_facts_ks_pairs(facts, pairs, sizeof pairs / sizeof pairs[0])};
    if (ks.n > sizeof pairs / sizeof pairs[0]) die("%zu pairs", ks.n);
    for (size_t i = 0; i < ks.n; i++)
        if (!(pairs[i].d >= 0 && pairs[i].d <= 1)) die("a distance of %g", pairs[i].d);
    hs_variant_result results[HS_MAX_VARIANTS];
    int nr = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!v->string || nr == HS_MAX_VARIANTS) continue;
        double p[3];
        hs_facts_percentiles_ms(facts, v->string, p);
        if (hs_facts_variant_result(facts, v->string, &results[nr]) == 0) results[nr++].ks = &ks;
    }
    for (int c = 0; lab && c < lab->n_checks; c++) {
        hs_check_result r;
        hs_check_eval(&lab->checks[c], results, (size_t)nr, &r);
        if (!memchr(r.detail, '\0', sizeof r.detail)) die("a detail without its NUL");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_readers.XXXXXX");
        if (!mkdtemp(dir)) die("mkdtemp: %s", strerror(errno));
        atexit(remove_dir);
    }
    static const char *names[3] = {"manifest.json", "facts.json", "latencies_sync.json"};
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 3; i++) {
        const uint8_t *cut = NULL;
        for (const uint8_t *q = p; q + 7 <= end && !cut; q++)
            if (!memcmp(q, "\n--8<--", 7)) cut = q;
        const uint8_t *stop = cut ? cut : end;
        put(names[i], p, (size_t)(stop - p), p < end || i == 0);
        p = cut ? cut + 7 : end;
        if (p < end && *p == '\n') p++;
    }

    char err[1024] = "";
    static hs_folder f;
    static hs_lab lab;
    int have_lab = hs_folder_read(dir, FUZZ_FALLBACK_LAB, &f, &lab, err, sizeof err) == 0;
    if (!have_lab && !err[0]) die("a folder refused without a reason");
    for (int i = 0; have_lab && i < f.n; i++)
        for (size_t k = 1; k < f.v[i].n; k++)
            if (f.v[i].sorted_s[k] < f.v[i].sorted_s[k - 1]) die("latencies not sorted");

    int rc = 0;
    err[0] = '\0';
    cJSON *facts = hs_facts_read(dir, &rc, err, sizeof err);
    if (!facts && rc != -ENOENT && !err[0]) die("facts refused without a reason");
    if (facts) {
        judge(facts, have_lab ? &lab : NULL);
        hs_facts_is_repeats(facts);
        if (have_lab) {
            hs_report r = {.lab = &lab, .facts = facts};
            hs_report_write(dir, &r);
        }
        cJSON_Delete(facts);
    }

    static hs_sweep s;
    err[0] = '\0';
    rc = hs_sweep_read(dir, &s, err, sizeof err);
    if (rc == -EINVAL && !err[0]) die("a sweep refused without a reason");
    if (rc == 0) {
        for (int vi = 0; vi < s.n_variants; vi++) {
            hs_sweep_change ch;
            int kept, behind, n;
            hs_sweep_change_of(&s, vi, &ch);
            hs_sweep_knee(&s, vi, &kept, &behind);
            hs_sweep_predicted(&s, vi, &n);
        }
    }
    if (have_lab) {
        hs_folder_free(&f);
        hs_lab_free(&lab);
    }
    return 0;
}
