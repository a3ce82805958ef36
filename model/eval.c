/* eval.c - exact-match accuracy of the agent on a set of examples. */
#include "train.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int gpt_eval_heldout_set(int n, const char *const *exclude, size_t n_exclude,
                         gpt_example **out) {
    *out = NULL;
    if (n <= 0) return -EINVAL;
    gpt_example *ex = malloc(sizeof *ex * (size_t)n);
    if (!ex) return -ENOMEM;
    gpt_data d;
    gpt_data_init(&d, GPT_EVAL_SEED, GPT_SPLIT_HELDOUT, exclude, n_exclude);
    int have = 0;
    while (have < n) {
        gpt_data_next(&d, &ex[have]);
        int dup = 0;
        for (int i = 0; i < have && !dup; i++)
            dup = !strcmp(ex[i].sentence, ex[have].sentence);
        if (!dup) have++;
    }
    *out = ex;
    return 0;
}

int gpt_eval_run(const gpt_model *m, const gpt_example *ex, int n,
                 gpt_eval_result *res,
                 void (*misses)(const gpt_example *ex, const char *got, void *arg),
                 void *arg) {
    memset(res, 0, sizeof *res);
    gpt_state *s = gpt_state_new(m);
    if (!s) return -ENOMEM;
    int rc = 0;
    agent_result r;
    for (int i = 0; i < n; i++) {
        rc = agent_correct(m, s, ex[i].sentence, NULL, &r);
        if (rc) break;
        int ok = !strcmp(r.text, ex[i].correction);
        int k = gpt_data_type_index(ex[i].type);
        res->total++;
        res->exact += ok;
        res->type_total[k]++;
        res->type_exact[k] += ok;
        if (!strcmp(ex[i].sentence, ex[i].correction)) {
            res->correct_total++;
            res->correct_unchanged += !strcmp(r.text, ex[i].sentence);
        }
        if (!ok && misses) misses(&ex[i], r.text, arg);
    }
    gpt_state_free(s);
    return rc;
}
