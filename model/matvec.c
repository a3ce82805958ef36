/* matvec.c - the decoding step's matrix-vector products, by hand.
 *
 * A decoding step multiplies one row by each weight matrix: 9 products per
 * token on matrices of 64x64 to 256x64, where OpenBLAS's per-call work
 * (argument checks, kernel dispatch, a dot product per output and its
 * horizontal sum) costs as much as the arithmetic. Here the product is
 * taken from the transposed matrix (made once at load, matvec_t below):
 * out += x[i] * row i, contiguous multiply-adds into a block of 64 outputs
 * kept in registers, with no horizontal sum.
 *
 * Plain C that GCC vectorises, built for AVX2 + FMA beside plain x86-64
 * (GPT_CLONES, internal.h). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 64

GPT_CLONES
void gpt_matvec_t(float *restrict out, const float *restrict wt, const float *restrict x,
                  int IC, int OC) {
    int o = 0;
    for (; o + BLOCK <= OC; o += BLOCK) { /* a constant width: registers */
        float acc[BLOCK] = {0};
        for (int i = 0; i < IC; i++) {
            const float *restrict r = wt + (size_t)i * OC + o;
            const float xi = x[i];
            for (int k = 0; k < BLOCK; k++) acc[k] += xi * r[k];
        }
        memcpy(out + o, acc, sizeof acc);
    }
    if (o < OC) {
        int n = OC - o;
        float acc[BLOCK] = {0};
        for (int i = 0; i < IC; i++) {
            const float *restrict r = wt + (size_t)i * OC + o;
            const float xi = x[i];
            for (int k = 0; k < n; k++) acc[k] += xi * r[k];
        }
        memcpy(out + o, acc, sizeof(float) * (size_t)n);
    }
}

static const float *transpose(float *dst, const float *src, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
    return dst;
}

int gpt_transposed_make(gpt_model *m) {
    const gpt_config *c = &m->cfg;
    size_t C = c->d_model, M = c->d_mlp, V = c->vocab_size, L = c->n_layers;
    float *p = malloc(sizeof(float) * (L * (3 * C * C + C * C + 2 * C * M) + V * C));
    if (!p) return -1;
    m->wt = p;
    for (size_t l = 0; l < L; l++) {
        const gpt_layer *ly = &m->w.layer[l];
        gpt_layer_t *t = &m->layer_t[l];
        t->w_qkv = transpose(p, ly->w_qkv, (int)(3 * C), (int)C), p += 3 * C * C;
        t->w_o = transpose(p, ly->w_o, (int)C, (int)C), p += C * C;
        t->w_fc = transpose(p, ly->w_fc, (int)M, (int)C), p += M * C;
        t->w_proj = transpose(p, ly->w_proj, (int)C, (int)M), p += C * M;
    }
    m->head_t = transpose(p, m->w.wte, (int)V, (int)C);
    return 0;
}
