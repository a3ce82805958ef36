/* test_model_train.c - the trainer: its forward pass against the inference
 * path, its gradients against finite differences, and two sanity checks
 * (the loss at initialisation, and overfitting one small batch). */
#include "check.h"
#include "internal.h"
#include "model_fixtures.h"
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A config small enough to check every parameter by finite differences. */
#define TINY_CONFIG                                                          \
    ((gpt_config){.vocab_size = GPT_VOCAB_SIZE, .d_model = 8, .n_heads = 2,  \
                  .n_layers = 2, .d_mlp = 12, .context = 24})

/* Two rows: a sentence, SEP and its correction, with loss on the latter. */
static int tiny_batch(int *inputs, int *targets, int T) {
    gpt_example a = {"test", "He go.", "He goes."};
    gpt_example b = {"test", "We was.", "We were."};
    int n1 = gpt_data_encode(&a, inputs, targets, T);
    int n2 = gpt_data_encode(&b, inputs + T, targets + T, T);
    CHECK(n1 > 0 && n2 > 0);
    return 2;
}

/* The training forward's logits at every position equal the inference
 * path's (gpt_prefill of each prefix) and the naive reference's. */
static void test_forward_matches_inference(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_trainer *tr;
    CHECK_EQ_INT(gpt_trainer_new(&cfg, 2, 7, &tr), 0);
    size_t n = gpt_num_params(&cfg);
    /* Random weights, not the init: every tensor must matter. */
    fixture_random_params(gpt_trainer_params(tr), n, 11, 0.3f);
    char path[512];
    fixture_path(path, sizeof path, "trainfwd");
    CHECK_EQ_INT(gpt_weights_write(path, &cfg, 0, 11, gpt_trainer_params(tr)), 0);
    gpt_model *m;
    CHECK_EQ_INT(gpt_load(path, &m), 0);
    unlink(path);
    gpt_state *s = gpt_state_new(m);
    CHECK(s != NULL);

    const int T = 48, V = GPT_VOCAB_SIZE;
    int inputs[2 * 48], targets[2 * 48];
    gpt_example a = {"test", "They goes to the market.", "They go to the market."};
    gpt_example b = {"test", "She cook dinner.", "She cooks dinner."};
    CHECK_EQ_INT(gpt_data_encode(&a, inputs, targets, T), 47);
    CHECK_EQ_INT(gpt_data_encode(&b, inputs + T, targets + T, T), 34);
    gpt_trainer_forward(tr, inputs, targets, 2, T);
    const float *logits = gpt_trainer_logits(tr);
    float naive[GPT_VOCAB_SIZE];
    double max_fast = 0.0, max_naive = 0.0;
    for (int r = 0; r < 2; r++)
        for (int t = 0; t < T; t++) {
            const float *want = gpt_prefill(m, s, inputs + r * T, t + 1);
            CHECK(want != NULL);
            const float *got = logits + ((size_t)r * T + t) * V;
            for (int v = 0; v < V; v++)
                max_fast = fmax(max_fast, fabs(got[v] - want[v]));
            if (t % 13 == 0 || t == T - 1) {
                CHECK_EQ_INT(gpt_forward_naive(m, inputs + r * T, t + 1, naive), 0);
                for (int v = 0; v < V; v++)
                    max_naive = fmax(max_naive, fabs(got[v] - naive[v]));
            }
        }
    printf("training forward vs gpt_prefill: max |diff| %.3g; vs naive %.3g "
           "(tolerance 1e-4)\n", max_fast, max_naive);
    CHECK(max_fast < 1e-4);
    CHECK(max_naive < 1e-4);
    gpt_state_free(s);
    gpt_free(m);
    gpt_trainer_free(tr);
}

/* Central differences on every parameter of a tiny model, in float: the
 * step is large enough (1e-2) that rounding of the ~1e-7 relative float
 * error stays well below the gradients, and small enough that the O(h^2)
 * truncation error does too. Error per tensor is measured relative to the
 * tensor's largest gradient, so entries that are ~0 do not blow it up. */
static void test_gradient_check(void) {
    gpt_config cfg = TINY_CONFIG;
    gpt_trainer *tr;
    CHECK_EQ_INT(gpt_trainer_new(&cfg, 2, 3, &tr), 0);
    size_t n = gpt_num_params(&cfg);
    float *p = gpt_trainer_params(tr);
    fixture_random_params(p, n, 5, 0.5f);
    /* LayerNorm gains around 1, as in a real model. */
    gpt_weights w;
    gpt_weights_map(&cfg, p, &w);
    for (uint32_t l = 0; l < cfg.n_layers; l++)
        for (uint32_t i = 0; i < cfg.d_model; i++) {
            ((float *)w.layer[l].ln1_g)[i] += 1.0f;
            ((float *)w.layer[l].ln2_g)[i] += 1.0f;
        }
    for (uint32_t i = 0; i < cfg.d_model; i++) ((float *)w.lnf_g)[i] += 1.0f;

    const int T = 20;
    int inputs[2 * 20], targets[2 * 20];
    int B = tiny_batch(inputs, targets, T);
    gpt_trainer_forward(tr, inputs, targets, B, T);
    gpt_trainer_backward(tr);
    float *analytic = malloc(sizeof(float) * n);
    CHECK(analytic != NULL);
    memcpy(analytic, gpt_trainer_grads(tr), sizeof(float) * n);

    const float h = 1e-2f;
    float *numeric = malloc(sizeof(float) * n);
    CHECK(numeric != NULL);
    for (size_t i = 0; i < n; i++) {
        float keep = p[i];
        p[i] = keep + h;
        double up = gpt_trainer_forward(tr, inputs, targets, B, T);
        p[i] = keep - h;
        double down = gpt_trainer_forward(tr, inputs, targets, B, T);
        p[i] = keep;
        numeric[i] = (float)((up - down) / (2.0 * h));
    }

    /* Tensors in file order, for the report. */
    typedef struct { const char *name; const float *at; size_t count; } tensor;
    tensor t[3 + 8 * 2];
    size_t C = cfg.d_model, M = cfg.d_mlp, V = cfg.vocab_size, k = 0;
    t[k++] = (tensor){"wte", w.wte, V * C};
    static const char *names[2][8] = {
        {"l0.ln1_g", "l0.ln1_b", "l0.w_qkv", "l0.w_o", "l0.ln2_g", "l0.ln2_b", "l0.w_fc", "l0.w_proj"},
        {"l1.ln1_g", "l1.ln1_b", "l1.w_qkv", "l1.w_o", "l1.ln2_g", "l1.ln2_b", "l1.w_fc", "l1.w_proj"}};
    for (int l = 0; l < 2; l++) {
        const gpt_layer *ly = &w.layer[l];
        const float *ptr[8] = {ly->ln1_g, ly->ln1_b, ly->w_qkv, ly->w_o,
                               ly->ln2_g, ly->ln2_b, ly->w_fc, ly->w_proj};
        size_t cnt[8] = {C, C, 3 * C * C, C * C, C, C, M * C, C * M};
        for (int j = 0; j < 8; j++) t[k++] = (tensor){names[l][j], ptr[j], cnt[j]};
    }
    t[k++] = (tensor){"lnf_g", w.lnf_g, C};
    t[k++] = (tensor){"lnf_b", w.lnf_b, C};
    CHECK_EQ_INT(k, 19);

    const double tolerance = 1e-2;
    double worst = 0.0;
    for (size_t j = 0; j < k; j++) {
        size_t off = (size_t)(t[j].at - p);
        double gmax = 0.0, emax = 0.0;
        for (size_t i = off; i < off + t[j].count; i++) {
            gmax = fmax(gmax, fabs(analytic[i]));
            emax = fmax(emax, fabs(analytic[i] - numeric[i]));
        }
        double rel = gmax > 0 ? emax / gmax : emax;
        printf("  %-10s %5zu params  max|grad| %.3e  max rel error %.2e\n",
               t[j].name, t[j].count, gmax, rel);
        /* A tensor whose gradient is exactly zero would hide a bug. */
        CHECK(gmax > 1e-6);
        worst = fmax(worst, rel);
    }
    printf("gradient check: max relative error %.2e over %zu parameters "
           "(tolerance %.0e)\n", worst, n, tolerance);
    CHECK(worst < tolerance);
    free(numeric);
    free(analytic);
    gpt_trainer_free(tr);
}

/* At initialisation the logits are small and nearly uniform. */
static void test_initial_loss(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_trainer *tr;
    CHECK_EQ_INT(gpt_trainer_new(&cfg, 8, 1, &tr), 0);
    const int B = 8, T = 128;
    int *inputs = malloc(sizeof(int) * B * T), *targets = malloc(sizeof(int) * B * T);
    CHECK(inputs && targets);
    gpt_data d;
    gpt_data_init(&d, 1, GPT_SPLIT_TRAIN, NULL, 0);
    gpt_example ex;
    for (int b = 0; b < B; b++) {
        gpt_data_next(&d, &ex);
        CHECK(gpt_data_encode(&ex, inputs + b * T, targets + b * T, T) > 0);
    }
    float loss = gpt_trainer_forward(tr, inputs, targets, B, T);
    printf("loss at initialisation %.4f, ln(V) = %.4f\n", loss, log(GPT_VOCAB_SIZE));
    CHECK(fabs(loss - log(GPT_VOCAB_SIZE)) < 0.1);
    free(inputs);
    free(targets);
    gpt_trainer_free(tr);
}

/* One batch of four examples, trained on repeatedly, is memorised. */
static void test_overfit_one_batch(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_trainer *tr;
    CHECK_EQ_INT(gpt_trainer_new(&cfg, 4, 1, &tr), 0);
    const int B = 4, Tb = 56;
    int inputs[4 * 56], targets[4 * 56];
    gpt_data d;
    gpt_data_init(&d, 9, GPT_SPLIT_TRAIN, NULL, 0);
    gpt_example ex;
    for (int b = 0; b < B; b++) {
        do gpt_data_next(&d, &ex);
        while (strlen(ex.sentence) > 25);
        CHECK(gpt_data_encode(&ex, inputs + b * Tb, targets + b * Tb, Tb) > 0);
    }
    float first = 0, loss = 0;
    for (int step = 1; step <= 150; step++) {
        loss = gpt_trainer_forward(tr, inputs, targets, B, Tb);
        if (step == 1) first = loss;
        gpt_trainer_backward(tr);
        gpt_trainer_update(tr, 3e-3f, 0.9f, 0.95f, 1e-8f, 0.0f, step);
    }
    printf("overfitting one batch: loss %.4f -> %.4f after 150 steps\n", first, loss);
    CHECK(loss < 0.05);
    gpt_trainer_free(tr);
}

/* Same seeds, same steps: the same parameters, bit for bit. */
static void test_reproducible(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_trainer *tr[2];
    const int B = 4, T = 128;
    int *inputs = malloc(sizeof(int) * B * T), *targets = malloc(sizeof(int) * B * T);
    CHECK(inputs && targets);
    for (int k = 0; k < 2; k++) {
        CHECK_EQ_INT(gpt_trainer_new(&cfg, B, 1, &tr[k]), 0);
        gpt_data d;
        gpt_data_init(&d, 1, GPT_SPLIT_TRAIN, NULL, 0);
        for (int step = 1; step <= 3; step++) {
            gpt_example ex;
            for (int b = 0; b < B; b++) {
                gpt_data_next(&d, &ex);
                CHECK(gpt_data_encode(&ex, inputs + b * T, targets + b * T, T) > 0);
            }
            gpt_trainer_forward(tr[k], inputs, targets, B, T);
            gpt_trainer_backward(tr[k]);
            gpt_trainer_update(tr[k], 1e-3f, 0.9f, 0.95f, 1e-8f, 0.01f, step);
        }
    }
    size_t n = gpt_num_params(&cfg);
    CHECK(!memcmp(gpt_trainer_params(tr[0]), gpt_trainer_params(tr[1]),
                  sizeof(float) * n));
    /* And training moved them away from the initialisation. */
    float *init = malloc(sizeof(float) * n);
    CHECK(init != NULL);
    gpt_init_params(&cfg, 1, init);
    CHECK(memcmp(init, gpt_trainer_params(tr[0]), sizeof(float) * n) != 0);
    free(init);
    gpt_trainer_free(tr[0]);
    gpt_trainer_free(tr[1]);
    free(inputs);
    free(targets);
}

int main(void) {
    test_reproducible();
    test_forward_matches_inference();
    test_gradient_check();
    test_initial_loss();
    test_overfit_one_batch();
    return 0;
}
