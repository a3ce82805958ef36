/* test_model_extend.c - a block of tokens fed in one pass (gpt_extend)
 * gives, row for row and bit for bit, the logits that feeding them one at
 * a time gives; gpt_rewind forgets what it is told to and nothing else; and
 * both refuse what they cannot do. Run on the default config and on two
 * odd ones whose widths leave partial vectors (d_mlp 100, heads of 12). */
#include "model_fixtures.h"

#define MAX_BLOCK 16

static int tok_at(int i) { return 2 + (i * 37 + 11) % (GPT_VOCAB_SIZE - 2); }

/* Feeds tokens prompt..prompt+T-1 one at a time into one state, and as one
 * block into another; returns how many rows differ. */
static int block_vs_steps(const gpt_model *m, gpt_state *a, gpt_state *b, int prompt, int T) {
    int tok[256];
    for (int i = 0; i < prompt + T; i++) tok[i] = tok_at(i);
    CHECK(gpt_prefill(m, a, tok, prompt) != NULL);
    CHECK(gpt_prefill(m, b, tok, prompt) != NULL);
    static float stepped[MAX_BLOCK][GPT_VOCAB_SIZE];
    for (int t = 0; t < T; t++) {
        const float *l = gpt_step(m, a, tok[prompt + t]);
        CHECK(l != NULL);
        memcpy(stepped[t], l, sizeof stepped[t]);
    }
    const float *rows = gpt_extend(m, b, tok + prompt, T);
    CHECK(rows != NULL);
    CHECK_EQ_INT(gpt_cached(b), prompt + T);
    int differ = 0;
    for (int t = 0; t < T; t++)
        differ += memcmp(stepped[t], rows + (size_t)t * GPT_VOCAB_SIZE, sizeof stepped[t]) != 0;
    return differ;
}

/* A guess rejected after its third token: rewinding there and feeding the
 * right token gives what a state that never saw the guess gives. */
static void rewind_forgets_the_rest(const gpt_model *m, gpt_state *a, gpt_state *b) {
    int tok[64];
    for (int i = 0; i < 64; i++) tok[i] = tok_at(i);
    CHECK(gpt_prefill(m, a, tok, 10) != NULL);
    CHECK(gpt_extend(m, a, tok + 10, 8) != NULL);
    CHECK_EQ_INT(gpt_rewind(a, 13), 0);
    CHECK_EQ_INT(gpt_cached(a), 13);
    float got[GPT_VOCAB_SIZE];
    memcpy(got, gpt_step(m, a, 5), sizeof got);

    int fresh[14];
    memcpy(fresh, tok, sizeof(int) * 13);
    fresh[13] = 5;
    const float *want = gpt_prefill(m, b, fresh, 14);
    CHECK(want != NULL);
    CHECK(memcmp(got, want, sizeof got) == 0);
}

static void refusals(const gpt_model *m, gpt_state *s, int context) {
    int tok[8] = {2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(gpt_prefill(m, s, tok, 4) != NULL);
    CHECK(gpt_extend(m, s, tok, 0) == NULL);
    int bad[2] = {2, GPT_VOCAB_SIZE};
    CHECK(gpt_extend(m, s, bad, 2) == NULL);
    bad[1] = -1;
    CHECK(gpt_extend(m, s, bad, 2) == NULL);
    CHECK_EQ_INT(gpt_cached(s), 4); /* a refusal changes nothing */
    CHECK_EQ_INT(gpt_rewind(s, 5), -1);
    CHECK_EQ_INT(gpt_rewind(s, -1), -1);
    CHECK_EQ_INT(gpt_cached(s), 4);
    /* Up to the context's end, and not one token past it. */
    int *many = malloc(sizeof(int) * (size_t)context);
    CHECK(many != NULL);
    for (int i = 0; i < context; i++) many[i] = tok_at(i);
    CHECK(gpt_extend(m, s, many, context - 3) == NULL);
    CHECK(gpt_extend(m, s, many, context - 4) != NULL);
    CHECK_EQ_INT(gpt_cached(s), context);
    CHECK(gpt_step(m, s, 2) == NULL);
    CHECK_EQ_INT(gpt_rewind(s, 0), 0);
    CHECK(gpt_extend(m, s, many, context) != NULL);
    free(many);
}

static void check_config(gpt_config cfg, const char *name) {
    gpt_model *m = fixture_random_model(&cfg, 7, 0.3f);
    gpt_state *a = gpt_state_new(m), *b = gpt_state_new(m);
    CHECK(a && b);
    int checked = 0, differ = 0;
    const int prompts[] = {1, 2, 7, 30, 57};
    for (size_t p = 0; p < sizeof prompts / sizeof prompts[0]; p++)
        for (int T = 1; T <= MAX_BLOCK && prompts[p] + T <= (int)cfg.context; T++) {
            differ += block_vs_steps(m, a, b, prompts[p], T);
            checked += T;
        }
    printf("%s: %d of %d rows of a block differ from single steps\n", name, differ, checked);
    CHECK_EQ_INT(differ, 0);
    rewind_forgets_the_rest(m, a, b);
    refusals(m, a, (int)cfg.context);
    gpt_state_free(a), gpt_state_free(b), gpt_free(m);
}

int main(void) {
    check_config(GPT_CONFIG_DEFAULT, "default (C 64, 4 heads of 16, M 256)");
    check_config((gpt_config){.vocab_size = GPT_VOCAB_SIZE, .d_model = 48, .n_heads = 4,
                              .n_layers = 1, .d_mlp = 100, .context = 80},
                 "C 48, 4 heads of 12, M 100");
    check_config((gpt_config){.vocab_size = GPT_VOCAB_SIZE, .d_model = 96, .n_heads = 3,
                              .n_layers = 2, .d_mlp = 40, .context = 100},
                 "C 96, 3 heads of 32, M 40");
    return 0;
}
