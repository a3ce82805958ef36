/* claims_pairs.c - which of a lab's variants compare: those whose commands
 * are the same but for one flag's value. Read from the commands rather
 * than from names or an extra list in the lab file, because the command
 * is what reached the server: two variants that differ anywhere else
 * (another --variant, another --threads) do not isolate the parameter. */
#include "claims.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 1 when argument s is flag ("--flag"), 2 when it is "--flag=V", else 0. */
static int flag_form(const char *s, const char *flag) {
    size_t fl = strlen(flag);
    if (strncmp(s, flag, fl)) return 0;
    return s[fl] == '\0' ? 1 : s[fl] == '=' ? 2 : 0;
}

/* Where flag is in v's command: *pos is the argument holding it and
 * *joined says "--flag=V" (else the value is the next argument). Returns
 * 1, 0 when it is absent, or -1 when it has no value or appears more than
 * once. */
static int locate(const hs_variant_def *v, const char *flag, int *pos, int *joined) {
    int found = 0, usable = 0;
    for (int a = 0; a < v->argc; a++) {
        int form = flag_form(v->argv[a], flag);
        if (!form) continue;
        found++;
        if ((form == 1 && a + 1 < v->argc) || form == 2) *pos = a, *joined = form == 2, usable++;
    }
    return found == 0 ? 0 : found == 1 && usable == 1 ? 1 : -1;
}

/* The value's text: the argument after the flag, or after its '='. */
static const char *value_text(const hs_variant_def *v, int pos, int joined) {
    return joined ? strchr(v->argv[pos], '=') + 1 : v->argv[pos + 1];
}

static int parse_value(const char *tmpl, const hs_load_params *load, long *out) {
    /* Only the load's placeholders can matter in a number; the paths are
     * given as empty so that a stray one still expands. */
    hs_placeholders ph = {.bin = "", .source = "", .weights = "", .workers = load->workers,
                          .threads = load->threads, .io_delay_ms = load->io_delay_ms};
    char buf[64], *end;
    if (hs_expand(tmpl, &ph, buf, sizeof buf) || !buf[0]) return -1;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

long hs_claims_flag_value(const hs_variant_def *v, const char *flag,
                          const hs_load_params *load, long def) {
    int pos, joined;
    long out;
    if (locate(v, flag, &pos, &joined) != 1 ||
        parse_value(value_text(v, pos, joined), load, &out))
        return def;
    return out;
}

/* What miniserve runs with when its command leaves a flag out. */
static const struct {
    const char *flag;
    long value;
} miniserve_defaults[] = {
    {"--workers", 1}, {"--threads", HS_DEFAULT_THREADS}, {"--io-delay-ms", 0}};

long hs_claims_server_setting(const hs_variant_def *v, const char *flag,
                              const hs_load_params *load) {
    int pos, joined;
    if (locate(v, flag, &pos, &joined)) return hs_claims_flag_value(v, flag, load, -1);
    if (hs_claims_is_miniserve(hs_claims_program(v)))
        for (size_t i = 0; i < sizeof miniserve_defaults / sizeof miniserve_defaults[0]; i++)
            if (!strcmp(flag, miniserve_defaults[i].flag)) return miniserve_defaults[i].value;
    return -1;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

const char *hs_claims_program(const hs_variant_def *v) {
    int a = 0;
    /* "/usr/bin/env NAME=VALUE ... program": the program comes after. */
    if (v->argc > 0 && !strcmp(base_name(v->argv[0]), "env"))
        for (a = 1; a < v->argc && strchr(v->argv[a], '=') && v->argv[a][0] != '-'; a++) continue;
    return a < v->argc ? base_name(v->argv[a]) : "";
}

int hs_claims_is_miniserve(const char *program) { return !strcmp(program, "miniserve"); }

/* 1 if a and b have the flag at the same place and every other argument
 * the same. */
static int same_but_flag(const hs_variant_def *a, int pa, int ja, const hs_variant_def *b,
                         int pb, int jb) {
    if (a->argc != b->argc || pa != pb || ja != jb) return 0;
    int skip = ja ? pa : pa + 1; /* the value ("--flag=V" holds it whole) */
    for (int i = 0; i < a->argc; i++)
        if (i != skip && strcmp(a->argv[i], b->argv[i])) return 0;
    return 1;
}

int hs_claims_families(const hs_lab *lab, const char *flag, hs_claims_family *out, int max) {
    int n = lab->n_variants, pos[HS_MAX_VARIANTS], joined[HS_MAX_VARIANTS];
    int usable[HS_MAX_VARIANTS], taken[HS_MAX_VARIANTS] = {0};
    long value[HS_MAX_VARIANTS];
    for (int i = 0; i < n; i++)
        usable[i] = locate(&lab->variants[i], flag, &pos[i], &joined[i]) == 1 &&
                    !parse_value(value_text(&lab->variants[i], pos[i], joined[i]), &lab->load,
                                 &value[i]);
    int found = 0;
    for (int i = 0; i < n && found < max; i++) {
        if (!usable[i] || taken[i]) continue;
        hs_claims_family f = {.n = 0};
        for (int j = i; j < n; j++) {
            if (!usable[j] || taken[j] ||
                !same_but_flag(&lab->variants[i], pos[i], joined[i], &lab->variants[j], pos[j],
                               joined[j]))
                continue;
            taken[j] = 1;
            /* Insert by value; a repeated value adds nothing to compare. */
            int k = f.n, dup = 0;
            for (int q = 0; q < f.n; q++) dup |= f.value[q] == value[j];
            if (dup) continue;
            while (k > 0 && f.value[k - 1] > value[j]) {
                f.idx[k] = f.idx[k - 1], f.value[k] = f.value[k - 1];
                k--;
            }
            f.idx[k] = j, f.value[k] = value[j];
            f.n++;
        }
        if (f.n >= 2) out[found++] = f;
    }
    return found;
}

static const char *const kinds[] = {"sync", "async_blocking", "async_tothread"};

const char *hs_claims_kind_of_name(const char *name) {
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t len = strlen(kinds[k]);
        if (!strncmp(name, kinds[k], len) &&
            (name[len] == '\0' || name[len] == '_' || name[len] == '-'))
            return kinds[k];
    }
    return name;
}

const char *hs_claims_kind(const hs_variant_def *v) {
    static const char env[] = "MINISERVE_VARIANT=";
    for (int a = 0; a < v->argc; a++) {
        if (!strcmp(v->argv[a], "--variant") && a + 1 < v->argc) return v->argv[a + 1];
        if (!strncmp(v->argv[a], "--variant=", 10)) return v->argv[a] + 10;
        if (!strncmp(v->argv[a], env, sizeof env - 1)) return v->argv[a] + sizeof env - 1;
    }
    return hs_claims_kind_of_name(v->name);
}
