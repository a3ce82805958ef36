/* test_model_kvcache.c - decoding one token at a time with the KV cache
 * gives the same logits as recomputing the whole sequence at every step,
 * bit for bit: every product sums each output in the same order whatever
 * the number of rows (matmul.c), and attention each query's terms in the
 * same order whatever the block (attention.c). */
#include "model_fixtures.h"

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
    int differ = 0;
    for (int n = prompt; n <= 128; n++) {
        memcpy(cached, l, sizeof cached);
        const float *ref = gpt_prefill(m, full, tok, n);
        CHECK(ref != NULL);
        differ += memcmp(cached, ref, sizeof cached) != 0;
        if (n < 128) {
            l = gpt_step(m, inc, tok[n]);
            CHECK(l != NULL);
        }
    }
    printf("positions %d..128: %d of %d cached logits differ from recomputed ones\n", prompt,
           differ, 128 - prompt + 1);
    CHECK_EQ_INT(differ, 0);

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
