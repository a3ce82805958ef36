/* init.c - the deterministic seeded initialisation of an untrained model.
 *
 * GPT-2's scheme: linear weights and embeddings ~ N(0, 0.02), the two
 * projections that write into the residual stream (w_o, w_proj) scaled by
 * 1/sqrt(2L), LayerNorm gains 1 and biases 0. The generator is splitmix64
 * with Box-Muller, so a seed gives the same floats on every run.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    uint64_t state;
} rng64;

static uint64_t rng_next(rng64 *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double rng_uniform(rng64 *r) {
    return ((rng_next(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

static void fill_normal(rng64 *r, float *p, size_t n, double std) {
    const double two_pi = 6.283185307179586;
    for (size_t i = 0; i < n; i++) {
        double u1 = rng_uniform(r), u2 = rng_uniform(r);
        p[i] = (float)(std * sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
    }
}

static void fill_const(float *p, size_t n, float v) {
    for (size_t i = 0; i < n; i++) p[i] = v;
}

void gpt_init_params(const gpt_config *cfg, uint64_t seed, float *params) {
    size_t C = cfg->d_model, M = cfg->d_mlp, V = cfg->vocab_size;
    double std = 0.02, resid_std = 0.02 / sqrt(2.0 * cfg->n_layers);
    rng64 r = {seed};
    gpt_weights w;
    gpt_weights_map(cfg, params, &w);
    /* The map hands out const pointers for the loaded model; here we own
     * the buffer, so writing through it is fine. */
    fill_normal(&r, (float *)w.wte, V * C, std);
    for (uint32_t l = 0; l < cfg->n_layers; l++) {
        gpt_layer *ly = &w.layer[l];
        fill_const((float *)ly->ln1_g, C, 1.0f);
        fill_const((float *)ly->ln1_b, C, 0.0f);
        fill_normal(&r, (float *)ly->w_qkv, 3 * C * C, std);
        fill_normal(&r, (float *)ly->w_o, C * C, resid_std);
        fill_const((float *)ly->ln2_g, C, 1.0f);
        fill_const((float *)ly->ln2_b, C, 0.0f);
        fill_normal(&r, (float *)ly->w_fc, M * C, std);
        fill_normal(&r, (float *)ly->w_proj, C * M, resid_std);
    }
    fill_const((float *)w.lnf_g, C, 1.0f);
    fill_const((float *)w.lnf_b, C, 0.0f);
}

int gpt_init_write(const char *path, const gpt_config *cfg, uint64_t seed) {
    int rc = gpt_config_check(cfg);
    if (rc) return rc;
    float *params = malloc(sizeof(float) * gpt_num_params(cfg));
    if (!params) return -ENOMEM;
    gpt_init_params(cfg, seed, params);
    rc = gpt_weights_write(path, cfg, 0, seed, params);
    free(params);
    return rc;
}
