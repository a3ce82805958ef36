/* words.c - the sentences of summary.md, kept in words.md (embedded at
 * build time as hs_words_text) rather than in C, and filled from facts:
 * a rule decides whether to speak and computes what the facts do not
 * hold; the words say it. The lab background renders the same way. */
#include "report/report.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

extern const char hs_words_text[];

void hs_say_str(hs_say_ctx *c, const char *name, const char *value) {
    if (c->n >= HS_SAY_MAX) {
        c->overflow = 1; /* said as such in the sentence, never silently dropped */
        return;
    }
    c->name[c->n] = name;
    snprintf(c->value[c->n++], sizeof c->value[0], "%s", value);
}

void hs_say_num(hs_say_ctx *c, const char *name, double v) {
    char buf[64];
    hs_fact_format(v, buf, sizeof buf);
    hs_say_str(c, name, buf);
}

void hs_say_num2(hs_say_ctx *c, const char *name, double v) {
    char buf[64];
    hs_fact_format2(v, buf, sizeof buf);
    hs_say_str(c, name, buf);
}

/* The template of key: its lines after "## key" up to the next "## ",
 * into *start and *len; 0, or -1 when words.md has no such key. */
static int find(const char *key, const char **start, size_t *len) {
    size_t kl = strlen(key);
    for (const char *p = hs_words_text; (p = strstr(p, "## ")); p += 3) {
        if ((p != hs_words_text && p[-1] != '\n') || strncmp(p + 3, key, kl) ||
            p[3 + kl] != '\n')
            continue;
        *start = p + 3 + kl + 1;
        const char *end = strstr(*start, "\n## ");
        *len = end ? (size_t)(end - *start) : strlen(*start);
        return 0;
    }
    return -1;
}

/* Notes why a figure shown as missing is missing: its sibling
 * "<key>_unknown" in facts, once per reason, with where it applies. */
static void note_unknown(hs_say_unknowns *u, const cJSON *base, const char *path) {
    char parent[160], why_key[200];
    const char *dot = strrchr(path, '.');
    snprintf(parent, sizeof parent, "%.*s", dot ? (int)(dot - path) : 0, path);
    snprintf(why_key, sizeof why_key, "%s_unknown", dot ? dot + 1 : path);
    const cJSON *holder = parent[0] ? hs_fact_at(base, parent) : base;
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(holder, why_key);
    const char *reason = cJSON_IsString(why) ? why->valuestring : "not recorded";
    int i = 0;
    while (i < u->n && strcmp(u->reason[i], reason)) i++;
    if (i == u->n) {
        if (u->n == HS_SAY_MAX) return;
        snprintf(u->reason[u->n], sizeof u->reason[0], "%s", reason);
        u->where[u->n++][0] = '\0';
    }
    size_t len = strlen(u->where[i]);
    snprintf(u->where[i] + len, sizeof u->where[i] - len, "%s%s %s", len ? ", " : "",
             base->string ? base->string : "", path);
}

/* Appends one placeholder's value: a value the rule computed, a variant's
 * name ({v}, {w}) or figure ({v.path}), or a figure of facts ({path}).
 * ":2", ":1", ":0" after a figure ask for that many decimals (else
 * hs_fact_format). Missing or null: c->missing, or "unknown". */
static void fill(hs_strbuf *out, const char *ph, size_t len, const hs_say_ctx *c) {
    char name[160];
    int decimals = -1;
    if (len > 2 && ph[len - 2] == ':' && ph[len - 1] >= '0' && ph[len - 1] <= '2')
        decimals = ph[len - 1] - '0', len -= 2;
    snprintf(name, sizeof name, "%.*s", (int)len, ph);
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->name[i], name)) {
            hs_strbuf_printf(out, "%s", c->value[i]);
            return;
        }
    const cJSON *base = c->facts, *x;
    const char *path = name;
    if ((name[0] == 'v' || name[0] == 'w') && (name[1] == '\0' || name[1] == '.')) {
        base = name[0] == 'v' ? c->v : c->w;
        if (name[1] == '\0') {
            hs_strbuf_printf(out, "%s", base && base->string ? base->string : "unknown");
            return;
        }
        path = name + 2;
    }
    x = hs_fact_at(base, path);
    if (cJSON_IsString(x) || cJSON_IsBool(x)) {
        hs_strbuf_printf(out, "%s", cJSON_IsString(x) ? x->valuestring
                                    : cJSON_IsTrue(x) ? "yes" : "no");
        return;
    }
    double v = cJSON_IsNumber(x) && isfinite(x->valuedouble) ? x->valuedouble : NAN;
    char num[64];
    if (isnan(v)) {
        if (c->unknowns && base) note_unknown(c->unknowns, base, path);
        hs_strbuf_printf(out, "%s", c->missing ? c->missing : "unknown");
        return;
    }
    if (decimals == 2) hs_fact_format2(v, num, sizeof num);
    else if (decimals >= 0) snprintf(num, sizeof num, "%.*f", decimals, v == 0 ? 0.0 : v);
    else hs_fact_format(v, num, sizeof num);
    hs_strbuf_printf(out, "%s", num);
}

/* The length of the placeholder name at p when a "}" closes it: letters,
 * digits, '_', '.' and a ':' for decimals, nothing else (so a brace in
 * prose is prose); else 0. */
static size_t placeholder_len(const char *p, const char *end) {
    size_t n = 0;
    while (p + n < end && (isalnum((unsigned char)p[n]) || strchr("_.:", p[n]) != NULL)) n++;
    return n > 0 && p + n < end && p[n] == '}' ? n : 0;
}

/* Renders len bytes of text: {placeholders} filled, "{{" a literal "{";
 * with join, lines are joined by spaces and a blank line is a paragraph
 * break (words.md's templates), else newlines stay (a lab's background). */
static void render(hs_strbuf *out, const char *text, size_t len, const hs_say_ctx *c, int join) {
    const char *p = text, *end = text + len;
    while (end > p && (end[-1] == '\n' || end[-1] == ' ')) end--; /* trailing blank lines */
    while (p < end) {
        if (p[0] == '{' && p + 1 < end && p[1] == '{') {
            hs_strbuf_printf(out, "{");
            p += 2;
        } else if (p[0] == '{' && placeholder_len(p + 1, end) > 0) {
            size_t n = placeholder_len(p + 1, end);
            fill(out, p + 1, n, c);
            p += n + 2;
        } else if (join && p[0] == '\n') {
            int blank = p + 1 < end && p[1] == '\n';
            while (p < end && p[0] == '\n') p++;
            hs_strbuf_printf(out, blank ? "\n\n" : " ");
        } else {
            size_t n = strcspn(p, join ? "{\n" : "{");
            if (p + n > end) n = (size_t)(end - p);
            if (n == 0) n = 1; /* a lone "{" with no "}" */
            hs_strbuf_printf(out, "%.*s", (int)n, p);
            p += n;
        }
    }
}

int hs_say_part(hs_strbuf *out, const char *key, const hs_say_ctx *c) {
    const char *t;
    size_t len;
    if (find(key, &t, &len)) {
        hs_strbuf_printf(out, "[words.md has no \"%s\"]", key);
        return -1;
    }
    render(out, t, len, c, 1);
    return 0;
}

int hs_say(hs_strbuf *out, const char *key, const hs_say_ctx *c) {
    size_t start = out->len;
    int rc = hs_say_part(out, key, c);
    if (c->overflow) hs_strbuf_printf(out, " [words: more than %d values]", HS_SAY_MAX);
    /* A finding names the words it said, invisibly, so that a test can
     * tell which one it was without comparing them. */
    if (!rc && out->ok && out->len >= start + 2 && !strncmp(out->s + start, "- ", 2))
        hs_strbuf_printf(out, " <!-- says: %s%s%s -->", key, c->said[0] ? ", " : "", c->said);
    hs_strbuf_printf(out, "\n");
    return rc ? 0 : 1;
}

void hs_say_sub(hs_say_ctx *c, const char *name, const char *key, const hs_say_ctx *from) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->name[i], name)) return; /* the first value of a name counts */
    hs_strbuf b;
    hs_strbuf_init(&b, 256);
    hs_say_part(&b, key, from ? from : c);
    hs_say_str(c, name, b.ok && b.len ? b.s : "");
    hs_strbuf_free(&b);
    hs_say_noted(c, key);
}

void hs_say_noted(hs_say_ctx *c, const char *key) {
    size_t len = strlen(c->said);
    snprintf(c->said + len, sizeof c->said - len, "%s%s", len ? ", " : "", key);
}

void hs_say_count(hs_say_ctx *c, const char *name, double n, const char *key) {
    char k[128];
    hs_say_ctx one = {0};
    hs_say_num(&one, "n", n);
    snprintf(k, sizeof k, "%s.%s", key, n == 1 ? "one" : "many");
    hs_say_sub(c, name, k, &one);
}

void hs_say_heading(hs_strbuf *out, const char *key, const hs_say_ctx *c) {
    hs_say_ctx none = {0};
    hs_strbuf_printf(out, "## ");
    hs_say_part(out, key, c ? c : &none);
    hs_strbuf_printf(out, "\n\n");
}

void hs_say_line(hs_strbuf *out, const char *key, const hs_say_ctx *c) {
    hs_say_ctx none = {0};
    hs_say_part(out, key, c ? c : &none);
    hs_strbuf_printf(out, "\n");
}

int hs_words_have(const char *key) {
    const char *t;
    size_t len;
    return find(key, &t, &len) == 0;
}

int hs_say_table(hs_strbuf *out, const char *key, const cJSON *facts, const char *needs,
                 const hs_say_ctx *base) {
    hs_say_unknowns u = {0};
    hs_say_ctx c = base ? *base : (hs_say_ctx){.facts = facts};
    c.facts = facts, c.missing = "n/a", c.unknowns = &u;
    char k[128];
    const char *const parts[] = {"head", "rule"};
    for (int i = 0; i < 2; i++) {
        snprintf(k, sizeof k, "%s.%s", key, parts[i]);
        hs_say(out, k, &c);
    }
    char none[128];
    snprintf(k, sizeof k, "%s.row", key);
    snprintf(none, sizeof none, "%s.unmeasured", key);
    const cJSON *v;
    int rows = 0;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        c.v = v;
        const cJSON *need = needs ? hs_fact_at(v, needs) : NULL;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) &&
            (!needs || (need && !cJSON_IsNull(need) && !cJSON_IsFalse(need))))
            rows += hs_say(out, k, &c);
        else if (hs_words_have(none)) /* a row for it, when the table has one */
            rows += hs_say(out, none, &c);
    }
    snprintf(k, sizeof k, "%s.caption", key);
    c.unknowns = NULL;
    hs_strbuf_printf(out, "\n"), hs_say(out, k, &c), hs_strbuf_printf(out, "\n");
    for (int i = 0; i < u.n; i++) hs_strbuf_printf(out, "- n/a: %s (%s)\n", u.reason[i], u.where[i]);
    if (u.n) hs_strbuf_printf(out, "\n");
    return rows;
}

void hs_render_template(const char *text, const cJSON *facts, hs_strbuf *out) {
    hs_say_ctx c = {.facts = facts};
    render(out, text, strlen(text), &c, 0);
}
