/* compare.c - `harness compare DIR_A DIR_B`: per variant and figure, B/A
 * with its 95% interval and a verdict (faster, slower, no difference), as
 * a markdown table; with --fail-if, a performance regression test.
 *
 * Where the interval comes from:
 * - both folders repeated runs (--repeat): the repeats. Each side's
 *   per-repeat figures are resampled, whole repeats, and the ratio is of
 *   the two medians, so the drift between runs is in the interval;
 * - otherwise the requests: each side's recorded latencies are resampled
 *   and the ratio is of the two percentiles. That interval knows nothing
 *   of the drift between runs (lab01's p95 moved by half between two
 *   sittings here), so it can call a difference that another minute would
 *   not show; the output says so. requests/s is one number per run and has
 *   no interval then.
 *
 * Folders are compared only when they measured the same thing: the same
 * lab, variants and load. Server settings (workers, threads, io_delay_ms)
 * may differ: a change to the server is what a comparison is for. */
#include "cli/cli.h"

#include "facts/facts.h"
#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;    /* as --fail-if names it */
    const char *path;    /* in a variant's facts */
    double q;            /* its percentile of the requests; < 0: not a latency */
    int slower;          /* +1: larger is slower; -1: smaller is */
} figure;

static const figure figures[] = {
    {"p50", "latency_ms.p50", 50, +1},
    {"p95", "latency_ms.p95", 95, +1},
    {"p99", "latency_ms.p99", 99, +1},
    {"rps", "requests_per_s", -1, -1},
};
#define N_FIGURES (int)(sizeof figures / sizeof figures[0])

#define MAX_FAIL_IF 16
typedef struct {
    char variant[HS_NAME_MAX]; /* "" : every variant */
    int figure;
    int above;                 /* '>': trips when B/A is above 1 + pct/100 */
    double limit;              /* that ratio */
    char text[96];
} fail_if;

typedef struct {
    char dir[4096];
    cJSON *manifest, *facts;
    int repeats;     /* repeats it ran, 0: a single run */
    hs_folder folder; /* its latencies (a repeated run's pooled) */
} side;

static void side_free(side *s) {
    cJSON_Delete(s->manifest), cJSON_Delete(s->facts);
    hs_folder_free(&s->folder);
}

static int side_open(const char *dir, side *s) {
    char err[4096];
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (!(s->manifest = hs_json_read(dir, "manifest.json"))) {
        fprintf(stderr, "harness: compare: %s has no readable manifest.json (not a run's "
                        "folder?)\n", dir);
        return -1;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(s->manifest, "kind");
    double ran = hs_fact(s->manifest, "repeats.ran");
    if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "repeats"))
        s->repeats = ran >= 1 && ran <= HS_REPEAT_MAX ? (int)ran : 0;
    int rc;
    s->facts = hs_facts_read(dir, &rc, err, sizeof err);
    if (s->repeats && !s->facts) {
        fprintf(stderr, "harness: compare: %s\n", err);
        return -1;
    }
    if (hs_folder_read(dir, NULL, &s->folder, NULL, err, sizeof err)) {
        fprintf(stderr, "harness: compare: %s\n", err);
        return -1;
    }
    return 0;
}

static const hs_folder_variant *latencies_of(const side *s, const char *name) {
    for (int i = 0; i < s->folder.n; i++)
        if (!strcmp(s->folder.v[i].name, name) && s->folder.v[i].n) return &s->folder.v[i];
    return NULL;
}

static const cJSON *facts_of(const side *s, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(hs_fact_variants(s->facts), name);
}

/* The load settings that must match for two folders to measure the same
 * thing; a rate set from the service time is compared as that factor. */
static const char *const load_keys[] = {"concurrency", "total", "warmup", "timeout_s", "seed",
                                        "probe_rate", "duration_s", "poisson", "max_in_flight",
                                        "rate_per_service", "loadgen_threads", "evidence",
                                        "method", "path", "rate"};
static const char *const server_keys[] = {"workers", "threads", "io_delay_ms",
                                          "detect_blocking_ms"};

static void value_text(const cJSON *v, char *out, size_t size) {
    if (cJSON_IsNumber(v)) snprintf(out, size, "%g", v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(out, size, "%s", v->valuestring);
    else if (cJSON_IsBool(v)) snprintf(out, size, "%s", cJSON_IsTrue(v) ? "on" : "off");
    else snprintf(out, size, "none");
}

/* What keeps A and B from measuring the same thing, one line each into
 * why; and the server settings they differ in, into changed. Returns how
 * many mismatches. */
static int mismatches(const side *a, const side *b, char *why, size_t why_size, char *changed,
                      size_t changed_size) {
    int n = 0;
    size_t wl = 0, cl = 0;
    why[0] = changed[0] = '\0';
    const cJSON *la = cJSON_GetObjectItemCaseSensitive(a->manifest, "lab");
    const cJSON *lb = cJSON_GetObjectItemCaseSensitive(b->manifest, "lab");
    char ta[256], tb[256];
    value_text(la, ta, sizeof ta), value_text(lb, tb, sizeof tb);
    if (strcmp(ta, tb)) {
        wl += (size_t)snprintf(why + wl, why_size - wl, "  lab: %s against %s\n", ta, tb);
        n++;
    }
    int same_variants = a->folder.n == b->folder.n;
    for (int i = 0; same_variants && i < a->folder.n; i++)
        same_variants = !strcmp(a->folder.v[i].name, b->folder.v[i].name);
    if (!same_variants && wl < why_size) {
        wl += (size_t)snprintf(why + wl, why_size - wl, "  variants:");
        for (int i = 0; i < a->folder.n && wl < why_size; i++)
            wl += (size_t)snprintf(why + wl, why_size - wl, " %s", a->folder.v[i].name);
        for (int i = 0; i < b->folder.n && wl < why_size; i++)
            wl += (size_t)snprintf(why + wl, why_size - wl, "%s%s", i ? " " : " against ",
                                   b->folder.v[i].name);
        if (wl < why_size) wl += (size_t)snprintf(why + wl, why_size - wl, "\n");
        n++;
    }
    const cJSON *A = cJSON_GetObjectItemCaseSensitive(a->manifest, "load");
    const cJSON *B = cJSON_GetObjectItemCaseSensitive(b->manifest, "load");
    int by_service = hs_fact(A, "rate_per_service") > 0 && hs_fact(B, "rate_per_service") > 0;
    for (size_t k = 0; k < sizeof load_keys / sizeof load_keys[0] && wl < why_size; k++) {
        /* S differs run to run, and with a duration so does the count */
        if (by_service && (!strcmp(load_keys[k], "rate") ||
                           (!strcmp(load_keys[k], "total") && hs_fact(A, "duration_s") > 0)))
            continue;
        value_text(cJSON_GetObjectItemCaseSensitive(A, load_keys[k]), ta, sizeof ta);
        value_text(cJSON_GetObjectItemCaseSensitive(B, load_keys[k]), tb, sizeof tb);
        if (strcmp(ta, tb)) {
            wl += (size_t)snprintf(why + wl, why_size - wl, "  load %s: %s against %s\n",
                                   load_keys[k], ta, tb);
            n++;
        }
    }
    for (size_t k = 0; k < sizeof server_keys / sizeof server_keys[0] && cl < changed_size; k++) {
        value_text(cJSON_GetObjectItemCaseSensitive(A, server_keys[k]), ta, sizeof ta);
        value_text(cJSON_GetObjectItemCaseSensitive(B, server_keys[k]), tb, sizeof tb);
        if (strcmp(ta, tb))
            cl += (size_t)snprintf(changed + cl, changed_size - cl, "%s%s %s -> %s",
                                   cl ? ", " : "", server_keys[k], ta, tb);
    }
    return n;
}

/* B/A for one figure of one variant, with its interval (NAN when there is
 * none), and the two sides' own values. */
typedef struct {
    double a, b;
    hs_interval iv;
    const char *verdict;
} comparison;

static int finite_values(const cJSON *arr, double *out) {
    int n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
        if (cJSON_IsNumber(x) && isfinite(x->valuedouble) && n < HS_REPEAT_MAX)
            out[n++] = x->valuedouble;
    return n;
}

static void compare_figure(const side *a, const side *b, const char *name, const figure *f,
                           int by_repeats, comparison *c) {
    c->iv = (hs_interval){NAN, NAN, NAN, 0};
    c->a = c->b = NAN;
    char path[160];
    if (by_repeats) {
        double va[HS_REPEAT_MAX], vb[HS_REPEAT_MAX];
        snprintf(path, sizeof path, "repeated.%s.values", f->path);
        int na = finite_values(hs_fact_at(facts_of(a, name), path), va);
        int nb = finite_values(hs_fact_at(facts_of(b, name), path), vb);
        snprintf(path, sizeof path, "repeated.%s.median", f->path);
        c->a = hs_fact(facts_of(a, name), path), c->b = hs_fact(facts_of(b, name), path);
        c->iv.value = c->b / c->a;
        if (na >= 2 && nb >= 2) /* one repeat a side has no spread to resample */
            hs_bootstrap_ratio(va, (size_t)na, vb, (size_t)nb, 50, HS_REPEAT_RESAMPLES,
                               HS_REPEAT_SEED, HS_REPEAT_CONF, &c->iv);
    } else if (f->q >= 0) {
        const hs_folder_variant *la = latencies_of(a, name), *lb = latencies_of(b, name);
        if (la && lb) {
            hs_percentile(la->sorted_s, la->n, f->q, &c->a);
            hs_percentile(lb->sorted_s, lb->n, f->q, &c->b);
            c->a *= 1e3, c->b *= 1e3;
            hs_bootstrap_ratio(la->sorted_s, la->n, lb->sorted_s, lb->n, f->q,
                               HS_REPEAT_RESAMPLES, HS_REPEAT_SEED, HS_REPEAT_CONF, &c->iv);
        }
    } else {
        /* one requests/s per run: its ratio, with no interval */
        snprintf(path, sizeof path, a->repeats ? "repeated.%s.median" : "%s", f->path);
        c->a = hs_fact(facts_of(a, name), path);
        snprintf(path, sizeof path, b->repeats ? "repeated.%s.median" : "%s", f->path);
        c->b = hs_fact(facts_of(b, name), path);
        c->iv.value = c->b / c->a;
    }
    int known = c->iv.lo <= c->iv.hi;
    int above = known && c->iv.lo > 1, below = known && c->iv.hi < 1;
    c->verdict = !known                  ? "no interval"
                 : !above && !below      ? "no difference at 95%"
                 : (above ? 1 : -1) == f->slower ? "slower"
                                                 : "faster";
}

static void ratio_cell(char *out, size_t size, const hs_interval *iv) {
    if (!isfinite(iv->value)) snprintf(out, size, "n/a");
    else if (!(iv->lo <= iv->hi)) snprintf(out, size, "%.3f", iv->value);
    else snprintf(out, size, "%.3f [%.3f, %.3f]", iv->value, iv->lo, iv->hi);
}

/* Compares two folders that are not sweeps. Returns 0 (no threshold
 * crossed), 1 (one crossed beyond doubt), 3 (none crossed, but some
 * interval reaches past a threshold: undecided), or 2 when refused. */
static int compare_runs(const char *dir_a, const char *dir_b, const fail_if *fi, int n_fi,
                        int force) {
    side a, b;
    int rc = HS_EXIT_USAGE;
    if (side_open(dir_a, &a)) return HS_EXIT_USAGE;
    if (side_open(dir_b, &b)) {
        side_free(&a);
        return HS_EXIT_USAGE;
    }
    char why[4096], changed[512];
    int bad = mismatches(&a, &b, why, sizeof why, changed, sizeof changed);
    if (bad && !force) {
        fprintf(stderr, "harness: compare: %s and %s did not measure the same thing:\n%s"
                        "(--force compares them anyway, variant by variant where both have "
                        "it)\n", dir_a, dir_b, why);
        goto out;
    }
    /* A threshold on a variant not in both would judge nothing: refused
     * before anything is printed. */
    for (int t = 0; t < n_fi; t++) {
        if (!fi[t].variant[0]) continue;
        int in_a = 0, in_b = 0;
        for (int i = 0; i < a.folder.n; i++) in_a |= !strcmp(a.folder.v[i].name, fi[t].variant);
        for (int i = 0; i < b.folder.n; i++) in_b |= !strcmp(b.folder.v[i].name, fi[t].variant);
        if (!in_a || !in_b) {
            fprintf(stderr, "harness: compare: --fail-if '%s': %s is not a variant of both "
                            "folders\n", fi[t].text, fi[t].variant);
            goto out;
        }
    }
    int by_repeats = a.repeats > 1 && b.repeats > 1;
    printf("A: %s (%s)\nB: %s (%s)\n\n", dir_a,
           a.repeats ? "repeated run" : "single run", dir_b,
           b.repeats ? "repeated run" : "single run");
    const side *sides[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        if (!sides[k]->repeats) continue;
        double used = hs_fact(sides[k]->facts, "repeats.used");
        if (used >= 0 && used < sides[k]->repeats)
            printf("%c ran %d repeats, %.0f of them used. ", "AB"[k], sides[k]->repeats, used);
        else
            printf("%c ran %d repeats. ", "AB"[k], sides[k]->repeats);
    }
    if (by_repeats)
        printf("B/A is the ratio of the two sides' medians across their repeats; its 95%% "
               "interval resamples whole repeats on each side (%d resamples).\n",
               HS_REPEAT_RESAMPLES);
    else
        printf("B/A is the ratio of the two sides' percentiles over their recorded requests; "
               "its 95%% interval resamples the requests on each side (%d resamples). It does "
               "not hold the drift between runs: compare repeated runs (--repeat) to have it. "
               "requests/s is one number per run and has no interval here.\n",
               HS_REPEAT_RESAMPLES);
    if (changed[0]) printf("\nB's servers differ from A's in: %s.\n", changed);
    if (bad) printf("\nCompared with --force, though:\n%s", why);
    printf("\n| variant | figure | A | B | B/A [95%% interval] | B against A |\n"
           "| --- | --- | ---: | ---: | ---: | --- |\n");
    int tripped = 0, undecided = 0, judged[MAX_FAIL_IF] = {0};
    char verdicts[8192] = "";
    size_t vl = 0;
    for (int i = 0; i < a.folder.n; i++) {
        const char *name = a.folder.v[i].name;
        int in_b = 0;
        for (int j = 0; j < b.folder.n; j++) in_b |= !strcmp(b.folder.v[j].name, name);
        if (!in_b) continue;
        for (int k = 0; k < N_FIGURES; k++) {
            comparison c;
            char cell[96];
            compare_figure(&a, &b, name, &figures[k], by_repeats, &c);
            ratio_cell(cell, sizeof cell, &c.iv);
            printf("| %s | %s | %.4g | %.4g | %s | %s |\n", name, figures[k].name, c.a, c.b,
                   cell, c.verdict);
            for (int t = 0; t < n_fi; t++) {
                if (fi[t].figure != k || (fi[t].variant[0] && strcmp(fi[t].variant, name)))
                    continue;
                int known = c.iv.lo <= c.iv.hi;
                int crossed = known && (fi[t].above ? c.iv.lo > fi[t].limit
                                                    : c.iv.hi < fi[t].limit);
                int reaches = !known || (fi[t].above ? c.iv.hi > fi[t].limit
                                                     : c.iv.lo < fi[t].limit);
                const char *said = crossed ? "TRIPPED" : reaches ? "UNDECIDED" : "ok";
                judged[t]++;
                tripped += crossed, undecided += !crossed && reaches;
                if (vl < sizeof verdicts)
                    vl += (size_t)snprintf(verdicts + vl, sizeof verdicts - vl,
                                           "%-9s --fail-if '%s' on %s: B/A %s\n", said,
                                           fi[t].text, name, cell);
            }
        }
    }
    if (n_fi) printf("\n%s", verdicts);
    rc = tripped ? HS_EXIT_FAILED : undecided ? HS_EXIT_UNSTABLE : HS_EXIT_OK;
    /* A threshold that judged nothing would pass a regression silently. */
    for (int t = 0; t < n_fi; t++)
        if (!judged[t]) {
            fprintf(stderr, "harness: compare: --fail-if '%s' names a variant that is not in "
                            "both folders\n", fi[t].text);
            rc = HS_EXIT_USAGE;
        }
out:
    side_free(&a), side_free(&b);
    return rc;
}

/* Two sweeps' folders, point by point at the values both ran. */
static int compare_sweeps(const char *dir_a, const hs_sweep *a, const char *dir_b,
                          const hs_sweep *b, const fail_if *fi, int n_fi, int force) {
    int same = a->spec.param == b->spec.param && a->spec.n == b->spec.n;
    for (int i = 0; same && i < a->spec.n; i++) same = a->spec.values[i] == b->spec.values[i];
    if (a->spec.param != b->spec.param || (!same && !force)) {
        fprintf(stderr, "harness: compare: the sweeps differ in %s (--force compares the points "
                        "both ran, when they sweep the same parameter)\n",
                a->spec.param != b->spec.param ? "the parameter swept" : "the values swept");
        return HS_EXIT_USAGE;
    }
    int worst = HS_EXIT_OK;
    for (int i = 0; i < a->spec.n; i++) {
        int j = 0;
        while (j < b->spec.n && b->spec.values[j] != a->spec.values[i]) j++;
        if (j == b->spec.n) continue;
        char pa[4200], pb[4200];
        printf("\n## %s=%ld\n\n", hs_sweep_param_name(a->spec.param), a->spec.values[i]);
        fflush(stdout);
        if (!hs_point_folder(dir_a, a, i, stdout, pa, sizeof pa) ||
            !hs_point_folder(dir_b, b, j, stdout, pb, sizeof pb))
            continue;
        int rc = compare_runs(pa, pb, fi, n_fi, force);
        fflush(stdout);
        /* a refusal, then a threshold crossed, then one undecided */
        if (rc == HS_EXIT_USAGE || (rc == HS_EXIT_FAILED && worst != HS_EXIT_USAGE) ||
            (rc == HS_EXIT_UNSTABLE && worst == HS_EXIT_OK))
            worst = rc;
    }
    return worst;
}

/* "p95>+10%", "rps<-5%", "sync:p99>+20%". 0, or -1 after saying why. */
static int parse_fail_if(const char *text, fail_if *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", text);
    const char *colon = strchr(text, ':'), *p = text;
    if (colon) {
        if ((size_t)(colon - text) >= sizeof out->variant) goto bad;
        memcpy(out->variant, text, (size_t)(colon - text));
        p = colon + 1;
    }
    size_t len = strcspn(p, "<>");
    if (!p[len]) goto bad;
    out->figure = -1;
    for (int k = 0; k < N_FIGURES; k++)
        if (strlen(figures[k].name) == len && !strncmp(p, figures[k].name, len)) out->figure = k;
    if (out->figure < 0) goto bad;
    out->above = p[len] == '>';
    /* the sign says the direction again: '>' with '+', '<' with '-' */
    if (p[len + 1] != (out->above ? '+' : '-')) goto bad;
    char *end;
    double pct = strtod(p + len + 1, &end);
    if (end == p + len + 1 || strcmp(end, "%") || !isfinite(pct) || pct <= -100) goto bad;
    out->limit = 1 + pct / 100;
    return 0;
bad:
    fprintf(stderr, "harness: compare: --fail-if takes [VARIANT:]FIGURE>+N%% (B above A "
                    "by more than N%%) or [VARIANT:]FIGURE<-N%% (below by more), FIGURE one of "
                    "p50, p95, p99, rps (e.g. 'p95>+10%%', 'rps<-5%%'), not \"%s\"\n", text);
    return -1;
}

int hs_cmd_compare(int argc, char **argv, const hs_paths *p) {
    (void)p;
    static const struct option opts[] = {{"fail-if", required_argument, NULL, 'f'},
                                         {"force", no_argument, NULL, 'F'},
                                         {NULL, 0, NULL, 0}};
    fail_if fi[MAX_FAIL_IF];
    int n_fi = 0, force = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'F') {
            force = 1;
            continue;
        }
        if (c != 'f') return HS_EXIT_USAGE;
        /* one flag may hold several, comma-separated */
        char list[512];
        snprintf(list, sizeof list, "%s", optarg);
        if (strspn(list, ", ") == strlen(list)) { /* "" or ",": nothing to test */
            fprintf(stderr, "harness: compare: --fail-if \"%s\" has no threshold\n", optarg);
            return HS_EXIT_USAGE;
        }
        for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (n_fi == MAX_FAIL_IF) {
                fprintf(stderr, "harness: compare: at most %d --fail-if thresholds\n",
                        MAX_FAIL_IF);
                return HS_EXIT_USAGE;
            }
            if (parse_fail_if(t, &fi[n_fi++])) return HS_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "harness: compare takes two folders, DIR_A (before) and DIR_B "
                        "(after)\n");
        return HS_EXIT_USAGE;
    }
    const char *da = argv[optind], *db = argv[optind + 1];
    hs_sweep *sa, *sb;
    int a_sweep = hs_as_sweep(da, &sa);
    if (a_sweep < 0) return HS_EXIT_USAGE;
    int b_sweep = hs_as_sweep(db, &sb);
    if (b_sweep < 0) {
        free(sa);
        return HS_EXIT_USAGE;
    }
    int rc;
    if (a_sweep != b_sweep) {
        fprintf(stderr, "harness: compare: %s is a sweep's folder and %s is not\n",
                a_sweep ? da : db, a_sweep ? db : da);
        rc = HS_EXIT_USAGE;
    } else if (a_sweep) {
        rc = compare_sweeps(da, sa, db, sb, fi, n_fi, force);
    } else {
        rc = compare_runs(da, db, fi, n_fi, force);
    }
    free(sa), free(sb);
    return rc;
}
