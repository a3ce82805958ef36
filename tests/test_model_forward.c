/* test_model_forward.c - the BLAS forward pass (one prefill block) matches
 * the naive reference on random weights, for several sequence lengths. */
#include "model_fixtures.h"
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Max |fast - naive| allowed, relative to the largest |logit|. The fast
 * path sums in float, in another order than the double-accumulating
 * reference; measured differences are about 2e-7. 1e-5 leaves headroom for
 * other BLAS kernels while any indexing or formula error (differences of
 * order 1e-2 and up) still fails. */
#define TOLERANCE 1e-5

static double compare(const gpt_model *m, gpt_state *s, const int *tok, int n) {
    float ref[GPT_VOCAB_SIZE];
    CHECK_EQ_INT(gpt_forward_naive(m, tok, n, ref), 0);
    const float *fast = gpt_prefill(m, s, tok, n);
    CHECK(fast != NULL);
    double maxdiff = 0, maxabs = 1e-30;
    for (int v = 0; v < GPT_VOCAB_SIZE; v++) {
        maxdiff = fmax(maxdiff, fabs((double)fast[v] - ref[v]));
        maxabs = fmax(maxabs, fabs((double)ref[v]));
    }
    return maxdiff / maxabs;
}

static long ulps_apart(float a, float b) {
    int32_t x, y;
    memcpy(&x, &a, 4), memcpy(&y, &b, 4);
    return labs((long)x - y);
}

/* gpt_expf as forward.c and attention.c build it: their flags fuse
 * multiply-adds (model/CMakeLists.txt, and this file's in tests/), and
 * their AVX2 clone has FMA, which rounds the polynomial differently. */
GPT_CLONES static float expf_as_built(float x) { return gpt_expf(x); }

/* gpt_expf, the fast path's exponential, plain and as built: within 1 ulp
 * of expf on every 64th float of [-86, 88.3]; e^-86 and never a subnormal
 * below; +inf above 88.4. */
static void check_expf(const char *name, float (*f)(float)) {
    long worst = 0, n = 0;
    float at = 0;
    for (float x = -86.0f; x <= 88.3f; x = nextafterf(x, 100.0f))
        if ((n++ & 63) == 0) {
            long u = ulps_apart(f(x), expf(x));
            if (u > worst) worst = u, at = x;
        }
    printf("%s: worst %ld ulp from expf (at %g)\n", name, worst, at);
    CHECK(worst <= 1);
    CHECK(f(-1000.0f) == f(-86.0f) && isnormal(f(-1000.0f)));
    CHECK(isinf(f(88.5f)) && isinf(f(1e30f)));
    CHECK(f(0.0f) == 1.0f);
}

static float expf_plain(float x) { return gpt_expf(x); }

static void test_expf(void) {
    check_expf("gpt_expf", expf_plain);
    check_expf("gpt_expf as built", expf_as_built);
}

int main(void) {
    test_expf();
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    gpt_model *m = fixture_random_model(&cfg, 7, 0.3f);
    gpt_state *s = gpt_state_new(m);
    CHECK(s != NULL);

    int tok[128];
    for (int i = 0; i < 128; i++) tok[i] = (i * 37 + 11) % GPT_VOCAB_SIZE;
    const int lengths[] = {1, 2, 17, 64, 127, 128};
    double worst = 0;
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        double d = compare(m, s, tok, lengths[k]);
        printf("T=%3d  max |blas - naive| / max |logit| = %.3g\n", lengths[k], d);
        if (d > worst) worst = d;
    }
    printf("worst relative difference %.3g (tolerance %.0e)\n", worst, TOLERANCE);
    CHECK(worst <= TOLERANCE);

    /* Bad calls are refused, not run. */
    int bad[2] = {0, GPT_VOCAB_SIZE};
    CHECK(gpt_prefill(m, s, bad, 2) == NULL);
    CHECK(gpt_prefill(m, s, tok, 0) == NULL);
    CHECK(gpt_prefill(m, s, tok, 129) == NULL);

    /* A differently shaped model (more heads, layers, a short context)
     * goes through the same code. */
    gpt_config other = {GPT_VOCAB_SIZE, 32, 8, 3, 48, 40};
    gpt_model *m2 = fixture_random_model(&other, 9, 0.4f);
    gpt_state *s2 = gpt_state_new(m2);
    double d2 = compare(m2, s2, tok, 40);
    printf("config C=32 NH=8 L=3 M=48: relative difference %.3g\n", d2);
    CHECK(d2 <= TOLERANCE);

    gpt_state_free(s2), gpt_free(m2);
    gpt_state_free(s), gpt_free(m);
    return 0;
}
