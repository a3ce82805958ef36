/* test_model_data.c - the training data generator: reproducible, inside
 * the model's alphabet and length, every error type present, the held-out
 * split disjoint from training, and the lab's prompts in neither. */
#include "check.h"
#include "minigpt.h"
#include "model_fixtures.h"
#include "train.h"

#include <stdlib.h>
#include <string.h>

#define PINNED_STREAM_HASH 0x04d761b4128b2199ull

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_same_seed_same_stream(void) {
    gpt_data a, b, c;
    gpt_data_init(&a, 42, GPT_SPLIT_TRAIN, NULL, 0);
    gpt_data_init(&b, 42, GPT_SPLIT_TRAIN, NULL, 0);
    gpt_data_init(&c, 43, GPT_SPLIT_TRAIN, NULL, 0);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        gpt_example x, y, z;
        gpt_data_next(&a, &x);
        gpt_data_next(&b, &y);
        gpt_data_next(&c, &z);
        CHECK_EQ_STR(x.sentence, y.sentence);
        CHECK_EQ_STR(x.correction, y.correction);
        CHECK_EQ_STR(x.type, y.type);
        differ += strcmp(x.sentence, z.sentence) != 0;
    }
    CHECK(differ > 900);
}

static void check_text(const char *s, size_t max) {
    size_t n = strlen(s);
    CHECK(n > 0 && n <= max);
    for (size_t i = 0; i < n; i++) CHECK(gpt_token_of((unsigned char)s[i]) >= 0);
}

static void test_examples_fit_the_model(void) {
    /* The generator's limit is the default model's. */
    gpt_model *m = fixture_init_model(1);
    CHECK_EQ_INT(agent_max_sentence(m), GPT_DATA_MAX_SENTENCE);
    gpt_free(m);
    gpt_data d;
    gpt_data_init(&d, 1, GPT_SPLIT_TRAIN, NULL, 0);
    int per_type[GPT_DATA_N_TYPES + 1] = {0};
    const int N = 20000;
    for (int i = 0; i < N; i++) {
        gpt_example ex;
        gpt_data_next(&d, &ex);
        check_text(ex.sentence, GPT_DATA_MAX_SENTENCE);
        check_text(ex.correction, strlen(ex.sentence) + GPT_CORRECTION_SLACK);
        int k = gpt_data_type_index(ex.type);
        per_type[k]++;
        /* An error example really has an error; a correct one is unchanged. */
        if (k == GPT_DATA_N_TYPES) CHECK_EQ_STR(ex.sentence, ex.correction);
        else CHECK(strcmp(ex.sentence, ex.correction) != 0);
        CHECK_EQ_INT(gpt_data_split_of(&ex), GPT_SPLIT_TRAIN);
    }
    for (int k = 0; k < GPT_DATA_N_TYPES; k++) {
        printf("  %-16s %5d\n", gpt_data_types[k], per_type[k]);
        CHECK(per_type[k] > N / 20);
    }
    printf("  %-16s %5d\n", "correct", per_type[GPT_DATA_N_TYPES]);
    CHECK(per_type[GPT_DATA_N_TYPES] > N / 6);
}

/* Rows: -1 over the sentence, then the correction and END as targets. */
static void test_encode(void) {
    gpt_example ex = {"test", "He go.", "He goes."};
    int in[20], tg[20];
    CHECK_EQ_INT(gpt_data_encode(&ex, in, tg, 20), 6 + 1 + 8);
    CHECK_EQ_INT(gpt_data_encode(&ex, in, tg, 14), GPT_ETOOLONG);
    CHECK_EQ_INT(gpt_data_encode(&ex, in, tg, 20), 15);
    /* No loss on the sentence, nor on predicting the SEP the prompt gives. */
    for (int t = 0; t <= 5; t++) CHECK_EQ_INT(tg[t], -1);
    CHECK_EQ_INT(in[6], GPT_TOKEN_SEP);
    CHECK_EQ_INT(tg[6], gpt_token_of('H'));
    CHECK_EQ_INT(tg[13], gpt_token_of('.'));
    CHECK_EQ_INT(tg[14], GPT_TOKEN_END);
    for (int t = 15; t < 20; t++) CHECK_EQ_INT(tg[t], -1);
}

/* No sentence is in both splits, and none equals a lab prompt's sentence
 * or expected correction. */
static void test_splits_and_lab_prompts(void) {
    const char *path = getenv("MINIGPT_TEST_PROMPTS");
    CHECK(path && *path);
    gpt_prompt *prompts;
    size_t n_prompts;
    char err[256];
    CHECK_EQ_INT(gpt_prompts_load(path, &prompts, &n_prompts, err, sizeof err), 0);
    const char **lab = malloc(sizeof *lab * 2 * n_prompts);
    CHECK(lab != NULL);
    for (size_t i = 0; i < n_prompts; i++) {
        lab[2 * i] = prompts[i].sentence;
        lab[2 * i + 1] = prompts[i].expected;
    }
    qsort(lab, 2 * n_prompts, sizeof *lab, cmp_str);

    const int NT = 60000, NH = 2000;
    gpt_example *train = malloc(sizeof *train * NT);
    const char **train_s = malloc(sizeof *train_s * NT);
    CHECK(train && train_s);
    gpt_data d;
    gpt_data_init(&d, 1, GPT_SPLIT_TRAIN, lab, 2 * n_prompts);
    for (int i = 0; i < NT; i++) {
        gpt_data_next(&d, &train[i]);
        train_s[i] = train[i].sentence;
        CHECK(!bsearch(&train_s[i], lab, 2 * n_prompts, sizeof *lab, cmp_str));
        const char *corr = train[i].correction;
        CHECK(!bsearch(&corr, lab, 2 * n_prompts, sizeof *lab, cmp_str));
    }
    qsort(train_s, NT, sizeof *train_s, cmp_str);

    gpt_example *held;
    CHECK_EQ_INT(gpt_eval_heldout_set(NH, lab, 2 * n_prompts, &held), 0);
    for (int i = 0; i < NH; i++) {
        const char *s = held[i].sentence, *c = held[i].correction;
        CHECK_EQ_INT(gpt_data_split_of(&held[i]), GPT_SPLIT_HELDOUT);
        CHECK(!bsearch(&s, train_s, NT, sizeof *train_s, cmp_str));
        CHECK(!bsearch(&s, lab, 2 * n_prompts, sizeof *lab, cmp_str));
        CHECK(!bsearch(&c, lab, 2 * n_prompts, sizeof *lab, cmp_str));
        for (int j = 0; j < i; j++) CHECK(strcmp(held[j].sentence, s) != 0);
    }
    printf("%d training and %d held-out examples: splits disjoint, no lab prompt\n",
           NT, NH);
    free(held);
    free(train_s);
    free(train);
    free(lab);
    free(prompts);
}

/* The stream of seed 1 is what the committed weights were trained on: a
 * change to the generator, however innocent, must be a deliberate one
 * (retrain, then update this hash). */
static void test_stream_is_pinned(void) {
    gpt_data d;
    gpt_data_init(&d, 1, GPT_SPLIT_TRAIN, NULL, 0);
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 5000; i++) {
        gpt_example ex;
        gpt_data_next(&d, &ex);
        const char *parts[3] = {ex.type, ex.sentence, ex.correction};
        for (int j = 0; j < 3; j++)
            for (const char *c = parts[j]; ; c++) {
                h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
                if (!*c) break;
            }
    }
    printf("hash of the first 5000 examples of seed 1: %016llx\n",
           (unsigned long long)h);
    CHECK(h == PINNED_STREAM_HASH);
}

int main(void) {
    test_stream_is_pinned();
    test_same_seed_same_stream();
    test_examples_fit_the_model();
    test_encode();
    test_splits_and_lab_prompts();
    return 0;
}
