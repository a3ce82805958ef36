/* model_fixtures.h - weights files the model tests build for themselves. */
#ifndef TEST_MODEL_FIXTURES_H
#define TEST_MODEL_FIXTURES_H

#include "check.h"
#include "minigpt.h"

#include <stdint.h>
#include <unistd.h>

/* A path in the test's scratch folder, unique to this process. */
static inline void fixture_path(char *buf, size_t size, const char *name) {
    const char *dir = getenv("LAB_TEST_TMP");
    snprintf(buf, size, "%s/%s.%ld.bin", dir && *dir ? dir : "/tmp", name,
             (long)getpid());
}

/* Random weights, every tensor (LayerNorm gains and biases included) drawn
 * uniformly from [-scale, scale] around its usual value, so that every
 * parameter moves the output and a wrong index would show. */
static inline void fixture_random_params(float *p, size_t n, uint64_t seed,
                                         float scale) {
    uint64_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = scale * (2.0f * (float)((x >> 11) * (1.0 / 9007199254740992.0)) - 1.0f);
    }
}

/* Writes random weights for cfg and loads them; the file is removed. */
static inline gpt_model *fixture_random_model(const gpt_config *cfg,
                                              uint64_t seed, float scale) {
    char path[512];
    fixture_path(path, sizeof path, "random");
    size_t n = gpt_num_params(cfg);
    float *p = malloc(sizeof(float) * n);
    CHECK(p != NULL);
    fixture_random_params(p, n, seed, scale);
    CHECK_EQ_INT(gpt_weights_write(path, cfg, 0, seed, p), 0);
    free(p);
    gpt_model *m = NULL;
    CHECK_EQ_INT(gpt_load(path, &m), 0);
    unlink(path);
    return m;
}

/* The seeded initialisation of the default config, as the tools write it. */
static inline gpt_model *fixture_init_model(uint64_t seed) {
    char path[512];
    fixture_path(path, sizeof path, "init");
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    CHECK_EQ_INT(gpt_init_write(path, &cfg, seed), 0);
    gpt_model *m = NULL;
    CHECK_EQ_INT(gpt_load(path, &m), 0);
    unlink(path);
    return m;
}

#endif
