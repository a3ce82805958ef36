/* attention.c - causal self-attention of a block's queries over the KV cache.
 *
 * Query t of a block starting at pos0 sees positions 0..pos0+t. Its scores
 * against them, softmax and weighted sum of values are short loops (16
 * channels a head, some tens of positions), where the time goes in waiting
 * on the latency of one addition after another rather than in the
 * arithmetic. So the loops run several independent sums side by side: 8
 * vectors of positions for the scores, 8 lanes of each softmax sum, all
 * heads' outputs at once. Each sum's order is fixed by the number of
 * positions and channels alone, so a query's result is the same, bit for
 * bit, whatever the block's size (forward.c relies on it).
 *
 * Built for AVX2 beside plain x86-64 (GPT_CLONES, internal.h).
 */
#include "internal.h"

#include <string.h>

typedef int gpt_v8i __attribute__((vector_size(32))); /* a comparison's lanes */

/* sc[j] = q . k_j for the positions j0..j0 + 8 NV, from keys stored
 * transposed (kt: HS rows of maxT positions), each sum in channel order.
 * It reads up to 7 positions past the last one asked for: inside the
 * cache's arena, and their scores are never used. */
GPT_INLINE void score_block(float *restrict sc, const float *restrict q,
                        const float *restrict kt, int HS, int maxT, int NV) {
    gpt_v8 acc[8] = {{0}};
    for (int i = 0; i < HS; i++) {
        const float qi = q[i];
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) {
            gpt_v8 k;
            memcpy(&k, kt + (size_t)i * maxT + 8 * v, sizeof k);
            acc[v] += qi * k;
        }
    }
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) memcpy(sc + 8 * v, &acc[v], sizeof acc[v]);
}

/* The scores of one head's query against positions 0..n-1, 64 at a time. */
GPT_INLINE void scores(float *restrict sc, const float *restrict q, const float *restrict kt,
                   int HS, int maxT, int n) {
    for (int j0 = 0; j0 < n; j0 += 64) {
        int nv = (n - j0 + 7) / 8;
        switch (nv > 8 ? 8 : nv) { /* constant counts keep acc in registers */
        case 1: score_block(sc + j0, q, kt + j0, HS, maxT, 1); break;
        case 2: score_block(sc + j0, q, kt + j0, HS, maxT, 2); break;
        case 3: score_block(sc + j0, q, kt + j0, HS, maxT, 3); break;
        case 4: score_block(sc + j0, q, kt + j0, HS, maxT, 4); break;
        case 5: score_block(sc + j0, q, kt + j0, HS, maxT, 5); break;
        case 6: score_block(sc + j0, q, kt + j0, HS, maxT, 6); break;
        case 7: score_block(sc + j0, q, kt + j0, HS, maxT, 7); break;
        default: score_block(sc + j0, q, kt + j0, HS, maxT, 8); break;
        }
    }
}

/* Scales sc[0..n) and returns their largest. The maximum is exact in any
 * order, so 8 lanes find it side by side. */
GPT_INLINE float scale_and_max(float *restrict sc, int n, float scale) {
    gpt_v8 m8 = {-INFINITY, -INFINITY, -INFINITY, -INFINITY,
                 -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        gpt_v8 v;
        memcpy(&v, sc + j, sizeof v);
        v *= scale;
        memcpy(sc + j, &v, sizeof v);
        gpt_v8i more = v > m8; /* all ones where v is larger */
        m8 = (gpt_v8)((more & (gpt_v8i)v) | (~more & (gpt_v8i)m8));
    }
    float m = m8[0];
    for (int k = 1; k < 8; k++) m = m8[k] > m ? m8[k] : m;
    for (; j < n; j++) {
        sc[j] *= scale;
        m = sc[j] > m ? sc[j] : m;
    }
    return m;
}

/* The output of every head at once, for C = 8 NV channels whose heads are
 * whole vectors (HS a multiple of 8): out[c] = sum over j of p_h(c)[j] *
 * v_j[c], in the order of j. */
GPT_INLINE void mix_block(float *restrict out, const float *restrict sc, int stride,
                      const float *restrict vc, int C, int HS, int n, int NV) {
    gpt_v8 acc[8] = {{0}};
    for (int j = 0; j < n; j++) {
        const float *restrict v = vc + (size_t)j * C;
#pragma GCC unroll 8
        for (int u = 0; u < NV; u++) {
            gpt_v8 x;
            memcpy(&x, v + 8 * u, sizeof x);
            acc[u] += sc[(size_t)(8 * u / HS) * stride + j] * x;
        }
    }
#pragma GCC unroll 8
    for (int u = 0; u < NV; u++) memcpy(out + 8 * u, &acc[u], sizeof acc[u]);
}

/* One head's scores, scaled, into softmax weights in place. The
 * exponentials and the division run over whole vectors, up to 7 lanes
 * past n (inside sc's row, whose stride has 8 to spare; nothing reads
 * them): GCC's vectorised loops would finish a row's last few positions
 * one at a time, which cost more than the vectors. */
GPT_INLINE void softmax(float *restrict p, int n, float scale) {
    float maxv = scale_and_max(p, n, scale);
    const int n8 = (n + 7) & ~7;
    for (int j = 0; j < n8; j++) p[j] = gpt_expf(p[j] - maxv); /* vectorised */
    float inv = 1.0f / gpt_sum8(p, n);
    for (int j = 0; j < n8; j++) p[j] *= inv; /* vectorised */
}

GPT_CLONES
void gpt_attention(float *restrict att, const float *restrict qkv, const float *restrict kc,
                   const float *restrict vc, float *restrict sc, int pos0, int T, int C,
                   int NH, int maxT) {
    const int HS = C / NH, stride = maxT + 8; /* sc: NH rows of stride */
    const float scale = 1.0f / sqrtf((float)HS);
    for (int t = 0; t < T; t++) {
        const int n = pos0 + t + 1;
        const float *q = qkv + (size_t)t * 3 * C;
        float *o = att + (size_t)t * C;
        for (int h = 0; h < NH; h++) {
            float *p = sc + (size_t)h * stride;
            scores(p, q + h * HS, kc + (size_t)h * HS * maxT, HS, maxT, n);
            softmax(p, n, scale);
        }
        if (HS == 16 && C == 64) { /* the default config: all heads in registers */
            mix_block(o, sc, stride, vc, 64, 16, n, 8); /* constants: 4 weights a position */
        } else if (HS % 8 == 0 && C == 64) {
            mix_block(o, sc, stride, vc, C, HS, n, 8);
        } else {
            for (int h = 0; h < NH; h++) {
                const float *p = sc + (size_t)h * stride;
                float *oh = o + h * HS;
                memset(oh, 0, sizeof(float) * HS);
                for (int j = 0; j < n; j++) {
                    const float *v = vc + (size_t)j * C + h * HS;
                    for (int i = 0; i < HS; i++) oh[i] += p[j] * v[i];
                }
            }
        }
    }
}
