/* test_model_threads.c - determinism, and 40 threads x 100 corrections on
 * one shared model give exactly the single-thread outputs. */
#include "model_fixtures.h"

#include <pthread.h>

#define N_THREADS 40

typedef struct {
    const gpt_model *model;
    const gpt_prompt *prompts;
    size_t n;
    char (*out)[GPT_MAX_CONTEXT + 1]; /* (n) corrections */
    int failures;
} worker;

/* Runs on its own thread with its own state; the model is shared. */
static void *correct_all(void *arg) {
    worker *w = arg;
    gpt_state *s = gpt_state_new(w->model);
    agent_result r;
    if (!s) {
        w->failures = (int)w->n;
        return NULL;
    }
    for (size_t i = 0; i < w->n; i++) {
        if (agent_correct(w->model, s, w->prompts[i].sentence,
                          w->prompts[i].learner_id, &r) != 0) {
            w->failures++;
            continue;
        }
        memcpy(w->out[i], r.text, sizeof r.text);
    }
    gpt_state_free(s);
    return NULL;
}

int main(void) {
    gpt_prompt *prompts;
    size_t n;
    char err[512];
    const char *path = getenv("MINIGPT_TEST_PROMPTS");
    CHECK(path != NULL);
    CHECK_EQ_INT(gpt_prompts_load(path, &prompts, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 100);

    /* Random weights with a large scale make the greedy outputs varied, so
     * a thread that read another's state would produce different text. */
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_model *m = fixture_random_model(&cfg, 3, 0.25f);

    worker single = {m, prompts, n, calloc(n, sizeof *single.out), 0};
    correct_all(&single);
    CHECK_EQ_INT(single.failures, 0);

    /* Determinism: the same thread, state reused, gives the same text. */
    worker again = {m, prompts, n, calloc(n, sizeof *again.out), 0};
    correct_all(&again);
    for (size_t i = 0; i < n; i++) CHECK_EQ_STR(again.out[i], single.out[i]);

    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && strcmp(single.out[i], single.out[j]) != 0) j++;
        distinct += j == i;
    }
    printf("single thread: %zu corrections, %zu distinct outputs\n", n, distinct);
    CHECK(distinct > 10); /* otherwise the comparison below proves little */

    worker w[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        w[t] = (worker){m, prompts, n, calloc(n, sizeof *w[t].out), 0};
        CHECK(w[t].out != NULL);
        CHECK_EQ_INT(pthread_create(&tid[t], NULL, correct_all, &w[t]), 0);
    }
    int mismatches = 0;
    for (int t = 0; t < N_THREADS; t++) {
        CHECK_EQ_INT(pthread_join(tid[t], NULL), 0);
        CHECK_EQ_INT(w[t].failures, 0);
        for (size_t i = 0; i < n; i++)
            mismatches += strcmp(w[t].out[i], single.out[i]) != 0;
        free(w[t].out);
    }
    printf("%d threads x %zu corrections: %d differ from one thread\n",
           N_THREADS, n, mismatches);
    CHECK_EQ_INT(mismatches, 0);

    free(single.out), free(again.out);
    gpt_free(m);
    free(prompts);
    return 0;
}
