/* train.c - the trainer: forward and backward passes by hand, one function
 * per layer type, and AdamW, in the manner of llm.c's train_gpt2.c.
 *
 * Dimension letters: B = sequences in the batch, T = positions per sequence,
 * C = channels, NH = heads, HS = C / NH, M = MLP width, V = vocab,
 * L = layers, BT = B * T rows.
 *
 * The forward pass computes exactly the function of forward.c (pre-LN,
 * sinusoidal positions added to sqrt(C)-scaled token embeddings, GELU as
 * x * sigmoid(2u), no linear biases, tied head, LayerNorm eps 1e-5), for
 * every position at once, and keeps what the backward pass needs. The
 * projections and their gradients are cblas_sgemm calls; everything else is
 * plain loops. A trainer is used by one thread at a time; OpenBLAS may use
 * several threads inside each call (the caller sets how many).
 */
#include "internal.h"
#include "train.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gpt_trainer {
    gpt_config cfg;
    int maxB, maxT;
    size_t n;          /* parameters */
    float *params;     /* (n) in file order */
    float *grads;      /* (n) */
    float *adam_m;     /* (n) first moment */
    float *adam_v;     /* (n) second moment */
    unsigned char *decay; /* (n) 1 where weight decay applies */
    gpt_weights w;     /* into params */
    gpt_weights g;     /* into grads (const only by type; we own them) */
    float *pos;        /* (maxT, C) */

    /* The last forward's batch and what backward needs from it. */
    int B, T;
    int *inputs, *targets; /* (B, T) copies */
    int n_targets;
    float loss;
    float *encoded;    /* (B, T, C) */
    float *ln1, *ln1_mean, *ln1_rstd;  /* (L, B, T, C), (L, B, T) x2 */
    float *qkv;        /* (L, B, T, 3C) */
    float *att;        /* (L, B, NH, T, T) attention weights */
    float *atty;       /* (L, B, T, C) attention output before w_o */
    float *res2;       /* (L, B, T, C) residual after attention */
    float *ln2, *ln2_mean, *ln2_rstd;  /* (L, B, T, C), (L, B, T) x2 */
    float *fch;        /* (L, B, T, M) before GELU */
    float *fch_gelu;   /* (L, B, T, M) */
    float *res3;       /* (L, B, T, C) residual after the MLP */
    float *lnf, *lnf_mean, *lnf_rstd;  /* (B, T, C), (B, T) x2 */
    float *logits;     /* (B, T, V) */
    float *dlogits;    /* (B, T, V) */

    /* Backward scratch. */
    float *dres;       /* (B, T, C) gradient of the residual stream */
    float *dtmp;       /* (B, T, C) */
    float *dqkv;       /* (B, T, 3C) */
    float *dfch;       /* (B, T, M) */
    float *dfch_gelu;  /* (B, T, M) */
    float *dscores;    /* (maxT) */

    float *arena;
};

/* ---- Layers: forward ---------------------------------------------------- */

/* out (BT, C) = wte[tokens] * sqrt(C) + pos[t]. */
static void embed_forward(float *out, const int *tokens, const float *wte,
                          const float *pos, int B, int T, int C) {
    float escale = gpt_embed_scale(C);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *e = wte + (size_t)tokens[b * T + t] * C;
            const float *p = pos + (size_t)t * C;
            float *x = out + ((size_t)b * T + t) * C;
            for (int i = 0; i < C; i++) x[i] = e[i] * escale + p[i];
        }
}

/* Same arithmetic as forward.c's layernorm, plus the mean and 1/std of
 * each row for the backward pass. */
static void layernorm_forward(float *out, float *mean, float *rstd,
                              const float *in, const float *g, const float *b,
                              int BT, int C) {
    for (int r = 0; r < BT; r++) {
        const float *x = in + (size_t)r * C;
        float *y = out + (size_t)r * C;
        float m = 0.0f, var = 0.0f;
        for (int i = 0; i < C; i++) m += x[i];
        m /= C;
        for (int i = 0; i < C; i++) var += (x[i] - m) * (x[i] - m);
        float s = 1.0f / sqrtf(var / C + 1e-5f);
        for (int i = 0; i < C; i++) y[i] = (x[i] - m) * s * g[i] + b[i];
        mean[r] = m;
        rstd[r] = s;
    }
}

/* out (BT, OC) = in (BT, IC) @ w^T, w stored (OC, IC). */
static void matmul_forward(float *out, const float *in, const float *w,
                           int BT, int IC, int OC) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, BT, OC, IC, 1.0f, in,
                IC, w, IC, 0.0f, out, OC);
}

/* Causal multi-head attention. qkv (B, T, 3C) holds Q, K, V side by side,
 * head h at channels h*HS..; out (B, T, C); att (B, NH, T, T) keeps the
 * softmax weights (zero above the diagonal). */
static void attention_forward(float *out, float *att, const float *qkv, int B,
                              int T, int C, int NH) {
    int C3 = 3 * C, HS = C / NH;
    float scale = 1.0f / sqrtf((float)HS);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int h = 0; h < NH; h++) {
                const float *q = qkv + ((size_t)b * T + t) * C3 + h * HS;
                float *a = att + (((size_t)b * NH + h) * T + t) * T;
                float maxv = -INFINITY;
                for (int t2 = 0; t2 <= t; t2++) {
                    const float *k = qkv + ((size_t)b * T + t2) * C3 + C + h * HS;
                    float s = 0.0f;
                    for (int i = 0; i < HS; i++) s += q[i] * k[i];
                    s *= scale;
                    a[t2] = s;
                    if (s > maxv) maxv = s;
                }
                float sum = 0.0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    a[t2] = expf(a[t2] - maxv);
                    sum += a[t2];
                }
                for (int t2 = 0; t2 <= t; t2++) a[t2] /= sum;
                for (int t2 = t + 1; t2 < T; t2++) a[t2] = 0.0f;
                float *o = out + ((size_t)b * T + t) * C + h * HS;
                for (int i = 0; i < HS; i++) o[i] = 0.0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    const float *v = qkv + ((size_t)b * T + t2) * C3 + 2 * C + h * HS;
                    for (int i = 0; i < HS; i++) o[i] += a[t2] * v[i];
                }
            }
}

static void gelu_forward(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gpt_gelu(in[i]);
}

/* out = a + b, n floats. */
static void residual_forward(float *out, const float *a, const float *b,
                             size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/* Tied head and loss: logits (BT, V) = x @ wte^T; returns the summed
 * cross-entropy over rows whose target is >= 0 and leaves the softmax
 * probabilities in probs. */
static double logits_loss_forward(float *logits, float *probs, const float *x,
                                  const float *wte, const int *targets, int BT,
                                  int C, int V) {
    matmul_forward(logits, x, wte, BT, C, V);
    double loss = 0.0;
    for (int r = 0; r < BT; r++) {
        const float *l = logits + (size_t)r * V;
        float *p = probs + (size_t)r * V;
        float maxv = -INFINITY;
        for (int v = 0; v < V; v++) if (l[v] > maxv) maxv = l[v];
        double sum = 0.0;
        for (int v = 0; v < V; v++) {
            p[v] = expf(l[v] - maxv);
            sum += p[v];
        }
        for (int v = 0; v < V; v++) p[v] = (float)(p[v] / sum);
        if (targets[r] >= 0) loss += log(sum) + maxv - l[targets[r]];
    }
    return loss;
}

/* ---- Layers: backward (each accumulates into its input gradients) ------ */

/* dlogits (in place over probs) = (probs - onehot) * dloss on rows with a
 * target, 0 elsewhere; then into dx (BT, C, overwritten) and dwte. */
static void logits_loss_backward(float *dx, float *dwte, float *dprobs,
                                 const float *x, const float *wte,
                                 const int *targets, float dloss, int BT,
                                 int C, int V) {
    for (int r = 0; r < BT; r++) {
        float *d = dprobs + (size_t)r * V;
        if (targets[r] < 0) {
            memset(d, 0, sizeof(float) * V);
            continue;
        }
        d[targets[r]] -= 1.0f;
        for (int v = 0; v < V; v++) d[v] *= dloss;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, BT, C, V, 1.0f,
                dprobs, V, wte, C, 0.0f, dx, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, C, BT, 1.0f,
                dprobs, V, x, C, 1.0f, dwte, C);
}

/* din (BT, IC) = dout @ w (overwritten); dw (OC, IC) += dout^T @ in. */
static void matmul_backward(float *din, float *dw, const float *dout,
                            const float *in, const float *w, int BT, int IC,
                            int OC) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, BT, IC, OC, 1.0f,
                dout, OC, w, IC, 0.0f, din, IC);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, IC, BT, 1.0f,
                dout, OC, in, IC, 1.0f, dw, IC);
}

static void layernorm_backward(float *din, float *dg, float *db,
                               const float *dout, const float *in,
                               const float *g, const float *mean,
                               const float *rstd, int BT, int C) {
    for (int r = 0; r < BT; r++) {
        const float *dy = dout + (size_t)r * C;
        const float *x = in + (size_t)r * C;
        float *dx = din + (size_t)r * C;
        float m = mean[r], s = rstd[r];
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - m) * s;
            float dnorm = g[i] * dy[i];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= C;
        dnorm_norm_mean /= C;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - m) * s;
            float dnorm = g[i] * dy[i];
            db[i] += dy[i];
            dg[i] += norm * dy[i];
            dx[i] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
        }
    }
}

/* dqkv (B, T, 3C) is overwritten. The softmax backward uses
 * dscore_j = a_j (da_j - sum_k a_k da_k), linear in T per row. */
static void attention_backward(float *dqkv, float *dscores, const float *dout,
                               const float *qkv, const float *att, int B,
                               int T, int C, int NH) {
    int C3 = 3 * C, HS = C / NH;
    float scale = 1.0f / sqrtf((float)HS);
    memset(dqkv, 0, sizeof(float) * (size_t)B * T * C3);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int h = 0; h < NH; h++) {
                const float *a = att + (((size_t)b * NH + h) * T + t) * T;
                const float *dy = dout + ((size_t)b * T + t) * C + h * HS;
                const float *q = qkv + ((size_t)b * T + t) * C3 + h * HS;
                float *dq = dqkv + ((size_t)b * T + t) * C3 + h * HS;
                float dot = 0.0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    size_t row = ((size_t)b * T + t2) * C3 + h * HS;
                    const float *v = qkv + row + 2 * C;
                    float *dv = dqkv + row + 2 * C;
                    float da = 0.0f;
                    for (int i = 0; i < HS; i++) {
                        da += v[i] * dy[i];
                        dv[i] += a[t2] * dy[i];
                    }
                    dscores[t2] = da;
                    dot += a[t2] * da;
                }
                for (int t2 = 0; t2 <= t; t2++) {
                    size_t row = ((size_t)b * T + t2) * C3 + h * HS;
                    const float *k = qkv + row + C;
                    float *dk = dqkv + row + C;
                    float ds = a[t2] * (dscores[t2] - dot) * scale;
                    for (int i = 0; i < HS; i++) {
                        dq[i] += ds * k[i];
                        dk[i] += ds * q[i];
                    }
                }
            }
}

/* d/dx of x * sigmoid(2u), u = k (x + 0.044715 x^3). */
static void gelu_backward(float *din, const float *in, const float *dout,
                          size_t n) {
    const float k = 0.7978845608028654f;
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        float u = k * (x + 0.044715f * x * x * x);
        float du = k * (1.0f + 3.0f * 0.044715f * x * x);
        float sg = 1.0f / (1.0f + expf(-2.0f * u));
        din[i] = dout[i] * (sg + x * sg * (1.0f - sg) * 2.0f * du);
    }
}

static void embed_backward(float *dwte, const float *dout, const int *tokens,
                           int BT, int C) {
    float escale = gpt_embed_scale(C);
    for (int r = 0; r < BT; r++) {
        float *d = dwte + (size_t)tokens[r] * C;
        const float *dy = dout + (size_t)r * C;
        for (int i = 0; i < C; i++) d[i] += escale * dy[i];
    }
}

/* ---- The trainer -------------------------------------------------------- */

int gpt_trainer_new(const gpt_config *cfg, int maxB, uint64_t init_seed,
                    gpt_trainer **out) {
    *out = NULL;
    int rc = gpt_config_check(cfg);
    if (rc) return rc;
    if (maxB <= 0) return -EINVAL;
    gpt_trainer *tr = calloc(1, sizeof *tr);
    if (!tr) return -ENOMEM;
    size_t n = gpt_num_params(cfg);
    size_t B = (size_t)maxB, T = cfg->context, C = cfg->d_model;
    size_t M = cfg->d_mlp, V = cfg->vocab_size, L = cfg->n_layers;
    size_t NH = cfg->n_heads, BT = B * T;
    size_t total = 4 * n + T * C                     /* params.., pos */
                   + BT * C                          /* encoded */
                   + L * (BT * C * 2 + BT * 2)       /* ln1 */
                   + L * BT * 3 * C + L * B * NH * T * T
                   + L * BT * C * 3                  /* atty, res2, res3 */
                   + L * (BT * C + BT * 2)           /* ln2 */
                   + L * BT * M * 2 + BT * C + BT * 2 + BT * V * 2
                   + BT * C * 2 + BT * 3 * C + BT * M * 2 + T;
    tr->arena = calloc(total, sizeof(float));
    tr->decay = calloc(n, 1);
    tr->inputs = calloc(BT, sizeof(int));
    tr->targets = calloc(BT, sizeof(int));
    if (!tr->arena || !tr->decay || !tr->inputs || !tr->targets) {
        gpt_trainer_free(tr);
        return -ENOMEM;
    }
    tr->cfg = *cfg;
    tr->maxB = maxB;
    tr->maxT = (int)T;
    tr->n = n;
    float *p = tr->arena;
#define TAKE(field, count) (tr->field = p, p += (count))
    TAKE(params, n); TAKE(grads, n); TAKE(adam_m, n); TAKE(adam_v, n);
    TAKE(pos, T * C); TAKE(encoded, BT * C);
    TAKE(ln1, L * BT * C); TAKE(ln1_mean, L * BT); TAKE(ln1_rstd, L * BT);
    TAKE(qkv, L * BT * 3 * C); TAKE(att, L * B * NH * T * T);
    TAKE(atty, L * BT * C); TAKE(res2, L * BT * C);
    TAKE(ln2, L * BT * C); TAKE(ln2_mean, L * BT); TAKE(ln2_rstd, L * BT);
    TAKE(fch, L * BT * M); TAKE(fch_gelu, L * BT * M); TAKE(res3, L * BT * C);
    TAKE(lnf, BT * C); TAKE(lnf_mean, BT); TAKE(lnf_rstd, BT);
    TAKE(logits, BT * V); TAKE(dlogits, BT * V);
    TAKE(dres, BT * C); TAKE(dtmp, BT * C); TAKE(dqkv, BT * 3 * C);
    TAKE(dfch, BT * M); TAKE(dfch_gelu, BT * M); TAKE(dscores, T);
#undef TAKE
    gpt_init_params(cfg, init_seed, tr->params);
    gpt_weights_map(cfg, tr->params, &tr->w);
    gpt_weights_map(cfg, tr->grads, &tr->g);
    gpt_position_table(tr->pos, (int)T, (int)C);

    /* Matrices and the embedding decay; LayerNorm gains and biases do not. */
    gpt_weights w = tr->w;
    const float *base = tr->params;
#define DECAY(ptr, count) memset(tr->decay + ((ptr) - base), 1, (count))
    DECAY(w.wte, V * C);
    for (size_t l = 0; l < L; l++) {
        DECAY(w.layer[l].w_qkv, 3 * C * C);
        DECAY(w.layer[l].w_o, C * C);
        DECAY(w.layer[l].w_fc, M * C);
        DECAY(w.layer[l].w_proj, C * M);
    }
#undef DECAY
    *out = tr;
    return 0;
}

void gpt_trainer_free(gpt_trainer *tr) {
    if (!tr) return;
    free(tr->arena);
    free(tr->decay);
    free(tr->inputs);
    free(tr->targets);
    free(tr);
}

float *gpt_trainer_params(gpt_trainer *tr) { return tr->params; }
float *gpt_trainer_grads(gpt_trainer *tr) { return tr->grads; }
const float *gpt_trainer_logits(const gpt_trainer *tr) { return tr->logits; }

/* Writable view of a gradient tensor: g's pointers are const only because
 * gpt_weights is shared with the read-only loaded model. */
#define GW(ptr) ((float *)(ptr))

float gpt_trainer_forward(gpt_trainer *tr, const int *inputs,
                          const int *targets, int B, int T) {
    const gpt_config *c = &tr->cfg;
    if (B <= 0 || B > tr->maxB || T <= 0 || T > tr->maxT) abort();
    int C = (int)c->d_model, M = (int)c->d_mlp, V = (int)c->vocab_size;
    int NH = (int)c->n_heads, L = (int)c->n_layers;
    size_t BT = (size_t)B * T;
    tr->B = B, tr->T = T;
    memcpy(tr->inputs, inputs, sizeof(int) * BT);
    memcpy(tr->targets, targets, sizeof(int) * BT);
    tr->n_targets = 0;
    for (size_t i = 0; i < BT; i++) tr->n_targets += targets[i] >= 0;

    embed_forward(tr->encoded, inputs, tr->w.wte, tr->pos, B, T, C);
    for (int l = 0; l < L; l++) {
        const gpt_layer *ly = &tr->w.layer[l];
        const float *res = l == 0 ? tr->encoded : tr->res3 + (l - 1) * BT * C;
        float *ln1 = tr->ln1 + l * BT * C, *qkv = tr->qkv + l * BT * 3 * C;
        float *att = tr->att + (size_t)l * B * NH * T * T;
        float *atty = tr->atty + l * BT * C, *res2 = tr->res2 + l * BT * C;
        float *ln2 = tr->ln2 + l * BT * C, *fch = tr->fch + l * BT * M;
        float *fch_gelu = tr->fch_gelu + l * BT * M, *res3 = tr->res3 + l * BT * C;

        layernorm_forward(ln1, tr->ln1_mean + l * BT, tr->ln1_rstd + l * BT, res,
                          ly->ln1_g, ly->ln1_b, (int)BT, C);
        matmul_forward(qkv, ln1, ly->w_qkv, (int)BT, C, 3 * C);
        attention_forward(atty, att, qkv, B, T, C, NH);
        matmul_forward(tr->dtmp, atty, ly->w_o, (int)BT, C, C);
        residual_forward(res2, res, tr->dtmp, BT * C);
        layernorm_forward(ln2, tr->ln2_mean + l * BT, tr->ln2_rstd + l * BT, res2,
                          ly->ln2_g, ly->ln2_b, (int)BT, C);
        matmul_forward(fch, ln2, ly->w_fc, (int)BT, C, M);
        gelu_forward(fch_gelu, fch, BT * M);
        matmul_forward(tr->dtmp, fch_gelu, ly->w_proj, (int)BT, M, C);
        residual_forward(res3, res2, tr->dtmp, BT * C);
    }
    const float *last = tr->res3 + (L - 1) * BT * C;
    layernorm_forward(tr->lnf, tr->lnf_mean, tr->lnf_rstd, last, tr->w.lnf_g,
                      tr->w.lnf_b, (int)BT, C);
    double loss = logits_loss_forward(tr->logits, tr->dlogits, tr->lnf,
                                      tr->w.wte, targets, (int)BT, C, V);
    tr->loss = tr->n_targets ? (float)(loss / tr->n_targets) : 0.0f;
    return tr->loss;
}

void gpt_trainer_backward(gpt_trainer *tr) {
    const gpt_config *c = &tr->cfg;
    int B = tr->B, T = tr->T;
    int C = (int)c->d_model, M = (int)c->d_mlp, V = (int)c->vocab_size;
    int NH = (int)c->n_heads, L = (int)c->n_layers;
    size_t BT = (size_t)B * T;
    memset(tr->grads, 0, sizeof(float) * tr->n);
    float dloss = tr->n_targets ? 1.0f / tr->n_targets : 0.0f;

    logits_loss_backward(tr->dtmp, GW(tr->g.wte), tr->dlogits, tr->lnf,
                         tr->w.wte, tr->targets, dloss, (int)BT, C, V);
    memset(tr->dres, 0, sizeof(float) * BT * C);
    layernorm_backward(tr->dres, GW(tr->g.lnf_g), GW(tr->g.lnf_b), tr->dtmp,
                       tr->res3 + (L - 1) * BT * C, tr->w.lnf_g, tr->lnf_mean,
                       tr->lnf_rstd, (int)BT, C);
    for (int l = L - 1; l >= 0; l--) {
        const gpt_layer *ly = &tr->w.layer[l];
        const gpt_layer *gl = &tr->g.layer[l];
        const float *res = l == 0 ? tr->encoded : tr->res3 + (l - 1) * BT * C;
        const float *ln1 = tr->ln1 + l * BT * C, *qkv = tr->qkv + l * BT * 3 * C;
        const float *att = tr->att + (size_t)l * B * NH * T * T;
        const float *atty = tr->atty + l * BT * C, *res2 = tr->res2 + l * BT * C;
        const float *ln2 = tr->ln2 + l * BT * C, *fch = tr->fch + l * BT * M;
        const float *fch_gelu = tr->fch_gelu + l * BT * M;

        /* res3 = res2 + w_proj(gelu(w_fc(ln2(res2)))): dres flows to res2
         * unchanged, plus the MLP branch. */
        matmul_backward(tr->dfch_gelu, GW(gl->w_proj), tr->dres, fch_gelu,
                        ly->w_proj, (int)BT, M, C);
        gelu_backward(tr->dfch, fch, tr->dfch_gelu, BT * M);
        matmul_backward(tr->dtmp, GW(gl->w_fc), tr->dfch, ln2, ly->w_fc,
                        (int)BT, C, M);
        layernorm_backward(tr->dres, GW(gl->ln2_g), GW(gl->ln2_b), tr->dtmp,
                           res2, ly->ln2_g, tr->ln2_mean + l * BT,
                           tr->ln2_rstd + l * BT, (int)BT, C);
        /* res2 = res + w_o(attention(w_qkv(ln1(res)))). */
        matmul_backward(tr->dtmp, GW(gl->w_o), tr->dres, atty, ly->w_o,
                        (int)BT, C, C);
        attention_backward(tr->dqkv, tr->dscores, tr->dtmp, qkv, att, B, T, C,
                           NH);
        matmul_backward(tr->dtmp, GW(gl->w_qkv), tr->dqkv, ln1, ly->w_qkv,
                        (int)BT, C, 3 * C);
        layernorm_backward(tr->dres, GW(gl->ln1_g), GW(gl->ln1_b), tr->dtmp,
                           res, ly->ln1_g, tr->ln1_mean + l * BT,
                           tr->ln1_rstd + l * BT, (int)BT, C);
    }
    embed_backward(GW(tr->g.wte), tr->dres, tr->inputs, (int)BT, C);
}

void gpt_trainer_update(gpt_trainer *tr, float lr, float beta1, float beta2,
                        float eps, float weight_decay, int step) {
    float c1 = 1.0f - powf(beta1, (float)step);
    float c2 = 1.0f - powf(beta2, (float)step);
    for (size_t i = 0; i < tr->n; i++) {
        float g = tr->grads[i];
        float m = tr->adam_m[i] = beta1 * tr->adam_m[i] + (1.0f - beta1) * g;
        float v = tr->adam_v[i] = beta2 * tr->adam_v[i] + (1.0f - beta2) * g * g;
        float mh = m / c1, vh = v / c2;
        float wd = tr->decay[i] ? weight_decay * tr->params[i] : 0.0f;
        tr->params[i] -= lr * (mh / (sqrtf(vh) + eps) + wd);
    }
}
