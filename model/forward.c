/* forward.c - the fast forward pass: a block of tokens at a time, and a
 * KV cache.
 *
 * A block of T new tokens at positions pos0..pos0+T-1 runs through every
 * layer at once: each projection is one product over the T rows (matmul.c),
 * and attention reads keys and values of earlier positions from the cache
 * (attention.c). Prefill is one block of the whole prompt; a decoding step
 * is a block of one token, or of a few (the token just chosen and a guess
 * of the next, agent.c). Each row's result does not depend on the rows
 * beside it, so a step of several tokens gives the logits one token at a
 * time would.
 *
 * Everything here runs on the calling thread and touches only the model
 * (read-only) and the caller's gpt_state, so any number of threads may run
 * it at once on one model.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* forward_block() is built for AVX2 beside plain x86-64 (GPT_CLONES,
 * internal.h), its helpers inlined into each build. The AVX2 build fuses
 * multiply-adds, so its last bits differ from the plain build's; within a
 * build, every sum's order is fixed by the dimensions alone. Measured on
 * issue 18's first machine (minigpt bench, medians of 3 interleaved runs,
 * an earlier version of this code): 25.5 GFLOP/s with SSE2 alone, 28.7
 * with AVX2; an AVX-512 build too gave 25.3 (these loops are 16 to 70
 * long, and the wider vectors' remainders and clock cost more than they
 * save). On a later AVX-512 machine an x86-64-v4 build was no faster. */

struct gpt_state {
    int maxT, C, M, V, L;
    int pos;        /* tokens already in the cache */
    float *x;       /* (maxT, C) residual stream of the current block */
    float *xn;      /* (maxT, C) layer-normed input of a sub-block */
    float *qkv;     /* (maxT, 3C) */
    float *att;     /* (maxT, C) attention output, heads side by side */
    float *proj;    /* (maxT, C) output of w_o or w_proj */
    float *hidden;  /* (maxT, M) MLP activations */
    float *scores;  /* (NH, maxT + 8) attention weights of one query */
    float *kcache;  /* (L, NH, HS, maxT): transposed, see attention.c; vcache follows */
    float *vcache;  /* (L, maxT, C) */
    float *logits;  /* (maxT, V): a step's rows; prefill fills row 0 */
    float *arena;   /* the one allocation the pointers above live in */
};

gpt_state *gpt_state_new(const gpt_model *m) {
    const gpt_config *c = &m->cfg;
    size_t maxT = c->context, C = c->d_model, M = c->d_mlp, V = c->vocab_size;
    size_t L = c->n_layers, NH = c->n_heads;
    size_t n = maxT * C * 4 + maxT * 3 * C + maxT * M + NH * (maxT + 8) +
               2 * L * maxT * C + maxT * V;
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
    s->scores = p, p += NH * (maxT + 8);
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

/* Layer norm's sum of squares about the mean, in gpt_sum8's order. */
GPT_INLINE float row_sum_sq(const float *x, float mean, int C) {
    gpt_v8 acc = {0};
    int i = 0;
    for (; i + 8 <= C; i += 8) {
        gpt_v8 v;
        memcpy(&v, x + i, sizeof v);
        v -= mean;
        acc += v * v;
    }
    float sum = gpt_v8_sum(acc);
    for (; i < C; i++) sum += (x[i] - mean) * (x[i] - mean);
    return sum;
}

GPT_INLINE void layernorm(float *out, const float *in, const float *g, const float *b, int T,
                          int C) {
    for (int t = 0; t < T; t++) {
        const float *x = in + (size_t)t * C;
        float *y = out + (size_t)t * C;
        float mean = gpt_sum8(x, C) / C;
        float rstd = 1.0f / sqrtf(row_sum_sq(x, mean, C) / C + 1e-5f);
        for (int i = 0; i < C; i++) y[i] = (x[i] - mean) * rstd * g[i] + b[i];
    }
}

/* Runs tokens[0..T) at positions s->pos.. through the model and appends
 * their keys and values to the cache. A prefill (all_logits 0) leaves the
 * last row's logits in s->logits; a step leaves every row's, row t at
 * s->logits + t * V. The caller has checked bounds. */
GPT_CLONES static void forward_block(const gpt_model *m, gpt_state *s, const int *tokens,
                                     int T, int all_logits) {
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
        const gpt_layer_packed *lp = &m->layer_p[l];
        gpt_matmul(s->qkv, lp->w_qkv, s->xn, T, C, 3 * C);
        for (int t = 0; t < T; t++) {
            const float *row = s->qkv + (size_t)t * 3 * C;
            /* Channel c of head h is row h * HS + c % HS = c of the
             * transposed key cache. */
            for (int c = 0; c < C; c++)
                kc[(size_t)c * s->maxT + pos0 + t] = row[C + c];
            memcpy(vc + (size_t)(pos0 + t) * C, row + 2 * C, sizeof(float) * C);
        }
        /* Rows r0.. go on through the layer. In a prefill's last layer
         * only the last row does: the others' keys and values are all the
         * cache keeps of them, and no logits are read from them (as
         * llama.cpp keeps only the outputs it returns). */
        const int r0 = !all_logits && l == s->L - 1 ? T - 1 : 0, R = T - r0;
        float *x = s->x + (size_t)r0 * C;
        gpt_attention(s->att, s->qkv + (size_t)r0 * 3 * C, kc, vc, s->scores, pos0 + r0, R, C,
                      NH, s->maxT);
        gpt_matmul(s->proj, lp->w_o, s->att, R, C, C);
        for (int i = 0; i < R * C; i++) x[i] += s->proj[i];

        layernorm(s->xn, x, ly->ln2_g, ly->ln2_b, R, C);
        gpt_matmul(s->hidden, lp->w_fc, s->xn, R, C, M);
        for (int i = 0; i < R * M; i++) s->hidden[i] = gpt_gelu_fast(s->hidden[i]);
        gpt_matmul(s->proj, lp->w_proj, s->hidden, R, M, C);
        for (int i = 0; i < R * C; i++) x[i] += s->proj[i];
    }

    /* A prefill's only prediction used is its last position's; a step's
     * are all checked against the draft they were fed. */
    int first = all_logits ? 0 : T - 1;
    layernorm(s->xn, s->x + (size_t)first * C, m->w.lnf_g, m->w.lnf_b, T - first, C);
    gpt_matmul(s->logits, m->head_p, s->xn, T - first, C, V);
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
    forward_block(m, s, tokens, n, 0);
    return s->logits;
}

const float *gpt_extend(const gpt_model *m, gpt_state *s, const int *tokens, int n) {
    if (n <= 0 || n > s->maxT - s->pos || !tokens_valid(s, tokens, n)) return NULL;
    forward_block(m, s, tokens, n, 1);
    return s->logits;
}

const float *gpt_step(const gpt_model *m, gpt_state *s, int token) {
    return gpt_extend(m, s, &token, 1);
}

int gpt_cached(const gpt_state *s) { return s->pos; }

int gpt_rewind(gpt_state *s, int pos) {
    if (pos < 0 || pos > s->pos) return -1;
    s->pos = pos; /* what lies beyond is overwritten before it is read */
    return 0;
}

double gpt_prefill_flops(const gpt_model *m, int T) {
    const gpt_config *c = &m->cfg;
    double C = c->d_model, M = c->d_mlp;
    /* the last layer's rows but the last: w_o, w_fc and w_proj, and each
     * one's attention over positions 1..T-1 */
    double skipped = (T - 1) * 2 * (C * C + 2 * C * M) + 4 * C * (T - 1) * T / 2.0;
    return gpt_forward_flops(m, 0, T) - skipped;
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
