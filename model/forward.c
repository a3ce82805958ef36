/* forward.c - the fast forward pass: OpenBLAS projections and a KV cache.
 *
 * A block of T new tokens at positions pos0..pos0+T-1 runs through every
 * layer at once: each projection is one cblas_sgemm over the T rows (one
 * cblas_sgemv when T is 1), and attention reads keys and values of earlier
 * positions from the cache. Prefill is one block of the whole prompt;
 * decoding is a block of one token per step.
 *
 * Everything here runs on the calling thread and touches only the model
 * (read-only) and the caller's gpt_state, so any number of threads may run
 * it at once on one model.
 */
#include "internal.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* forward_block() is built for AVX2 beside plain x86-64 (GPT_CLONES,
 * internal.h), its helpers inlined into each build. No result changes with
 * the width: the vectorised loops are elementwise, and every sum keeps its
 * order. Measured here (minigpt bench, medians of 3 interleaved runs):
 * 25.5 GFLOP/s with SSE2 alone, 28.7 with AVX2; an AVX-512 build too gave
 * 25.3 (these loops are 16 to 70 long, and the wider vectors' remainders
 * and clock cost more than they save). */
#define INLINE static inline __attribute__((always_inline))

struct gpt_state {
    int maxT, C, M, V, L;
    int pos;        /* tokens already in the cache */
    float *x;       /* (maxT, C) residual stream of the current block */
    float *xn;      /* (maxT, C) layer-normed input of a sub-block */
    float *qkv;     /* (maxT, 3C) */
    float *att;     /* (maxT, C) attention output, heads side by side */
    float *proj;    /* (maxT, C) output of w_o or w_proj */
    float *hidden;  /* (maxT, M) MLP activations */
    float *scores;  /* (maxT) attention weights of one query and head */
    float *kcache;  /* (L, NH, HS, maxT): transposed, see attention() */
    float *vcache;  /* (L, maxT, C) */
    float *logits;  /* (V) */
    float *arena;   /* the one allocation the pointers above live in */
};

gpt_state *gpt_state_new(const gpt_model *m) {
    const gpt_config *c = &m->cfg;
    size_t maxT = c->context, C = c->d_model, M = c->d_mlp, V = c->vocab_size;
    size_t L = c->n_layers;
    size_t n = maxT * C * 4 + maxT * 3 * C + maxT * M + maxT +
               2 * L * maxT * C + V;
    gpt_state *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->arena = calloc(n, sizeof(float));
    if (!s->arena) {
        free(s);
        return NULL;
    }
    s->maxT = (int)maxT, s->C = (int)C, s->M = (int)M, s->V = (int)V;
    s->L = (int)L;
    float *p = s->arena;
    s->x = p, p += maxT * C;
    s->xn = p, p += maxT * C;
    s->qkv = p, p += maxT * 3 * C;
    s->att = p, p += maxT * C;
    s->proj = p, p += maxT * C;
    s->hidden = p, p += maxT * M;
    s->scores = p, p += maxT;
    s->kcache = p, p += L * maxT * C;
    s->vcache = p, p += L * maxT * C;
    s->logits = p;
    return s;
}

void gpt_state_free(gpt_state *s) {
    if (!s) return;
    free(s->arena);
    free(s);
}

/* out (T, OC) = in (T, IC) @ W^T, from wt = W transposed, (IC, OC): one
 * row through the hand-written product (matvec.c says why), a block of
 * rows through OpenBLAS's sgemm. Both read only the transposed copy, so
 * that the mapped originals do not share the cache with it. */
static void matmul(float *out, const float *in, const float *wt, int T, int IC, int OC) {
    if (T == 1)
        gpt_matvec_t(out, wt, in, IC, OC);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, OC, IC, 1.0f,
                    in, IC, wt, OC, 0.0f, out, OC);
}

INLINE void layernorm(float *out, const float *in, const float *g,
                      const float *b, int T, int C) {
    for (int t = 0; t < T; t++) {
        const float *x = in + (size_t)t * C;
        float *y = out + (size_t)t * C;
        float mean = 0.0f, var = 0.0f;
        for (int i = 0; i < C; i++) mean += x[i];
        mean /= C;
        for (int i = 0; i < C; i++) var += (x[i] - mean) * (x[i] - mean);
        float rstd = 1.0f / sqrtf(var / C + 1e-5f);
        for (int i = 0; i < C; i++) y[i] = (x[i] - mean) * rstd * g[i] + b[i];
    }
}

/* Causal attention for the T queries of the block; query t sees cached
 * positions 0..pos0+t. Keys and values come from this layer's cache.
 * Keys are stored transposed, (NH, HS, maxT), so the scores of one query
 * against all positions are a sum of contiguous rows that the compiler
 * vectorises without reordering any float addition. */
INLINE void attention(gpt_state *s, const float *kc, const float *vc,
                      int pos0, int T, int NH) {
    int C = s->C, HS = C / NH, maxT = s->maxT;
    float scale = 1.0f / sqrtf((float)HS);
    for (int t = 0; t < T; t++) {
        int n = pos0 + t + 1;
        for (int h = 0; h < NH; h++) {
            const float *q = s->qkv + (size_t)t * 3 * C + h * HS;
            const float *kt = kc + (size_t)h * HS * maxT;
            float *restrict sc = s->scores;
            /* Scores 16 positions at a time, each block summed over the
             * head's channels in registers (each sum in channel order, as
             * one row at a time would), then the rest. */
            int j0 = 0;
            for (; j0 + 16 <= n; j0 += 16) {
                float acc[16] = {0};
                for (int i = 0; i < HS; i++) {
                    const float *restrict krow = kt + (size_t)i * maxT + j0;
                    for (int k = 0; k < 16; k++) acc[k] += q[i] * krow[k];
                }
                memcpy(sc + j0, acc, sizeof acc);
            }
            for (int j = j0; j < n; j++) sc[j] = 0.0f;
            for (int i = 0; i < HS && j0 < n; i++) {
                const float *restrict krow = kt + (size_t)i * maxT;
                for (int j = j0; j < n; j++) sc[j] += q[i] * krow[j];
            }
            float maxv = -INFINITY;
            for (int j = 0; j < n; j++) {
                sc[j] *= scale;
                if (sc[j] > maxv) maxv = sc[j];
            }
            /* The exponentials in one loop (vectorised), their sum in
             * order in another. */
            for (int j = 0; j < n; j++) sc[j] = gpt_expf(sc[j] - maxv);
            float sum = 0.0f;
            for (int j = 0; j < n; j++) sum += sc[j];
            for (int j = 0; j < n; j++) sc[j] /= sum; /* vectorised */
            float *restrict o = s->att + (size_t)t * C + h * HS;
            if (HS == 16) { /* the default config: the output in registers */
                float acc[16] = {0};
                for (int j = 0; j < n; j++) {
                    const float *restrict v = vc + (size_t)j * C + h * 16;
                    for (int i = 0; i < 16; i++) acc[i] += sc[j] * v[i];
                }
                memcpy(o, acc, sizeof acc);
            } else {
                memset(o, 0, sizeof(float) * HS);
                for (int j = 0; j < n; j++) {
                    const float *restrict v = vc + (size_t)j * C + h * HS;
                    for (int i = 0; i < HS; i++) o[i] += sc[j] * v[i];
                }
            }
        }
    }
}

/* Runs tokens[0..T) at positions s->pos.. through the model, appends their
 * keys and values to the cache and leaves the last row's logits in
 * s->logits. The caller has checked bounds. */
GPT_CLONES static void forward_block(const gpt_model *m, gpt_state *s, const int *tokens,
                          int T) {
    const gpt_config *cfg = &m->cfg;
    int C = s->C, M = s->M, V = s->V, NH = (int)cfg->n_heads;
    int pos0 = s->pos;
    float escale = gpt_embed_scale(C);

    for (int t = 0; t < T; t++) {
        const float *e = m->w.wte + (size_t)tokens[t] * C;
        const float *p = m->pos + (size_t)(pos0 + t) * C;
        float *x = s->x + (size_t)t * C;
        for (int i = 0; i < C; i++) x[i] = e[i] * escale + p[i];
    }

    for (int l = 0; l < s->L; l++) {
        const gpt_layer *ly = &m->w.layer[l];
        float *kc = s->kcache + (size_t)l * s->maxT * C;
        float *vc = s->vcache + (size_t)l * s->maxT * C;

        layernorm(s->xn, s->x, ly->ln1_g, ly->ln1_b, T, C);
        const gpt_layer_t *lt = &m->layer_t[l];
        matmul(s->qkv, s->xn, lt->w_qkv, T, C, 3 * C);
        for (int t = 0; t < T; t++) {
            const float *row = s->qkv + (size_t)t * 3 * C;
            /* Channel c of head h is row h * HS + c % HS = c of the
             * transposed key cache. */
            for (int c = 0; c < C; c++)
                kc[(size_t)c * s->maxT + pos0 + t] = row[C + c];
            memcpy(vc + (size_t)(pos0 + t) * C, row + 2 * C, sizeof(float) * C);
        }
        attention(s, kc, vc, pos0, T, NH);
        matmul(s->proj, s->att, lt->w_o, T, C, C);
        for (int i = 0; i < T * C; i++) s->x[i] += s->proj[i];

        layernorm(s->xn, s->x, ly->ln2_g, ly->ln2_b, T, C);
        matmul(s->hidden, s->xn, lt->w_fc, T, C, M);
        for (int i = 0; i < T * M; i++) s->hidden[i] = gpt_gelu_fast(s->hidden[i]);
        matmul(s->proj, s->hidden, lt->w_proj, T, M, C);
        for (int i = 0; i < T * C; i++) s->x[i] += s->proj[i];
    }

    /* Only the last position's prediction is ever used. */
    const float *last = s->x + (size_t)(T - 1) * C;
    layernorm(s->xn, last, m->w.lnf_g, m->w.lnf_b, 1, C);
    matmul(s->logits, s->xn, m->head_t, 1, C, V);
    s->pos = pos0 + T;
}

static int tokens_valid(const gpt_state *s, const int *tokens, int n) {
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= s->V) return 0;
    return 1;
}

const float *gpt_prefill(const gpt_model *m, gpt_state *s, const int *tokens,
                         int n) {
    if (n <= 0 || n > s->maxT || !tokens_valid(s, tokens, n)) return NULL;
    s->pos = 0;
    forward_block(m, s, tokens, n);
    return s->logits;
}

const float *gpt_step(const gpt_model *m, gpt_state *s, int token) {
    if (s->pos >= s->maxT || !tokens_valid(s, &token, 1)) return NULL;
    forward_block(m, s, &token, 1);
    return s->logits;
}

double gpt_forward_flops(const gpt_model *m, int pos0, int T) {
    const gpt_config *c = &m->cfg;
    double C = c->d_model, M = c->d_mlp, V = c->vocab_size, L = c->n_layers;
    /* w_qkv, w_o, w_fc and w_proj: one multiply-add per weight per token. */
    double flops = T * L * 2 * (3 * C * C + C * C + 2 * C * M);
    /* Each query scores and mixes the p + 1 positions it sees: 2 x C
     * multiply-adds per position, per layer. */
    for (int t = 0; t < T; t++) flops += L * 4 * C * (pos0 + t + 1);
    return flops + 2 * V * C; /* the head, last position only */
}
