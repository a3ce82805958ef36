/* test_model_agent.c - the agent refuses what the model cannot take, with
 * the right code and offset, and runs everything it accepts; the lab's
 * prompts file is all acceptable. */
#include "model_fixtures.h"

static void expect(const gpt_model *m, gpt_state *s, const char *sentence,
                   int want, long want_at) {
    size_t at = 9999;
    agent_result r;
    CHECK_EQ_INT(agent_validate(m, sentence, &at), want);
    if (want_at >= 0) CHECK_EQ_INT(at, want_at);
    CHECK_EQ_INT(agent_correct(m, s, sentence, NULL, &r), want);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    CHECK(fclose(f) == 0);
}

int main(void) {
    gpt_model *m = fixture_init_model(1);
    gpt_state *s = gpt_state_new(m);
    agent_result r;
    CHECK(s != NULL);
    CHECK_EQ_INT(agent_max_sentence(m), 56);

    /* The alphabet round-trips and is exactly 72 printable characters. */
    const char *alpha = GPT_ALPHABET;
    CHECK_EQ_INT(strlen(alpha), GPT_VOCAB_SIZE - 2);
    for (int i = 0; alpha[i]; i++) {
        CHECK_EQ_INT(gpt_token_of((unsigned char)alpha[i]), i + 2);
        CHECK_EQ_INT(gpt_char_of(i + 2), alpha[i]);
    }
    CHECK_EQ_INT(gpt_token_of('\n'), -1);
    CHECK_EQ_INT(gpt_token_of(0), -1);
    CHECK_EQ_INT(gpt_char_of(GPT_TOKEN_SEP), 0);
    CHECK_EQ_INT(gpt_char_of(GPT_TOKEN_END), 0);

    expect(m, s, "", GPT_EEMPTY, -1);
    char longest[57], too_long[58];
    memset(longest, 'a', 56), longest[56] = '\0';
    memset(too_long, 'a', 57), too_long[57] = '\0';
    expect(m, s, too_long, GPT_ETOOLONG, -1);
    expect(m, s, "She go\xff home.", GPT_EUTF8, 6);
    expect(m, s, "caf\xc3", GPT_EUTF8, 3);             /* cut short */
    expect(m, s, "ab\xc0\xafz", GPT_EUTF8, 2);          /* overlong '/' */
    expect(m, s, "x\xed\xa0\x80y", GPT_EUTF8, 1);       /* surrogate */
    expect(m, s, "She went to the caf\xc3\xa9.", GPT_EALPHABET, 19);
    expect(m, s, "Tab\there", GPT_EALPHABET, 3);
    expect(m, s, "New\nline", GPT_EALPHABET, 3);
    expect(m, s, "50% off", GPT_EALPHABET, 2);

    /* The longest sentence runs to its generation limit without running out
     * of context; every output character is in the alphabet. */
    CHECK_EQ_INT(agent_correct(m, s, longest, NULL, &r), 0);
    CHECK_EQ_INT(r.prompt_tokens, 57);
    CHECK(r.generated_tokens >= 1 && r.generated_tokens <= 56 + GPT_CORRECTION_SLACK);
    CHECK(strlen(r.text) <= 56 + GPT_CORRECTION_SLACK);
    for (const char *p = r.text; *p; p++) CHECK(gpt_token_of((unsigned char)*p) >= 0);
    CHECK_EQ_INT(agent_correct(m, s, "a", NULL, &r), 0);
    CHECK(strlen(r.text) <= 1 + GPT_CORRECTION_SLACK);

    /* learner_id: optional, bounded, UTF-8. */
    char long_id[AGENT_MAX_LEARNER_ID + 2];
    memset(long_id, 'x', sizeof long_id - 1), long_id[sizeof long_id - 1] = '\0';
    CHECK_EQ_INT(agent_correct(m, s, "He go.", "learner-01", &r), 0);
    CHECK_EQ_INT(agent_correct(m, s, "He go.", "\xc3\xa9l\xc3\xa8ve", &r), 0);
    CHECK_EQ_INT(agent_correct(m, s, "He go.", long_id, &r), GPT_ELEARNER);
    CHECK_EQ_INT(agent_correct(m, s, "He go.", "bad\xff", &r), GPT_ELEARNER);

    /* Every one of the lab's prompts is something the agent accepts, and so
     * is every expected correction, with room for it in the generation. */
    gpt_prompt *prompts;
    size_t n;
    char err[512];
    const char *path = getenv("MINIGPT_TEST_PROMPTS");
    CHECK(path != NULL);
    CHECK_EQ_INT(gpt_prompts_load(path, &prompts, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 100);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ_INT(prompts[i].id, (int)i + 1);
        CHECK_EQ_INT(agent_validate(m, prompts[i].sentence, NULL), 0);
        CHECK_EQ_INT(agent_validate(m, prompts[i].expected, NULL), 0);
        CHECK(strcmp(prompts[i].sentence, prompts[i].expected) != 0);
        CHECK(strlen(prompts[i].expected) <
              strlen(prompts[i].sentence) + GPT_CORRECTION_SLACK);
    }
    free(prompts);

    /* A malformed prompts file is refused with a message saying where. */
    char bad[512];
    fixture_path(bad, sizeof bad, "prompts");
    const char *cases[] = {
        "not json", "{}", "[]", "[{\"id\": 1}]",
        "[{\"id\": 1, \"learner_id\": \"a\", \"error_type\": \"x\", \"sentence\": 5, \"expected\": \"b\"}]",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(bad, cases[i]);
        err[0] = '\0';
        CHECK_EQ_INT(gpt_prompts_load(bad, &prompts, &n, err, sizeof err), GPT_EPROMPTS);
        printf("prompts file %-12.12s -> %s\n", cases[i], err);
        CHECK(strlen(err) > 0);
    }
    unlink(bad);
    CHECK(gpt_prompts_load("/nonexistent.json", &prompts, &n, err, sizeof err) < 0);

    gpt_state_free(s);
    gpt_free(m);
    return 0;
}
