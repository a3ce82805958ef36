/* test_model_kvcache.c - decoding one token at a time with the KV cache
 * gives the same logits as recomputing the whole sequence at every step. */
#include "model_fixtures.h"

#include <math.h>

/* Incremental steps use sgemv, prefill uses sgemm: same math, different
 * summation order. Relative to the largest logit, as in the forward test. */
#define TOLERANCE 1e-5

int main(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_model *m = fixture_random_model(&cfg, 11, 0.3f);
    gpt_state *inc = gpt_state_new(m), *full = gpt_state_new(m);
    CHECK(inc && full);

    int tok[128];
    for (int i = 0; i < 128; i++) tok[i] = (i * 53 + 5) % GPT_VOCAB_SIZE;

    /* A prompt of 9 tokens, then single steps up to the full context. */
    const int prompt = 9;
    float cached[GPT_VOCAB_SIZE];
    const float *l = gpt_prefill(m, inc, tok, prompt);
    CHECK(l != NULL);
    double worst = 0;
    for (int n = prompt; n <= 128; n++) {
        memcpy(cached, l, sizeof cached);
        const float *ref = gpt_prefill(m, full, tok, n);
        CHECK(ref != NULL);
        double maxdiff = 0, maxabs = 1e-30;
        for (int v = 0; v < GPT_VOCAB_SIZE; v++) {
            maxdiff = fmax(maxdiff, fabs((double)cached[v] - ref[v]));
            maxabs = fmax(maxabs, fabs((double)ref[v]));
        }
        worst = fmax(worst, maxdiff / maxabs);
        if (n < 128) {
            l = gpt_step(m, inc, tok[n]);
            CHECK(l != NULL);
        }
    }
    printf("positions %d..128: worst relative |cached - recomputed| = %.3g "
           "(tolerance %.0e)\n", prompt, worst, TOLERANCE);
    CHECK(worst <= TOLERANCE);

    /* The context is full: one more step must be refused. */
    CHECK(gpt_step(m, inc, 2) == NULL);
    /* A new prefill forgets the old sequence entirely. */
    const float *again = gpt_prefill(m, inc, tok, 3);
    float first[GPT_VOCAB_SIZE];
    memcpy(first, again, sizeof first);
    CHECK(memcmp(first, gpt_prefill(m, full, tok, 3), sizeof first) == 0);

    gpt_state_free(inc), gpt_state_free(full), gpt_free(m);
    return 0;
}
