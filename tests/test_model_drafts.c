/* test_model_drafts.c - the agent's guessed-ahead decoding (agent.c) gives
 * the correction that plain greedy decoding, one gpt_step per token, gives:
 * the same text, token count and stop, on the trained model (the lab's
 * prompts and 500 held-out sentences, where most guesses hold) and on the
 * untrained one (where most fail and corrections run to their limit). And
 * on the trained model the guesses save passes. */
#include "model_fixtures.h"
#include "train.h"

#include <math.h>

#ifndef MINIGPT_TEST_TRAINED_WEIGHTS
#error "the build passes the trained weights' path"
#endif

/* The agent's rule, written out again: the most likely token, the lowest
 * on a tie, never SEP, until END or strlen + GPT_CORRECTION_SLACK tokens. */
static void plain_greedy(const gpt_model *m, gpt_state *s, const char *sentence,
                         agent_result *out) {
    int tok[GPT_MAX_CONTEXT], n = (int)strlen(sentence);
    for (int i = 0; i < n; i++) tok[i] = gpt_token_of((unsigned char)sentence[i]);
    tok[n] = GPT_TOKEN_SEP;
    memset(out, 0, sizeof *out);
    const float *l = gpt_prefill(m, s, tok, n + 1);
    int len = 0, limit = n + GPT_CORRECTION_SLACK;
    for (int step = 0; step < limit; step++) {
        CHECK(l != NULL);
        int best = GPT_TOKEN_END;
        for (int v = GPT_TOKEN_END + 1; v < GPT_VOCAB_SIZE; v++)
            if (l[v] > l[best]) best = v;
        out->generated_tokens++;
        if (best == GPT_TOKEN_END) {
            out->stopped_at_end = 1;
            break;
        }
        out->text[len++] = gpt_char_of(best);
        if (step + 1 < limit) l = gpt_step(m, s, best);
    }
    out->text[len] = '\0';
}

typedef struct {
    int sentences, same, stopped_at_limit;
    long passes, generated;
} tally;

static void compare(const gpt_model *m, gpt_state *s, const char *sentence, tally *t) {
    agent_result got, want;
    CHECK_EQ_INT(agent_correct(m, s, sentence, NULL, &got), 0);
    plain_greedy(m, s, sentence, &want);
    int same = strcmp(got.text, want.text) == 0 &&
               got.generated_tokens == want.generated_tokens &&
               got.stopped_at_end == want.stopped_at_end;
    if (!same)
        printf("differs: \"%s\"\n  guessed: \"%s\" (%d tokens)\n  stepped: \"%s\" (%d)\n",
               sentence, got.text, got.generated_tokens, want.text, want.generated_tokens);
    t->sentences++;
    t->same += same;
    t->stopped_at_limit += !want.stopped_at_end;
    t->passes += got.passes;
    t->generated += got.generated_tokens;
    /* The work it reports: the prompt, then at least every token but the
     * last through some pass; the FLOPs at least those, less what the
     * prefill leaves out of its last layer. */
    CHECK_EQ_INT(got.prompt_tokens, (int)strlen(sentence) + 1);
    CHECK(got.passes >= 1 && got.passes <= got.generated_tokens);
    CHECK(got.tokens_run >= got.prompt_tokens + got.generated_tokens - 1);
    const int P = got.prompt_tokens;
    const double skipped = gpt_forward_flops(m, 0, P) - gpt_prefill_flops(m, P);
    CHECK(skipped > 0 && gpt_prefill_flops(m, 1) == gpt_forward_flops(m, 0, 1));
    CHECK(got.flops_run >= agent_correct_flops(m, &got) - skipped);
    /* What is skipped, counted row by row: the last layer's w_o, w_fc and
     * w_proj and attention over its t + 1 positions, for rows 0..P-2. */
    gpt_info info;
    gpt_get_info(m, &info);
    const double C = info.config.d_model, M = info.config.d_mlp;
    double rows = 0;
    for (int r = 0; r + 1 < P; r++) rows += 2 * (C * C + C * M + M * C) + 4 * C * (r + 1);
    CHECK(fabs(skipped - rows) <= 1e-6 * rows);
}

int main(void) {
    gpt_model *trained, *untrained = fixture_init_model(1);
    CHECK_EQ_INT(gpt_load(MINIGPT_TEST_TRAINED_WEIGHTS, &trained), 0);
    gpt_state *s = gpt_state_new(trained);
    CHECK(s != NULL);

    const char *path = getenv("MINIGPT_TEST_PROMPTS");
    CHECK(path && *path);
    gpt_prompt *prompts;
    size_t n;
    char err[256];
    CHECK_EQ_INT(gpt_prompts_load(path, &prompts, &n, err, sizeof err), 0);
    gpt_example *held;
    CHECK_EQ_INT(gpt_eval_heldout_set(500, NULL, 0, &held), 0);

    tally t = {0}, u = {0};
    for (size_t i = 0; i < n; i++) compare(trained, s, prompts[i].sentence, &t);
    for (int i = 0; i < 500; i++) compare(trained, s, held[i].sentence, &t);
    for (size_t i = 0; i < n; i++) compare(untrained, s, prompts[i].sentence, &u);
    char longest[57];
    memset(longest, 'a', 56), longest[56] = '\0';
    compare(trained, s, longest, &t);
    compare(untrained, s, longest, &u);

    printf("trained: %d of %d corrections as stepping gives them, %ld passes for %ld tokens\n",
           t.same, t.sentences, t.passes, t.generated);
    printf("untrained: %d of %d the same, %d at their limit, %ld passes for %ld tokens\n",
           u.same, u.sentences, u.stopped_at_limit, u.passes, u.generated);
    CHECK_EQ_INT(t.same, t.sentences);
    CHECK_EQ_INT(u.same, u.sentences);
    CHECK(u.stopped_at_limit > 0); /* the limit's path was taken */
    CHECK(t.passes * 2 < t.generated); /* guesses held: under half a pass a token */

    free(held);
    free(prompts);
    gpt_state_free(s);
    gpt_free(trained), gpt_free(untrained);
    return 0;
}
