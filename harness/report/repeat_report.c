/* repeat_report.c - a repeated run's summary.md: every figure as the
 * median of the repeats with its 95% interval, the checks' verdicts
 * (PASS, FAIL, UNSTABLE) with theirs, the warnings, and each repeat's
 * findings with the repeats that made them. Reads the repeats' facts
 * (facts.json here, and each repeat's own for its findings); computes no
 * figure. */
#include "report/report.h"

#include "common/strbuf.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *sub(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* "43.3 [40.1, 47.2]": a median and its interval; "n/a" when not known;
 * the median alone from one repeat (no interval). */
static void interval_cell(hs_strbuf *b, const cJSON *iv) {
    char m[32], lo[32], hi[32];
    double med = hs_fact(iv, "median");
    if (isnan(med)) {
        hs_strbuf_printf(b, "n/a");
        return;
    }
    hs_fact_format(med, m, sizeof m);
    hs_fact_format(hs_fact(iv, "lo"), lo, sizeof lo);
    hs_fact_format(hs_fact(iv, "hi"), hi, sizeof hi);
    if (hs_fact(iv, "n") < 2) hs_strbuf_printf(b, "%s", m);
    else hs_strbuf_printf(b, "%s [%s, %s]", m, lo, hi);
}

/* One cell per figure, each closed by " |". */
static void cells(hs_strbuf *b, const cJSON *v, const char *const *paths, int n) {
    for (int k = 0; k < n; k++) {
        char path[128];
        snprintf(path, sizeof path, "repeated.%s", paths[k]);
        interval_cell(b, hs_fact_at(v, path));
        hs_strbuf_printf(b, k + 1 < n ? " | " : " |");
    }
}

static void figures_table(hs_strbuf *b, const cJSON *facts) {
    static const char *const paths[] = {"latency_ms.p50", "latency_ms.p95", "latency_ms.p99",
                                        "requests_per_s"};
    hs_say_heading(b, "heading.repeat.figures", NULL);
    hs_say_line(b, "repeat.figures.head", NULL), hs_say_line(b, "repeat.figures.rule", NULL);
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        hs_strbuf_printf(b, "| %s | %.0f | ", v->string, hs_fact(v, "repeats_measured"));
        if (!cJSON_IsTrue(sub(v, "measured"))) {
            hs_strbuf_printf(b, "- | - | - | - | - |\n");
            continue;
        }
        cells(b, v, paths, 4);
        hs_strbuf_printf(b, " ");
        double ok = hs_fact(v, "pooled.ok_percent");
        if (isnan(ok)) hs_strbuf_printf(b, "n/a |\n");
        else hs_strbuf_printf(b, "%.1f%% |\n", ok);
    }
    hs_say_ctx c = {.facts = facts};
    hs_strbuf_printf(b, "\n"), hs_say(b, "repeat.figures.caption", &c), hs_strbuf_printf(b, "\n");
}

/* The evidence figures some variant has across repeats. */
static void evidence_table(hs_strbuf *b, const cJSON *facts) {
    static const char *const paths[] = {"server.cpu_ms_per_request", "server.cpu_cores_used",
                                        "probe.p95_ms", "blocks.blocked_ms"};
    int any = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts))
        for (int k = 0; k < 4; k++) {
            char path[128];
            snprintf(path, sizeof path, "repeated.%s.median", paths[k]);
            any |= !isnan(hs_fact(v, path));
        }
    if (!any) return;
    hs_say_heading(b, "heading.repeat.evidence", NULL);
    hs_say_line(b, "repeat.evidence.head", NULL), hs_say_line(b, "repeat.evidence.rule", NULL);
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!cJSON_IsTrue(sub(v, "measured"))) continue;
        hs_strbuf_printf(b, "| %s | ", v->string);
        cells(b, v, paths, 4);
        hs_strbuf_printf(b, "\n");
    }
    hs_say_ctx c = {.facts = facts};
    hs_strbuf_printf(b, "\n"), hs_say(b, "repeat.evidence.caption", &c), hs_strbuf_printf(b, "\n");
}

static void checks_table(hs_strbuf *b, const cJSON *facts) {
    const cJSON *checks = sub(facts, "checks"), *c;
    if (!cJSON_GetArraySize(checks)) return;
    hs_say_heading(b, "heading.checks", NULL);
    hs_say_line(b, "repeat.checks.head", NULL), hs_say_line(b, "repeat.checks.rule", NULL);
    cJSON_ArrayForEach(c, checks) {
        const cJSON *t = sub(c, "title"), *verdict = sub(c, "verdict");
        const char *vs = cJSON_IsString(verdict) ? verdict->valuestring : "unknown";
        char th[32];
        hs_fact_format(hs_fact(c, "threshold"), th, sizeof th);
        hs_strbuf_printf(b, "| %s | ", cJSON_IsString(t) ? t->valuestring : "?");
        interval_cell(b, sub(c, "value"));
        hs_strbuf_printf(b, " | %s %s | %.0f of %.0f | %s%s%s |\n",
                         cJSON_IsTrue(sub(c, "at_least")) ? "at least" : "at most", th,
                         hs_fact(c, "repeats_passed"), hs_fact(c, "repeats_judged"),
                         strcmp(vs, "PASS") ? "**" : "", vs, strcmp(vs, "PASS") ? "**" : "");
    }
    hs_say_ctx ctx = {.facts = facts};
    hs_strbuf_printf(b, "\n"), hs_say(b, "repeat.checks.caption", &ctx), hs_strbuf_printf(b, "\n");
}

static void warnings(hs_strbuf *b, const cJSON *facts) {
    const cJSON *list = sub(facts, "warnings"), *w;
    hs_say_heading(b, "heading.repeat.warnings", NULL);
    if (!cJSON_GetArraySize(list)) {
        hs_say_ctx c = {.facts = facts};
        hs_say(b, "repeat.warn.none", &c), hs_strbuf_printf(b, "\n");
        return;
    }
    cJSON_ArrayForEach(w, list) {
        const cJSON *kind = sub(w, "kind"), *var = sub(w, "variant"), *fig = sub(w, "figure");
        hs_say_ctx c = {.facts = facts};
        if (cJSON_IsString(var)) c.v = sub(hs_fact_variants(facts), var->valuestring);
        hs_say_str(&c, "figure", cJSON_IsString(fig) ? fig->valuestring : "");
        const char *nums[] = {"value", "median", "z", "repeat", "passed", "judged", "min", "max",
                              "threshold"};
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
            hs_say_num(&c, nums[k], hs_fact(w, nums[k]));
        const cJSON *t = sub(w, "title");
        hs_say_str(&c, "title", cJSON_IsString(t) ? t->valuestring : "");
        const char *k = cJSON_IsString(kind) ? kind->valuestring : "";
        hs_say(b, !strcmp(k, "slow_first_repeat") ? "repeat.warn.slow_first"
                  : !strcmp(k, "outlier_repeat")  ? "repeat.warn.outlier"
                                                  : "repeat.warn.disagree",
               &c);
    }
    hs_strbuf_printf(b, "\n");
}

/* A finding's text with its numbers taken out: what two repeats' findings
 * share when they say the same thing about different measurements. */
static void shape(const char *line, size_t len, char *out, size_t size) {
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < size; i++) {
        /* a number, not a digit in a name ("w1", "lab01", "p95") */
        int in_name = i > 0 && (isalnum((unsigned char)line[i - 1]) || line[i - 1] == '_');
        if (isdigit((unsigned char)line[i]) && !in_name) {
            while (i + 1 < len && (isdigit((unsigned char)line[i + 1]) || line[i + 1] == '.'))
                i++;
            out[k++] = '#';
        } else {
            out[k++] = line[i];
        }
    }
    out[k] = '\0';
}

#define MAX_FINDINGS 64

typedef struct {
    char *text;       /* the first repeat's words, malloc'd */
    char *shape;
    int first;        /* that repeat */
    int said[HS_REPEAT_MAX];
    int n_said;
} finding;

/* Each repeat's findings, as its own summary.md gives them, once each. */
static void findings(hs_strbuf *b, const char *dir, const cJSON *facts) {
    static finding found[MAX_FINDINGS];
    double ran = hs_fact(facts, "repeats.ran");
    int nf = 0, n = ran >= 0 && ran <= HS_REPEAT_MAX ? (int)ran : 0;
    const cJSON *folders = hs_fact_at(facts, "repeats.folders");
    hs_say_heading(b, "heading.findings", NULL);
    for (int r = 0; r < n && r < HS_REPEAT_MAX; r++) {
        const cJSON *name = cJSON_GetArrayItem(folders, r);
        char why[512];
        if (!cJSON_IsString(name)) continue;
        cJSON *f = hs_repeat_facts_read(dir, name->valuestring, why, sizeof why);
        if (!f) continue; /* left out: the repeats table says why */
        hs_strbuf one;
        hs_strbuf_init(&one, 4096);
        hs_rules_run(f, &one);
        for (const char *p = one.ok && one.len ? one.s : ""; *p;) {
            size_t len = strcspn(p, "\n");
            if (!strncmp(p, "- ", 2)) {
                char sh[4096];
                shape(p, len, sh, sizeof sh);
                int i = 0;
                while (i < nf && strcmp(found[i].shape, sh)) i++;
                if (i == nf && nf < MAX_FINDINGS) {
                    found[nf] = (finding){strndup(p, len), strdup(sh), r + 1, {0}, 0};
                    nf++;
                }
                /* each repeat once, however many of its lines match */
                if (i < nf && (!found[i].n_said || found[i].said[found[i].n_said - 1] != r + 1))
                    found[i].said[found[i].n_said++] = r + 1;
            }
            p += len + (p[len] == '\n');
        }
        hs_strbuf_free(&one);
        cJSON_Delete(f);
    }
    hs_say_ctx c = {.facts = facts};
    if (nf == 0) {
        hs_say(b, "repeat.findings.none", &c), hs_strbuf_printf(b, "\n");
        return;
    }
    hs_say(b, "repeat.findings.intro", &c), hs_strbuf_printf(b, "\n");
    for (int i = 0; i < nf; i++) {
        char list[1024] = "";
        size_t len = 0;
        for (int k = 0; k < found[i].n_said && len < sizeof list - 8; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%d", k ? ", " : "",
                                    found[i].said[k]);
        hs_say_ctx w = {.facts = facts};
        hs_say_str(&w, "repeats", list);
        hs_say_num(&w, "first", found[i].first);
        hs_say_str(&w, "s", found[i].n_said > 1 ? "s" : "");
        hs_strbuf_printf(b, "%s ", found[i].text);
        hs_say(b, "repeat.findings.said", &w);
        free(found[i].text), free(found[i].shape);
    }
    hs_strbuf_printf(b, "\n");
}

static void repeats_table(hs_strbuf *b, const cJSON *facts) {
    const cJSON *folders = hs_fact_at(facts, "repeats.folders"), *f;
    hs_say_heading(b, "heading.repeat.list", NULL);
    int r = 0;
    cJSON_ArrayForEach(f, folders) {
        if (!cJSON_IsString(f)) continue;
        hs_strbuf_printf(b, "%s[%s](%s/summary.md)", r++ ? ", " : "", f->valuestring,
                         f->valuestring);
    }
    hs_strbuf_printf(b, "\n\n");
    const cJSON *l;
    int left = 0;
    cJSON_ArrayForEach(l, hs_fact_at(facts, "repeats.left_out")) {
        const cJSON *folder = sub(l, "folder"), *why = sub(l, "why");
        hs_say_ctx w = {.facts = facts};
        hs_say_str(&w, "folder", cJSON_IsString(folder) ? folder->valuestring : "?");
        hs_say_str(&w, "why", cJSON_IsString(why) ? why->valuestring : "?");
        hs_say(b, "repeat.left_out", &w);
        left++;
    }
    if (left) hs_strbuf_printf(b, "\n");
    hs_say_ctx c = {.facts = facts};
    hs_say(b, "repeat.files", &c);
}

int hs_repeat_report_write(const char *dir, const hs_lab *lab, const cJSON *facts) {
    hs_strbuf b;
    hs_strbuf_init(&b, 8192);
    hs_say_ctx c = {.facts = facts};
    char settings[256];
    hs_lab_settings_phrase(lab, 0, settings, sizeof settings);
    hs_say_str(&c, "settings", settings);
    if (hs_fact(facts, "load.loadgen_threads") > 1) hs_say_sub(&c, "gen", "run.load.gen", NULL);
    else hs_say_str(&c, "gen", "");
    hs_strbuf_printf(&b, "# %s\n\n", lab->title);
    if (!cJSON_IsTrue(sub(facts, "complete")))
        hs_say(&b, "run.incomplete", &c), hs_strbuf_printf(&b, "\n");
    hs_say(&b, hs_fact(facts, "load.rate") > 0 ? "run.load.open" : "run.load", &c);
    hs_strbuf_printf(&b, "\n");
    hs_say_ctx how = {.facts = facts};
    if (hs_fact(facts, "repeats.ran") < hs_fact(facts, "repeats.planned"))
        hs_say_sub(&how, "of_planned", "repeat.of_planned", NULL);
    else hs_say_str(&how, "of_planned", "");
    hs_say(&b, "repeat.how", &how), hs_strbuf_printf(&b, "\n");
    figures_table(&b, facts);
    checks_table(&b, facts);
    warnings(&b, facts);
    evidence_table(&b, facts);
    findings(&b, dir, facts);
    repeats_table(&b, facts);
    return hs_summary_save(dir, &b);
}
