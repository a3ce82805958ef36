/* minigpt_bench.c - `minigpt bench`: how fast one model corrects the lab's
 * prompts on one thread, and on N threads sharing that one model.
 *
 * It prints numbers; nothing here passes or fails on speed.
 */
#include "cli.h"
#include "data_files.h"

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
    int failed;
} bench_worker;

typedef struct {
    int threads;
    size_t calls;
    double median_us, p90_us;
    double wall_s;
    long long gen_tokens;
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
        }
    gpt_state_free(s);
    return NULL;
}

static int run_threads(const gpt_model *m, const gpt_prompt *prompts, size_t n,
                       int repeat, int threads, bench_result *out) {
    bench_worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    size_t per = (size_t)repeat * n;
    double *all = calloc(per * (size_t)threads, sizeof *all);
    pthread_barrier_t start;
    int rc = -1, started = 0;
    if (!w || !tid || !all) goto out;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        w[t] = (bench_worker){m, prompts, n, repeat, &start, all + per * t, 0, 0};
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
    rc = 0;
    for (int t = 0; t < threads; t++) {
        out->gen_tokens += w[t].gen_tokens;
        if (w[t].failed) rc = -1;
    }
    qsort(all, out->calls, sizeof *all, cmp_double);
    out->median_us = all[out->calls / 2];
    if (out->calls % 2 == 0)
        out->median_us = (all[out->calls / 2 - 1] + all[out->calls / 2]) / 2;
    out->p90_us = all[(size_t)(0.9 * (out->calls - 1))];
out:
    free(w), free(tid), free(all);
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
    int rc = run_threads(m, prompts, n, 1, 1, &warm); /* caches, page faults */
    if (!rc) rc = run_threads(m, prompts, n, (int)repeat, 1, &one);
    if (!rc && threads > 1)
        rc = run_threads(m, prompts, n, (int)repeat, (int)threads, &many);
    if (rc) {
        fprintf(stderr, "minigpt: bench: a correction failed\n");
    } else {
        printf("threads corrections  median_us     p90_us corrections/s  gen_tokens/s  scaling\n");
        double base = one.calls / one.wall_s;
        print_row(&one, 0);
        if (threads > 1) print_row(&many, base);
        printf("\ntokens generated per correction: %.1f (END included)\n",
               (double)one.gen_tokens / one.calls);
        if (threads > 1)
            printf("scaling = throughput / (threads x one thread's throughput); "
                   "1.00 is perfect\n");
    }
    gpt_free(m);
    free(prompts);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
