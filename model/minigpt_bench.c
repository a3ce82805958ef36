/* minigpt_bench.c - `minigpt bench`: how fast one model corrects the lab's
 * prompts on one thread, and on N threads sharing that one model; and, from
 * the same run, how that compares with what this core can do: the model's
 * effective GFLOP/s (FLOPs counted from the config and the tokens it ran)
 * beside OpenBLAS's single-thread sgemm at a cache-resident 256x256x256.
 *
 * It prints numbers; nothing here passes or fails on speed.
 */
#include "cli.h"
#include "data_files.h"

#include <cblas.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const gpt_model *model;
    const gpt_prompt *prompts;
    size_t n_prompts;
    int repeat;
    pthread_barrier_t *start;
    double *micros;        /* (repeat * n_prompts) per-call times */
    long long gen_tokens;  /* generated tokens, END included */
    double flops;          /* counted from the config, every correction */
    double flops_run;      /* what the passes ran, rejected guesses included */
    long long passes, tokens_run;
    int failed;
} bench_worker;

typedef struct {
    int threads;
    size_t calls;
    double median_us, p90_us;
    double wall_s;
    long long gen_tokens;
    double flops, flops_run;
    long long passes, tokens_run;
} bench_result;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs on its own thread with its own gpt_state; the model is shared. */
static void *bench_thread(void *arg) {
    bench_worker *w = arg;
    gpt_state *s = gpt_state_new(w->model);
    agent_result r;
    if (!s) w->failed = 1;
    pthread_barrier_wait(w->start);
    for (int k = 0; s && k < w->repeat; k++)
        for (size_t i = 0; i < w->n_prompts; i++) {
            double t0 = now_seconds();
            int rc = agent_correct(w->model, s, w->prompts[i].sentence,
                                   w->prompts[i].learner_id, &r);
            w->micros[k * w->n_prompts + i] = (now_seconds() - t0) * 1e6;
            if (rc) w->failed = 1;
            w->gen_tokens += r.generated_tokens;
            w->flops += agent_correct_flops(w->model, &r);
            w->flops_run += r.flops_run;
            w->passes += r.passes;
            w->tokens_run += r.tokens_run;
        }
    gpt_state_free(s);
    return NULL;
}

/* Sorts the per-call times all[0..out->calls) into out's median and p90. */
static void set_percentiles(bench_result *out, double *all) {
    qsort(all, out->calls, sizeof *all, cmp_double);
    out->median_us = all[out->calls / 2];
    if (out->calls % 2 == 0)
        out->median_us = (all[out->calls / 2 - 1] + all[out->calls / 2]) / 2;
    out->p90_us = all[(size_t)(0.9 * (out->calls - 1))];
}

/* Runs the prompts repeat times on each of threads threads, sharing m.
 * all gets the repeat * n * threads per-call times, unsorted. */
static int run_threads(const gpt_model *m, const gpt_prompt *prompts, size_t n,
                       int repeat, int threads, bench_result *out, double *all) {
    bench_worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    size_t per = (size_t)repeat * n;
    pthread_barrier_t start;
    int rc = -1, started = 0;
    if (!w || !tid) goto out;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        w[t] = (bench_worker){.model = m, .prompts = prompts, .n_prompts = n,
                              .repeat = repeat, .start = &start, .micros = all + per * t};
        if (pthread_create(&tid[t], NULL, bench_thread, &w[t]) != 0) break;
        started++;
    }
    if (started < threads) {
        /* The barrier counts every thread; without them it never opens. */
        fprintf(stderr, "minigpt: bench: could not start %d threads\n", threads);
        exit(CLI_EXIT_FAIL);
    }
    pthread_barrier_wait(&start);
    double t0 = now_seconds();
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    out->wall_s = now_seconds() - t0;
    pthread_barrier_destroy(&start);

    out->threads = threads;
    out->calls = per * threads;
    out->gen_tokens = 0;
    out->flops = out->flops_run = 0;
    out->passes = out->tokens_run = 0;
    rc = 0;
    for (int t = 0; t < threads; t++) {
        out->gen_tokens += w[t].gen_tokens;
        out->flops += w[t].flops;
        out->flops_run += w[t].flops_run;
        out->passes += w[t].passes;
        out->tokens_run += w[t].tokens_run;
        if (w[t].failed) rc = -1;
    }
out:
    free(w), free(tid);
    return rc;
}

/* As run_threads, and then the percentiles. */
static int run_measured(const gpt_model *m, const gpt_prompt *prompts, size_t n, int repeat,
                        int threads, bench_result *out) {
    double *all = calloc((size_t)repeat * n * (size_t)threads, sizeof *all);
    if (!all) return -1;
    int rc = run_threads(m, prompts, n, repeat, threads, out, all);
    if (!rc) set_percentiles(out, all);
    free(all);
    return rc;
}

/* The core's own speed at what BLAS does best: single-thread sgemm at
 * 256x256x256 (three 256 KiB matrices, resident in L2 or close to it), in
 * GFLOP/s, the median of PEAK_TIMINGS timings of 10 calls each after 5
 * warm-up calls. The model loaded OpenBLAS with one thread (weights.c), so
 * this is one core too. */
#define PEAK_N 256
#define PEAK_TIMINGS 7
static double sgemm_peak_gflops(void) {
    const int n = PEAK_N, calls = 10, rounds = PEAK_TIMINGS;
    float *a = malloc(sizeof(float) * n * n * 3);
    if (!a) return 0;
    float *b = a + n * n, *c = b + n * n;
    for (int i = 0; i < n * n; i++) a[i] = (float)(i % 17) / 17, b[i] = (float)(i % 13) / 13;
    double g[PEAK_TIMINGS];
    for (int i = 0; i < 5; i++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    for (int r = 0; r < rounds; r++) {
        double t0 = now_seconds();
        for (int i = 0; i < calls; i++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c,
                        n);
        g[r] = 2.0 * n * n * n * calls / (now_seconds() - t0) / 1e9;
    }
    free(a);
    qsort(g, (size_t)rounds, sizeof g[0], cmp_double);
    return g[rounds / 2];
}

/* What one decoding step cannot beat on this core: each weight is read
 * once per token for one multiply-add (2 FLOPs per 4 bytes), so a step's
 * products run at most at half the rate, in GB/s, at which the core reads
 * a buffer the size of the weights from its caches. Read by OpenBLAS's own
 * tuned kernel (sasum), the median of 21 timings of 20 reads each. */
static double weights_read_gbps(size_t bytes) {
    int n = (int)(bytes / sizeof(float));
    float *buf = malloc(bytes);
    if (!buf || n == 0) {
        free(buf);
        return 0;
    }
    for (int i = 0; i < n; i++) buf[i] = (float)(i % 7);
    double g[21];
    volatile float sink = 0;
    for (int r = -2; r < 21; r++) {
        double t0 = now_seconds();
        for (int k = 0; k < 20; k++) sink += cblas_sasum(n, buf, 1);
        if (r >= 0) g[r] = 20.0 * (double)bytes / (now_seconds() - t0) / 1e9;
    }
    (void)sink;
    free(buf);
    qsort(g, 21, sizeof g[0], cmp_double);
    return g[10];
}

static double median_of(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One thread, in rounds: the prompts once, then the core's sgemm peak
 * right after, so that each round's ratio compares the two at one moment.
 * On a shared machine the core's speed drifts (here by a quarter from one
 * minute to the next), and a peak measured once, apart from the model's
 * runs, moved the ratio by as much. out sums the rounds; *peak and *ratio
 * are the medians of the rounds'. */
static int run_rounds(const gpt_model *m, const gpt_prompt *prompts, size_t n, int rounds,
                      bench_result *out, double *peak, double *ratio) {
    double *all = calloc((size_t)rounds * n, sizeof *all);
    double *peaks = calloc((size_t)rounds, sizeof *peaks);
    double *ratios = calloc((size_t)rounds, sizeof *ratios);
    int rc = all && peaks && ratios ? 0 : -1;
    memset(out, 0, sizeof *out);
    out->threads = 1;
    for (int r = 0; !rc && r < rounds; r++) {
        bench_result b;
        rc = run_threads(m, prompts, n, 1, 1, &b, all + (size_t)r * n);
        peaks[r] = sgemm_peak_gflops();
        ratios[r] = peaks[r] > 0 ? b.flops / b.wall_s / 1e9 / peaks[r] : 0;
        out->calls += b.calls;
        out->wall_s += b.wall_s;
        out->gen_tokens += b.gen_tokens;
        out->flops += b.flops;
        out->flops_run += b.flops_run;
        out->passes += b.passes;
        out->tokens_run += b.tokens_run;
    }
    if (!rc) {
        set_percentiles(out, all);
        *peak = median_of(peaks, rounds);
        *ratio = median_of(ratios, rounds);
    }
    free(all), free(peaks), free(ratios);
    return rc;
}

static void print_row(const bench_result *r, double base_throughput) {
    double thr = r->calls / r->wall_s;
    printf("%7d %11zu %10.1f %10.1f %13.1f %13.0f", r->threads, r->calls,
           r->median_us, r->p90_us, thr, r->gen_tokens / r->wall_s);
    if (base_throughput > 0)
        printf(" %8.2f", thr / (r->threads * base_throughput));
    printf("\n");
}

int cli_bench(int argc, char **argv, const char *weights) {
    static const struct option opts[] = {
        {"threads", required_argument, NULL, 't'},
        {"repeat", required_argument, NULL, 'r'},
        {"prompts", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0}};
    long threads = sysconf(_SC_NPROCESSORS_ONLN), repeat = 5;
    const char *prompts_path = mg_data_file(MG_DEFAULT_PROMPTS);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+t:r:p:", opts, NULL)) != -1) {
        if (c == 't' && !cli_parse_long(optarg, 1, 256, &threads)) continue;
        if (c == 'r' && !cli_parse_long(optarg, 1, 100000, &repeat)) continue;
        if (c == 'p') { prompts_path = optarg; continue; }
        fprintf(stderr, "minigpt: bench: --threads takes 1..256, --repeat 1..100000\n");
        return CLI_EXIT_USAGE;
    }
    if (optind != argc) {
        fprintf(stderr, "minigpt: bench takes no arguments besides its options\n");
        return CLI_EXIT_USAGE;
    }
    if (threads < 1) threads = 1;

    gpt_prompt *prompts;
    size_t n;
    char err[512];
    if (gpt_prompts_load(prompts_path, &prompts, &n, err, sizeof err)) {
        fprintf(stderr, "minigpt: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    gpt_model *m;
    if (cli_load_model(weights, &m)) {
        free(prompts);
        return CLI_EXIT_FAIL;
    }
    char label[96];
    gpt_info info;
    gpt_get_info(m, &info);
    printf("weights: %s, %zu parameters, %s\n", weights, info.n_params,
           cli_trained_label(m, label, sizeof label));
    printf("prompts: %zu from %s, each corrected %ld times per thread\n", n,
           prompts_path, repeat);
    printf("blas:    %s\n\n", gpt_blas_config());

    bench_result warm, one, many = {0}; /* many: only when threads > 1 */
    double peak = 0, ratio = 0;
    int rc = run_measured(m, prompts, n, 1, 1, &warm); /* caches, page faults */
    if (!rc) rc = run_rounds(m, prompts, n, (int)repeat, &one, &peak, &ratio);
    if (!rc && threads > 1)
        rc = run_measured(m, prompts, n, (int)repeat, (int)threads, &many);
    if (rc) {
        fprintf(stderr, "minigpt: bench: a correction failed\n");
    } else {
        printf("threads corrections  median_us     p90_us corrections/s  gen_tokens/s  scaling\n");
        double base = one.calls / one.wall_s;
        print_row(&one, 0);
        if (threads > 1) print_row(&many, base);
        double calls = (double)one.calls;
        printf("\ntokens generated per correction: %.1f (END included), in %.1f forward passes "
               "(the prefill, then one per guess checked) that ran %.1f tokens\n",
               one.gen_tokens / calls, one.passes / calls, one.tokens_run / calls);
        double model = one.flops / one.wall_s / 1e9;
        printf("model:   %.2f GFLOP/s on one thread (%.2f MFLOP per correction, counted from "
               "the config: the work decoding a token at a time does)\n",
               model, one.flops / calls / 1e6);
        double ran = one.flops_run / one.wall_s / 1e9;
        printf("ran:     %.2f GFLOP/s, %.1f%% of the peak (%.2f MFLOP per correction: the "
               "guesses the model rejected included, and of a prefill's last layer only what "
               "is read)\n", ran, peak > 0 ? 100 * ran / peak : 0.0, one.flops_run / calls / 1e6);
        printf("peak:    %.2f GFLOP/s, single-thread OpenBLAS sgemm %dx%dx%d (the median of "
               "%ld rounds' peaks, each measured right after the round's corrections)\n",
               peak, PEAK_N, PEAK_N, PEAK_N, repeat);
        printf("ratio:   %.1f%% of the peak (the median of the rounds' ratios)\n", 100 * ratio);
        double gbps = weights_read_gbps(info.n_params * sizeof(float));
        printf("read:    %.1f GB/s reading %zu KB (the weights' size) from cache: one token "
               "a pass, the products could run at most at %.1f GFLOP/s (%.1f%% of the peak); "
               "a pass of several reads each weight once for all\n",
               gbps, info.n_params * sizeof(float) / 1024, gbps / 2,
               peak > 0 ? 100 * gbps / 2 / peak : 0.0);
        if (threads > 1)
            printf("scaling = throughput / (threads x one thread's throughput); "
                   "1.00 is perfect\n");
    }
    gpt_free(m);
    free(prompts);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
