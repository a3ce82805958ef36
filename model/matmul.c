/* matmul.c - the forward pass's matrix products, by hand.
 *
 * The model's products are small: a prompt of some 30 rows or a decoding
 * step of 1 to 9 (agent.c's guesses), times matrices of 64x64 to 256x64.
 * At these shapes OpenBLAS's per-call work (argument checks, dispatch,
 * packing both operands, and for one row a dot product per output with its
 * horizontal sum) costs as much as the arithmetic; measured beside it, the
 * code here ran the same shapes as fast or faster (README, Performance).
 *
 * The weights are packed once at load (gpt_packed_make below) into panels of
 * 8 outputs: panel p holds, for each input i in turn, the 8 weights W[8p ..
 * 8p+7][i]. A product then streams each panel front to back and keeps its
 * sums in registers: out[t][8p..] += in[t][i] * panel row i, one vector
 * multiply-add per row and input, no horizontal sum, no strided reads.
 *
 * Every output is summed the same way whatever the number of rows: from 0,
 * over i in order, one multiply-add each. So a row's result does not depend
 * on the rows beside it, and a step of several tokens gives, bit for bit,
 * the logits that one token at a time would (test_model_kvcache checks it).
 *
 * Plain C with GCC's vector extension, built for AVX2 + FMA beside plain
 * x86-64 (GPT_CLONES, internal.h).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* A tile: R rows by W panels from panel p0, R x W vectors of sums in
 * registers, each weight vector loaded once for R multiply-adds; n of the
 * 8 W outputs are kept (fewer only in the last panel of the head's 74).
 * R and W are constants once inlined, so the sums stay in registers. */
#define MAX_R 6
#define MAX_W 8
GPT_INLINE void tile(float *restrict out, const float *restrict wp, const float *restrict in,
                 int R, int W, int IC, int OC, int p0, int n) {
    gpt_v8 acc[MAX_R][MAX_W] = {{{0}}};
    const float *restrict panel = wp + (size_t)p0 * IC * 8;
    for (int i = 0; i < IC; i++) {
        gpt_v8 w[MAX_W];
#pragma GCC unroll 8
        for (int c = 0; c < W; c++)
            memcpy(&w[c], panel + ((size_t)c * IC + i) * 8, sizeof w[c]);
#pragma GCC unroll 6
        for (int r = 0; r < R; r++) {
            const float x = in[(size_t)r * IC + i];
#pragma GCC unroll 8
            for (int c = 0; c < W; c++) acc[r][c] += x * w[c];
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; r++) {
        float *dst = out + (size_t)r * OC + (size_t)p0 * 8;
        if (n == 8 * W)
            memcpy(dst, acc[r], sizeof(gpt_v8) * (size_t)W);
        else
            memcpy(dst, acc[r], sizeof(float) * (size_t)n);
    }
}

/* R rows through the whole matrix. The width gives R x W sums, 8 to 12
 * independent chains of multiply-adds: fewer leave the two FMA units
 * waiting on each other's latency (4 cycles), more do not fit AVX2's 16
 * registers beside the W weights and the broadcast input. */
GPT_INLINE void row_group(float *restrict out, const float *restrict wp, const float *restrict in,
                      int R, int IC, int OC) {
    const int W = R == 1 ? 8 : R <= 3 ? 4 : R == 4 ? 3 : 2;
    const int full = OC / 8; /* whole panels */
    int p = 0;
    for (; p + W <= full; p += W) tile(out, wp, in, R, W, IC, OC, p, 8 * W);
    for (; p < full; p++) tile(out, wp, in, R, 1, IC, OC, p, 8);
    if (OC % 8) tile(out, wp, in, R, 1, IC, OC, p, OC % 8);
}

GPT_CLONES
void gpt_matmul(float *restrict out, const float *restrict wp, const float *restrict in,
                int T, int IC, int OC) {
    /* Groups of at most 6 rows, as even as can be (7 = 4 + 3, 8 = 4 + 4),
     * each reading the weights once. */
    int groups = (T + MAX_R - 1) / MAX_R;
    for (int g = 0, t = 0; g < groups; g++) {
        int R = (T - t + (groups - g) - 1) / (groups - g);
        float *o = out + (size_t)t * OC;
        const float *x = in + (size_t)t * IC;
        switch (R) { /* constant row counts, each its own registers */
        case 1: row_group(o, wp, x, 1, IC, OC); break;
        case 2: row_group(o, wp, x, 2, IC, OC); break;
        case 3: row_group(o, wp, x, 3, IC, OC); break;
        case 4: row_group(o, wp, x, 4, IC, OC); break;
        case 5: row_group(o, wp, x, 5, IC, OC); break;
        default: row_group(o, wp, x, 6, IC, OC); break;
        }
        t += R;
    }
}

/* Floats in the packing of an (OC, IC) matrix: whole panels of 8. */
static size_t packed_size(size_t OC, size_t IC) { return (OC + 7) / 8 * 8 * IC; }

/* Packs W (OC, IC) row-major into panels of 8 outputs; the last panel's
 * missing outputs are zero weights. */
static const float *pack(float *dst, const float *w, int OC, int IC) {
    for (int p = 0; p < (OC + 7) / 8; p++)
        for (int i = 0; i < IC; i++)
            for (int k = 0; k < 8; k++) {
                int o = p * 8 + k;
                dst[((size_t)p * IC + i) * 8 + k] = o < OC ? w[(size_t)o * IC + i] : 0.0f;
            }
    return dst;
}

int gpt_packed_make(gpt_model *m) {
    const gpt_config *c = &m->cfg;
    size_t C = c->d_model, M = c->d_mlp, V = c->vocab_size, L = c->n_layers;
    size_t per_layer = packed_size(3 * C, C) + packed_size(C, C) + packed_size(M, C) +
                       packed_size(C, M);
    float *p = malloc(sizeof(float) * (L * per_layer + packed_size(V, C)));
    if (!p) return -1;
    m->packed = p;
    for (size_t l = 0; l < L; l++) {
        const gpt_layer *ly = &m->w.layer[l];
        gpt_layer_packed *t = &m->layer_p[l];
        t->w_qkv = pack(p, ly->w_qkv, (int)(3 * C), (int)C), p += packed_size(3 * C, C);
        t->w_o = pack(p, ly->w_o, (int)C, (int)C), p += packed_size(C, C);
        t->w_fc = pack(p, ly->w_fc, (int)M, (int)C), p += packed_size(M, C);
        t->w_proj = pack(p, ly->w_proj, (int)C, (int)M), p += packed_size(C, M);
    }
    m->head_p = pack(p, m->w.wte, (int)V, (int)C);
    return 0;
}
