/* forward_naive.c - the reference forward pass: plain loops, no BLAS, no
 * cache, every position recomputed. It is slow on purpose and exists so the
 * tests can hold the fast path (forward.c) to it, as llm.c keeps
 * matmul_forward_naive. Shares only the weights, the position table and
 * the small scalar helpers with the fast path.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* out (T, OC) = in (T, IC) @ w^T, w stored (OC, IC); accumulates in double
 * so the reference is, if anything, more exact than what it checks. */
static void matmul_naive(float *out, const float *in, const float *w, int T,
                         int IC, int OC) {
    for (int t = 0; t < T; t++)
        for (int o = 0; o < OC; o++) {
            double acc = 0.0;
            for (int i = 0; i < IC; i++)
                acc += (double)in[t * IC + i] * w[o * IC + i];
            out[t * OC + o] = (float)acc;
        }
}

static void layernorm_naive(float *out, const float *in, const float *g,
                            const float *b, int T, int C) {
    for (int t = 0; t < T; t++) {
        double mean = 0.0, var = 0.0;
        for (int i = 0; i < C; i++) mean += in[t * C + i];
        mean /= C;
        for (int i = 0; i < C; i++) {
            double d = in[t * C + i] - mean;
            var += d * d;
        }
        double rstd = 1.0 / sqrt(var / C + 1e-5);
        for (int i = 0; i < C; i++)
            out[t * C + i] = (float)((in[t * C + i] - mean) * rstd * g[i] + b[i]);
    }
}

int gpt_forward_naive(const gpt_model *m, const int *tokens, int n,
                      float *logits) {
    const gpt_config *cfg = &m->cfg;
    int C = (int)cfg->d_model, M = (int)cfg->d_mlp, V = (int)cfg->vocab_size;
    int NH = (int)cfg->n_heads, HS = C / NH, T = n;
    if (n <= 0 || n > (int)cfg->context) return -EINVAL;
    for (int t = 0; t < n; t++)
        if (tokens[t] < 0 || tokens[t] >= V) return -EINVAL;

    float *x = malloc(sizeof(float) * T * C);
    float *xn = malloc(sizeof(float) * T * C);
    float *qkv = malloc(sizeof(float) * T * 3 * C);
    float *att = malloc(sizeof(float) * T * C);
    float *proj = malloc(sizeof(float) * T * C);
    float *hidden = malloc(sizeof(float) * T * M);
    double *w = malloc(sizeof(double) * T);
    int rc = 0;
    if (!x || !xn || !qkv || !att || !proj || !hidden || !w) {
        rc = -ENOMEM;
        goto out;
    }

    float escale = gpt_embed_scale(C);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < C; i++)
            x[t * C + i] = m->w.wte[tokens[t] * C + i] * escale + m->pos[t * C + i];

    for (int l = 0; l < (int)cfg->n_layers; l++) {
        const gpt_layer *ly = &m->w.layer[l];
        layernorm_naive(xn, x, ly->ln1_g, ly->ln1_b, T, C);
        matmul_naive(qkv, xn, ly->w_qkv, T, C, 3 * C);
        for (int t = 0; t < T; t++)
            for (int h = 0; h < NH; h++) {
                const float *q = qkv + t * 3 * C + h * HS;
                double maxv = -INFINITY, sum = 0.0;
                for (int j = 0; j <= t; j++) {
                    const float *k = qkv + j * 3 * C + C + h * HS;
                    double dot = 0.0;
                    for (int i = 0; i < HS; i++) dot += (double)q[i] * k[i];
                    w[j] = dot / sqrt((double)HS);
                    if (w[j] > maxv) maxv = w[j];
                }
                for (int j = 0; j <= t; j++) sum += (w[j] = exp(w[j] - maxv));
                for (int i = 0; i < HS; i++) {
                    double acc = 0.0;
                    for (int j = 0; j <= t; j++)
                        acc += w[j] / sum * qkv[j * 3 * C + 2 * C + h * HS + i];
                    att[t * C + h * HS + i] = (float)acc;
                }
            }
        matmul_naive(proj, att, ly->w_o, T, C, C);
        for (int i = 0; i < T * C; i++) x[i] += proj[i];
        layernorm_naive(xn, x, ly->ln2_g, ly->ln2_b, T, C);
        matmul_naive(hidden, xn, ly->w_fc, T, C, M);
        for (int i = 0; i < T * M; i++) hidden[i] = gpt_gelu(hidden[i]);
        matmul_naive(proj, hidden, ly->w_proj, T, M, C);
        for (int i = 0; i < T * C; i++) x[i] += proj[i];
    }
    layernorm_naive(xn, x + (T - 1) * C, m->w.lnf_g, m->w.lnf_b, 1, C);
    matmul_naive(logits, xn, m->w.wte, 1, C, V);
out:
    free(x), free(xn), free(qkv), free(att), free(proj), free(hidden), free(w);
    return rc;
}
