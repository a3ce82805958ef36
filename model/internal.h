/* internal.h - what model/'s own files share; not part of the public API.
 *
 * Dimension letters used throughout model/:
 *   V = vocab size, C = d_model (channels), NH = heads, HS = C / NH,
 *   L = layers, M = MLP width, T = tokens in a block, maxT = context.
 */
#ifndef MINIGPT_INTERNAL_H
#define MINIGPT_INTERNAL_H

#include "minigpt.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define GPT_WEIGHTS_MAGIC "MGPT"
#define GPT_WEIGHTS_VERSION 1u
#define GPT_HEADER_SIZE 64

/* Pointers into the parameter block, in file order. Matrices are stored
 * (out, in) row-major, as PyTorch's nn.Linear, so y = x @ W^T. */
typedef struct {
    const float *ln1_g;  /* (C) */
    const float *ln1_b;  /* (C) */
    const float *w_qkv;  /* (3C, C): rows 0..C are Q, then K, then V */
    const float *w_o;    /* (C, C) */
    const float *ln2_g;  /* (C) */
    const float *ln2_b;  /* (C) */
    const float *w_fc;   /* (M, C) */
    const float *w_proj; /* (C, M) */
} gpt_layer;

typedef struct {
    const float *wte;    /* (V, C) token embedding, also the output head */
    gpt_layer layer[16]; /* (L) of them; gpt_config_check caps L at 16 */
    const float *lnf_g;  /* (C) */
    const float *lnf_b;  /* (C) */
} gpt_weights;

#define GPT_MAX_LAYERS 16

/* The fast path's hot functions are built twice: for x86-64-v3 (AVX2 +
 * FMA) and for any x86-64, and the CPU picks one at load time (an ifunc),
 * so the binary stays portable while GCC's vectorised loops use 8-wide
 * vectors where the core has them. Not under clang or the sanitizers. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define GPT_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GPT_CLONES
#endif

/* The hot loops' helpers are forced inline, so that each GPT_CLONES build
 * of their caller vectorises them for its own width. */
#define GPT_INLINE static inline __attribute__((always_inline))

/* Eight floats, one AVX2 register (two SSE ones in the plain build): GCC's
 * vector extension, for the loops whose sums GCC's vectoriser, left to
 * itself, spread over shuffles and the stack (matmul.c, attention.c). */
typedef float gpt_v8 __attribute__((vector_size(32)));

/* The sum of v's 8 lanes, pairwise in a fixed order. */
GPT_INLINE float gpt_v8_sum(gpt_v8 v) {
    return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

/* The sum of x[0..n): 8 lanes side by side (element i in lane i % 8, each
 * lane in order), the lanes added (gpt_v8_sum), then the elements past the
 * last whole 8 in order. Eight chains of additions rather than one, in an
 * order fixed by n alone, so that a row sums the same in a block of any
 * size (layer norm's mean, a softmax's total). */
GPT_INLINE float gpt_sum8(const float *x, int n) {
    gpt_v8 acc = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        gpt_v8 v;
        memcpy(&v, x + i, sizeof v);
        acc += v;
    }
    float sum = gpt_v8_sum(acc);
    for (; i < n; i++) sum += x[i];
    return sum;
}

/* A layer's matrices packed for the products (matmul.c): panels of 8
 * outputs, each input's 8 weights side by side. */
typedef struct {
    const float *w_qkv;  /* 3C outputs from C inputs */
    const float *w_o;    /* C from C */
    const float *w_fc;   /* M from C */
    const float *w_proj; /* C from M */
} gpt_layer_packed;

struct gpt_model {
    gpt_config cfg;
    uint32_t version;
    uint32_t flags;
    uint64_t seed;
    size_t n_params;
    void *map;          /* the whole file, read-only */
    size_t map_size;
    gpt_weights w;      /* points into map */
    float *pos;         /* (maxT, C) sinusoidal position table */
    float *packed;      /* the packed copies below, one allocation
                           (405 KB for the default config) */
    gpt_layer_packed layer_p[GPT_MAX_LAYERS];
    const float *head_p; /* wte, the tied head: V outputs from C */
};

/* Makes m's packed copies (matmul.c). 0, or -1 when out of memory. */
int gpt_packed_make(gpt_model *m);

/* out (T, OC) = in (T, IC) @ W^T, from W (OC, IC) packed by
 * gpt_packed_make. Each row's result is the same, bit for bit, whatever T
 * is. */
void gpt_matmul(float *restrict out, const float *restrict wp, const float *restrict in,
                int T, int IC, int OC);

/* Causal attention of the block's T queries (rows of qkv, (T, 3C)) at
 * positions pos0.. over this layer's cache: keys kc (NH, HS, maxT), values
 * vc (maxT, C). Writes att (T, C); sc is scratch of NH * (maxT + 8). Reads
 * up to 7 floats past each key row's used part, so the 7 floats after kc's
 * last row must be readable (gpt_state puts the value cache there). */
void gpt_attention(float *restrict att, const float *restrict qkv, const float *restrict kc,
                   const float *restrict vc, float *restrict sc, int pos0, int T, int C,
                   int NH, int maxT);

/* Fills w with pointers into params laid out for cfg; returns the number
 * of floats consumed, which equals gpt_num_params(cfg). */
size_t gpt_weights_map(const gpt_config *cfg, const float *params,
                       gpt_weights *w);

/* Fills params (gpt_num_params(cfg) floats) with the seeded initialisation
 * that gpt_init_write() stores; the trainer starts from the same values. */
void gpt_init_params(const gpt_config *cfg, uint64_t seed, float *params);

/* Fills pos (maxT, C) with the sinusoidal table of "Attention Is All You
 * Need": even channels sin(t / 10000^(2i/C)), odd channels cos(...). */
void gpt_position_table(float *pos, int maxT, int C);

/* Scale applied to token embeddings before adding positions, sqrt(C), so
 * that a small-init embedding is not drowned by the unit-sized positions. */
float gpt_embed_scale(int C);

/* e^x in float arithmetic alone, so that a loop of them vectorises (glibc's
 * expf is a call per element, and made the GELU and softmax loops the
 * hottest code of a decoding step): x = k ln 2 + r with |r| <= ln 2 / 2,
 * e^r from Cephes' degree-6 polynomial, times 2^k built in the exponent
 * bits. Within 1 float ulp of expf for x in [-86, 88.3] (checked in
 * test_model_forward). Below -86 it gives e^-86 (about 4.5e-38, nothing
 * next to the terms it is added to) and never a subnormal; above 88.3 it
 * gives +inf (expf does above 88.72), never a large finite value: GELU
 * divides by 1 + e^x, and a finite e^88 there made subnormal quotients for
 * every very negative input, each multiply on one a microcode assist of
 * ~100 cycles (it made the decoding step slower than with expf). */
static inline float gpt_expf(float x) {
    x = x < -86.0f ? -86.0f : x;
    x = x > 89.0f ? 89.0f : x; /* k = 128 from 88.38 on: 2^128 is +inf */
    /* k = round(x / ln 2): adding 1.5 * 2^23 rounds to a whole number. */
    float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - k * 0.693359375f - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union {
        int32_t i;
        float f;
    } two_k = {.i = ((int32_t)k + 127) << 23};
    return p * two_k.f;
}

/* GELU, tanh approximation, as in GPT-2. 0.5 x (1 + tanh(u)) equals
 * x * sigmoid(2u); written that way it costs one expf instead of glibc's
 * tanhf, which took a third of the inference time. Inline, because it runs
 * d_mlp times per layer per token. */
static inline float gpt_gelu_u(float x) {
    const float s = 0.7978845608028654f; /* sqrt(2 / pi) */
    return s * (x + 0.044715f * x * x * x);
}
static inline float gpt_gelu(float x) { return x / (1.0f + expf(-2.0f * gpt_gelu_u(x))); }

/* The same with gpt_expf, for the fast path's loops (forward.c); the
 * naive reference and the trainer keep expf. */
static inline float gpt_gelu_fast(float x) {
    return x / (1.0f + gpt_expf(-2.0f * gpt_gelu_u(x)));
}

#endif /* MINIGPT_INTERNAL_H */
