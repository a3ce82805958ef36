/* report.c - summary.md: the figures from facts.json in tables, the
 * acceptance checks, and the rules' findings (rules.h); it computes no
 * figure of its own. */
#include "report/report.h"

#include "common/files.h"
#include "common/strbuf.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *sub(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The files this run wrote, as its facts say it wrote them. */
static void files_line(hs_strbuf *b, const cJSON *facts) {
    const cJSON *v;
    int evidence = cJSON_IsTrue(hs_fact_at(facts, "evidence.collected")), blocks = 0;
    cJSON_ArrayForEach(v, hs_fact_variants(facts))
        blocks |= cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(v, "blocks"));
    hs_say_ctx c = {.facts = facts};
    if (evidence) hs_say_sub(&c, "phases", "files.phases", NULL);
    if (evidence && hs_fact(facts, "evidence.probe_rate_per_s") > 0)
        hs_say_sub(&c, "probe", "files.probe", NULL);
    if (blocks) hs_say_sub(&c, "blocks", "files.blocks", NULL);
    if (hs_fact(facts, "load.rate") > 0) hs_say_sub(&c, "open", "files.open", NULL);
    hs_say_str(&c, "phases", ""), hs_say_str(&c, "probe", ""), hs_say_str(&c, "blocks", "");
    hs_say_str(&c, "open", "");
    hs_say(b, "files", &c);
}

/* "What happened, and why": the findings of every rule over the facts,
 * then the lab's own background with its placeholders filled. An
 * incomplete run gets neither, as its variants did not run alike. */
static void findings(hs_strbuf *b, const hs_report *r) {
    hs_say_heading(b, "heading.findings", NULL);
    hs_say_ctx c = {.facts = r->facts};
    if (!cJSON_IsTrue(sub(r->facts, "complete")))
        hs_say(b, "findings.incomplete", &c), hs_strbuf_printf(b, "\n");
    else if (hs_rules_run(r->facts, b) == 0)
        hs_say(b, "findings.none", &c);
    hs_strbuf_printf(b, "\n");
    if (r->lab->background[0]) {
        hs_say_heading(b, "heading.background", NULL);
        hs_render_template(r->lab->background, r->facts, b);
        hs_strbuf_printf(b, "\n\n"); /* a paragraph of its own before the files line */
    }
}

/* facts' number, or NAN (shown as "n/a") when it is null or missing. */
static double num(const cJSON *o, const char *key) { return hs_fact(o, key); }


/* The CPUs the run could use, as measured: affinity and cgroup quota. */
static void machine_line(hs_strbuf *b, const cJSON *facts) {
    if (isnan(hs_fact(facts, "machine.cpus_available"))) return;
    const cJSON *why = hs_fact_at(facts, "machine.cpu_quota_cores_unknown");
    hs_say_ctx c = {.facts = facts};
    if (!isnan(hs_fact(facts, "machine.cpu_quota_cores")))
        hs_say_sub(&c, "quota", "machine.quota", NULL);
    else if (cJSON_IsString(why) && !strcmp(why->valuestring, "no quota is set"))
        hs_say_sub(&c, "quota", "machine.no_quota", NULL);
    hs_say_sub(&c, "quota", "machine.quota_unknown", NULL); /* the first set counts */
    hs_say(b, "machine", &c), hs_strbuf_printf(b, "\n");
}

/* Each variant's server memory after warm-up, from facts. */
static void memory_table(hs_strbuf *b, const cJSON *facts, const char *health) {
    int any = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, sub(facts, "variants"))
        any |= !isnan(num(sub(v, "memory_after_warmup"), "total_mib"));
    if (!any) return;
    hs_say_heading(b, "heading.memory", NULL);
    hs_say_line(b, "memory.head", NULL), hs_say_line(b, "memory.rule", NULL);
    cJSON_ArrayForEach(v, sub(facts, "variants")) {
        const cJSON *m = sub(v, "memory_after_warmup");
        double total = num(m, "total_mib"), pids = num(m, "serving_pids");
        if (isnan(total)) continue;
        const cJSON *procs = sub(m, "processes"), *p;
        hs_strbuf_printf(b, "| %s | %d | ", v->string, cJSON_GetArraySize(procs));
        if (isnan(pids)) hs_strbuf_printf(b, "- | ");
        else hs_strbuf_printf(b, "%.0f | ", pids);
        int k = 0;
        cJSON_ArrayForEach(p, procs) {
            double mib = num(p, "rss_mib");
            if (isnan(mib)) hs_strbuf_printf(b, "%sn/a", k++ ? ", " : "");
            else hs_strbuf_printf(b, "%s%.1f", k++ ? ", " : "", mib);
        }
        hs_strbuf_printf(b, " | %.1f |\n", total);
    }
    hs_say_ctx c = {.facts = facts};
    hs_say_str(&c, "health", health);
    hs_strbuf_printf(b, "\n"), hs_say(b, "memory.caption", &c), hs_strbuf_printf(b, "\n");
}

static void checks_table(hs_strbuf *b, const cJSON *facts) {
    const cJSON *checks = sub(facts, "checks");
    if (!cJSON_GetArraySize(checks)) return;
    hs_say_heading(b, "heading.checks", NULL);
    hs_say_line(b, "checks.head", NULL), hs_say_line(b, "checks.rule", NULL);
    const cJSON *c;
    cJSON_ArrayForEach(c, checks) {
        const cJSON *t = sub(c, "title"), *m = sub(c, "measured"), *res = sub(c, "result");
        int pass = cJSON_IsString(res) && !strcmp(res->valuestring, "PASS");
        hs_strbuf_printf(b, "| %s | %s | %s |\n", cJSON_IsString(t) ? t->valuestring : "?",
                         cJSON_IsString(m) ? m->valuestring : "?", pass ? "PASS" : "**FAIL**");
    }
    hs_strbuf_printf(b, "\n");
}

/* Each variant's failed requests by kind, and its problem, from facts. */
static void failures(hs_strbuf *b, const cJSON *facts) {
    int problems = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        static const char *const kinds[] = {"connect", "timeout", "read_write", "other",
                                            "http_not_2xx"};
        const cJSON *problem = sub(v, "problem");
        double errs = 0;
        for (int k = 0; k < 5; k++) {
            char path[64];
            snprintf(path, sizeof path, "errors.%s", kinds[k]);
            errs += isnan(hs_fact(v, path)) ? 0 : hs_fact(v, path);
        }
        if (!cJSON_IsString(problem) && !(errs > 0)) continue;
        if (!problems++) hs_say_heading(b, "heading.failures", NULL);
        hs_say_ctx c = {.facts = facts, .v = v};
        if (errs > 0) hs_say_sub(&c, "errors", "failures.errors", NULL);
        /* The first line only: the rest is a log tail, kept in the manifest. */
        if (cJSON_IsString(problem)) {
            char first[512];
            snprintf(first, sizeof first, " %.*s.", (int)strcspn(problem->valuestring, "\n"),
                     problem->valuestring);
            hs_say_str(&c, "problem", first);
        }
        hs_say_str(&c, "errors", ""), hs_say_str(&c, "problem", "");
        hs_say(b, "failures", &c);
    }
    if (problems) hs_strbuf_printf(b, "\n");
}

int hs_summary_save(const char *dir, hs_strbuf *b) {
    int rc = -ENOMEM;
    if (b->ok) {
        char path[4096];
        snprintf(path, sizeof path, "%s/summary.md", dir);
        rc = hs_write_atomic(path, b->s, b->len);
    }
    hs_strbuf_free(b);
    return rc;
}

int hs_report_write(const char *dir, const hs_report *r) {
    hs_strbuf b;
    hs_strbuf_init(&b, 8192);
    hs_say_ctx c = {.facts = r->facts};
    char settings[256];
    hs_lab_settings_phrase(r->lab, 0, settings, sizeof settings);
    hs_say_str(&c, "settings", settings);
    if (hs_fact(r->facts, "load.loadgen_threads") > 1) hs_say_sub(&c, "gen", "run.load.gen", NULL);
    else hs_say_str(&c, "gen", "");
    hs_strbuf_printf(&b, "# %s\n\n", r->lab->title);
    if (!cJSON_IsTrue(sub(r->facts, "complete")))
        hs_say(&b, "run.incomplete", &c), hs_strbuf_printf(&b, "\n");
    hs_say(&b, hs_fact(r->facts, "load.rate") > 0 ? "run.load.open" : "run.load", &c);
    hs_strbuf_printf(&b, "\n");
    machine_line(&b, r->facts);
    hs_say_ctx from = {.facts = r->facts};
    hs_say_sub(&from, "latency_from",
               hs_fact(r->facts, "load.rate") > 0 ? "latency_from.open" : "latency_from.closed", NULL);
    hs_say_table(&b, "run.variants", r->facts, NULL, &from);
    memory_table(&b, r->facts, r->lab->health);
    failures(&b, r->facts);
    checks_table(&b, r->facts);
    hs_report_evidence(&b, r);
    hs_report_blocks(&b, r);
    findings(&b, r);
    files_line(&b, r->facts);
    return hs_summary_save(dir, &b);
}
