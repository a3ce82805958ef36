/* minigpt_train.c - `minigpt data`, `minigpt train` and `minigpt eval`.
 *
 * train runs on the main thread; OpenBLAS may use --threads threads inside
 * each matrix product (training only: gpt_load() puts inference back to one
 * thread per call).
 */
#include "cli.h"
#include "data_files.h"
#include "train.h"

#include <cblas.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The lab's prompts as an exclusion list: their sentences and expected
 * corrections, which no generated example may equal. *texts points into
 * *prompts; free both. */
static int load_exclusions(const char *path, gpt_prompt **prompts, size_t *n,
                           const char ***texts) {
    char err[256] = "";
    int rc = gpt_prompts_load(path, prompts, n, err, sizeof err);
    if (rc) {
        fprintf(stderr, "minigpt: %s: %s%s%s\n", path, gpt_strerror(rc),
                *err ? ": " : "", err);
        return rc;
    }
    *texts = malloc(sizeof **texts * 2 * (*n + 1));
    if (!*texts) {
        free(*prompts);
        fprintf(stderr, "minigpt: out of memory\n");
        return -ENOMEM;
    }
    for (size_t i = 0; i < *n; i++) {
        (*texts)[2 * i] = (*prompts)[i].sentence;
        (*texts)[2 * i + 1] = (*prompts)[i].expected;
    }
    return 0;
}

/* ---- minigpt data ------------------------------------------------------- */

int cli_data(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"split", required_argument, NULL, 'p'},
        {"prompts", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0}};
    long seed = 1, count = 20;
    int split = GPT_SPLIT_TRAIN;
    const char *prompts_path = mg_data_file(MG_DEFAULT_PROMPTS);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's' && !cli_parse_long(optarg, 0, 0x7fffffffL, &seed)) continue;
        if (c == 'n' && !cli_parse_long(optarg, 1, 100000000L, &count)) continue;
        if (c == 'p' && !strcmp(optarg, "train")) { split = GPT_SPLIT_TRAIN; continue; }
        if (c == 'p' && !strcmp(optarg, "heldout")) { split = GPT_SPLIT_HELDOUT; continue; }
        if (c == 'P') { prompts_path = optarg; continue; }
        fprintf(stderr, "minigpt: data [--seed S] [--count N] [--split train|heldout] "
                        "[--prompts FILE]\n");
        return CLI_EXIT_USAGE;
    }
    gpt_prompt *prompts;
    size_t n_prompts;
    const char **texts;
    if (load_exclusions(prompts_path, &prompts, &n_prompts, &texts))
        return CLI_EXIT_FAIL;
    gpt_data d;
    gpt_data_init(&d, (uint64_t)seed, split, texts, 2 * n_prompts);
    gpt_example ex;
    for (long i = 0; i < count; i++) {
        gpt_data_next(&d, &ex);
        printf("%s\t%s\t%s\n", ex.type, ex.sentence, ex.correction);
    }
    free(texts);
    free(prompts);
    return CLI_EXIT_OK;
}

/* ---- minigpt train ------------------------------------------------------ */

typedef struct {
    long seed, steps, batch, bucket, threads, log_every, ckpt_every, warmup;
    double lr, min_lr_frac, weight_decay, beta1, beta2, eps;
} train_opts;

/* PATH.bin -> PATH.train.json (or PATH.train.json appended). */
static void record_path(const char *out, char *buf, size_t size) {
    size_t n = strlen(out);
    if (n > 4 && !strcmp(out + n - 4, ".bin")) n -= 4;
    snprintf(buf, size, "%.*s.train.json", (int)n, out);
}

/* Writes the run's record next to the weights, temp file + rename. */
static int write_record(const char *out, const train_opts *o,
                        const char *prompts_path, long step, double seconds,
                        const float *curve, const long *curve_step, int n_curve,
                        long long tokens) {
    char path[4096], tmp[4200];
    record_path(out, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -errno;
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    fprintf(f, "{\n  \"weights\": \"%s\",\n", out);
    fprintf(f, "  \"command\": \"minigpt train --seed %ld --steps %ld --batch %ld "
               "--bucket %ld --lr %g --threads %ld --out %s\",\n", o->seed, o->steps,
            o->batch, o->bucket, o->lr, o->threads, out);
    fprintf(f, "  \"config\": {\"vocab_size\": %u, \"d_model\": %u, \"n_heads\": %u, "
               "\"n_layers\": %u, \"d_mlp\": %u, \"context\": %u, \"n_params\": %zu},\n",
            cfg.vocab_size, cfg.d_model, cfg.n_heads, cfg.n_layers, cfg.d_mlp,
            cfg.context, gpt_num_params(&cfg));
    fprintf(f, "  \"init_seed\": %ld,\n  \"data_seed\": %ld,\n", o->seed, o->seed);
    fprintf(f, "  \"data\": \"model/data.c, split GPT_SPLIT_TRAIN, lab prompts "
               "excluded (%s)\",\n", prompts_path);
    fprintf(f, "  \"optimizer\": {\"name\": \"AdamW\", \"lr\": %g, \"warmup_steps\": %ld, "
               "\"schedule\": \"linear warmup, cosine to %g x lr\", \"beta1\": %g, "
               "\"beta2\": %g, \"eps\": %g, \"weight_decay\": %g},\n",
            o->lr, o->warmup, o->min_lr_frac, o->beta1, o->beta2, o->eps,
            o->weight_decay);
    fprintf(f, "  \"length_buckets\": %ld,\n", o->bucket);
    fprintf(f, "  \"batch_sequences\": %ld,\n  \"steps_planned\": %ld,\n"
               "  \"steps_done\": %ld,\n  \"positions_processed\": %lld,\n"
               "  \"train_seconds\": %.1f,\n  \"blas_threads\": %ld,\n",
            o->batch, o->steps, step, tokens, seconds, o->threads);
    fprintf(f, "  \"final_loss\": %.5f,\n", n_curve ? curve[n_curve - 1] : 0.0);
    fprintf(f, "  \"loss_curve\": [");
    for (int i = 0; i < n_curve; i++)
        fprintf(f, "%s[%ld, %.5f]", i ? ", " : "", curve_step[i], curve[i]);
    fprintf(f, "]\n}\n");
    int rc = 0;
    if (fclose(f) != 0) rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
    return rc;
}

/* Tokens of an example's training row: sentence, SEP, correction. */
static int example_length(const gpt_example *ex) {
    return (int)(strlen(ex->sentence) + 1 + strlen(ex->correction));
}

/* qsort() passes no context; training runs on the main thread only. */
static const gpt_example *sort_pool;

/* By length, then by position in the pool, so the order is total. */
static int cmp_length(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    int li = example_length(&sort_pool[i]), lj = example_length(&sort_pool[j]);
    if (li != lj) return li - lj;
    return i - j;
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Draws P examples, sorts their indices by length into order, and shuffles
 * the n_batches batches' order so lengths do not rise within a pool. */
static void fill_pool(gpt_data *d, gpt_example *pool, int *order, int P,
                      int *batch_order, int n_batches, uint64_t *shuffle) {
    for (int i = 0; i < P; i++) {
        gpt_data_next(d, &pool[i]);
        order[i] = i;
    }
    /* One bucket keeps the stream's order: a plain run, no sorting. */
    sort_pool = pool;
    if (n_batches > 1) qsort(order, (size_t)P, sizeof *order, cmp_length);
    for (int i = 0; i < n_batches; i++) batch_order[i] = i;
    for (int i = n_batches - 1; i > 0; i--) {
        int j = (int)(splitmix(shuffle) % (uint64_t)(i + 1));
        int t = batch_order[i];
        batch_order[i] = batch_order[j];
        batch_order[j] = t;
    }
}

static double lr_at(const train_opts *o, long step) {
    if (step <= o->warmup) return o->lr * step / o->warmup;
    double p = (double)(step - o->warmup) / (double)(o->steps - o->warmup);
    double cosine = 0.5 * (1.0 + cos(3.141592653589793 * p));
    return o->lr * (o->min_lr_frac + (1.0 - o->min_lr_frac) * cosine);
}

int cli_train(int argc, char **argv, const char *default_out) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"steps", required_argument, NULL, 'n'},
        {"batch", required_argument, NULL, 'b'},
        {"bucket", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"lr", required_argument, NULL, 'l'},
        {"out", required_argument, NULL, 'o'},
        {"prompts", required_argument, NULL, 'P'},
        {"log-every", required_argument, NULL, 'L'},
        {"checkpoint-every", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0}};
    train_opts o = {.seed = 1, .steps = 22000, .batch = 32, .bucket = 8, .threads = 2,
                    .log_every = 100, .ckpt_every = 1000, .warmup = 300,
                    .lr = 3e-3, .min_lr_frac = 0.05, .weight_decay = 0.01,
                    .beta1 = 0.9, .beta2 = 0.95, .eps = 1e-8};
    const char *out = default_out, *prompts_path = mg_data_file(MG_DEFAULT_PROMPTS);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's': if (cli_parse_long(optarg, 0, 0x7fffffffL, &o.seed)) goto usage; break;
        case 'n': if (cli_parse_long(optarg, 1, 10000000L, &o.steps)) goto usage; break;
        case 'b': if (cli_parse_long(optarg, 1, 4096, &o.batch)) goto usage; break;
        case 'k': if (cli_parse_long(optarg, 1, 64, &o.bucket)) goto usage; break;
        case 't': if (cli_parse_long(optarg, 1, 64, &o.threads)) goto usage; break;
        case 'L': if (cli_parse_long(optarg, 1, 1000000, &o.log_every)) goto usage; break;
        case 'c': if (cli_parse_long(optarg, 1, 10000000L, &o.ckpt_every)) goto usage; break;
        case 'l':
            o.lr = strtod(optarg, &end);
            if (*end || !(o.lr > 0 && o.lr < 1)) goto usage;
            break;
        case 'o': out = optarg; break;
        case 'P': prompts_path = optarg; break;
        default: goto usage;
        }
    }
    if (optind != argc) goto usage;
    if (o.warmup >= o.steps) o.warmup = o.steps / 10 + 1;

    gpt_prompt *prompts;
    size_t n_prompts;
    const char **texts;
    if (load_exclusions(prompts_path, &prompts, &n_prompts, &texts))
        return CLI_EXIT_FAIL;

    int rc = CLI_EXIT_FAIL;
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    int T = (int)cfg.context, B = (int)o.batch;
    gpt_trainer *tr = NULL;
    int *inputs = malloc(sizeof(int) * (size_t)B * T);
    int *targets = malloc(sizeof(int) * (size_t)B * T);
    /* A pool of bucket * B examples, cut into batches of similar length
     * so that little of each batch is padding. */
    int P = B * (int)o.bucket, pool_next = P;
    gpt_example *pool = malloc(sizeof *pool * (size_t)P);
    int *order = malloc(sizeof(int) * (size_t)P);
    int *batch_order = malloc(sizeof(int) * (size_t)o.bucket);
    int max_curve = (int)(o.steps / o.log_every) + 2;
    float *curve = malloc(sizeof(float) * (size_t)max_curve);
    long *curve_step = malloc(sizeof(long) * (size_t)max_curve);
    int n_curve = 0;
    if (!inputs || !targets || !pool || !order || !batch_order || !curve ||
        !curve_step) {
        fprintf(stderr, "minigpt: out of memory\n");
        goto done;
    }
    int err = gpt_trainer_new(&cfg, B, (uint64_t)o.seed, &tr);
    if (err) {
        fprintf(stderr, "minigpt: train: %s\n", gpt_strerror(err));
        goto done;
    }
    openblas_set_num_threads((int)o.threads);

    gpt_data d;
    gpt_data_init(&d, (uint64_t)o.seed, GPT_SPLIT_TRAIN, texts, 2 * n_prompts);
    uint64_t shuffle = (uint64_t)o.seed;
    printf("training %zu parameters: %ld steps of %ld sequences, seed %ld, "
           "%ld BLAS threads -> %s\n", gpt_num_params(&cfg), o.steps, o.batch,
           o.seed, o.threads, out);
    fflush(stdout);
    double t0 = now_seconds(), t_log = t0, loss_sum = 0.0;
    long long tokens = 0, tokens_log = 0;
    int loss_n = 0;
    for (long step = 1; step <= o.steps; step++) {
        if (pool_next == P) {
            fill_pool(&d, pool, order, P, batch_order, (int)o.bucket, &shuffle);
            pool_next = 0;
        }
        /* The next batch of the pool, in the shuffled batch order, padded
         * to its longest row: causal attention means the padding never
         * changes the rows before it. */
        const int *rows = order + (size_t)batch_order[pool_next / B] * B;
        pool_next += B;
        int Tb = 1;
        for (int b = 0; b < B; b++) {
            int n = example_length(&pool[rows[b]]);
            if (n > Tb) Tb = n;
        }
        for (int b = 0; b < B; b++)
            gpt_data_encode(&pool[rows[b]], inputs + (size_t)b * Tb,
                            targets + (size_t)b * Tb, Tb);
        float loss = gpt_trainer_forward(tr, inputs, targets, B, Tb);
        gpt_trainer_backward(tr);
        float lr = (float)lr_at(&o, step);
        gpt_trainer_update(tr, lr, (float)o.beta1, (float)o.beta2, (float)o.eps,
                           (float)o.weight_decay, (int)step);
        if (!isfinite(loss)) {
            fprintf(stderr, "minigpt: train: loss is %f at step %ld\n", loss, step);
            goto done;
        }
        tokens += (long long)B * Tb;
        loss_sum += loss;
        loss_n++;
        if (step % o.log_every == 0 || step == o.steps) {
            double now = now_seconds();
            curve[n_curve] = (float)(loss_sum / loss_n);
            curve_step[n_curve++] = step;
            printf("step %6ld/%ld  loss %.4f  lr %.2e  %.0f tokens/s  %.0f s\n",
                   step, o.steps, loss_sum / loss_n, lr,
                   (tokens - tokens_log) / (now - t_log), now - t0);
            fflush(stdout);
            t_log = now, tokens_log = tokens, loss_sum = 0.0, loss_n = 0;
        }
        if (step % o.ckpt_every == 0 || step == o.steps) {
            err = gpt_weights_write(out, &cfg, GPT_FLAG_TRAINED, (uint64_t)o.seed,
                                    gpt_trainer_params(tr));
            if (!err)
                err = write_record(out, &o, prompts_path, step, now_seconds() - t0,
                                   curve, curve_step, n_curve, tokens);
            if (err) {
                fprintf(stderr, "minigpt: %s: %s\n", out, gpt_strerror(err));
                goto done;
            }
        }
    }
    printf("done in %.0f s; weights %s\n", now_seconds() - t0, out);
    rc = CLI_EXIT_OK;
done:
    gpt_trainer_free(tr);
    free(inputs);
    free(targets);
    free(pool);
    free(order);
    free(batch_order);
    free(curve);
    free(curve_step);
    free(texts);
    free(prompts);
    return rc;
usage:
    fprintf(stderr, "minigpt: train [--seed S] [--steps N] [--batch B] [--bucket K] [--lr X] "
                    "[--threads N] [--out PATH] [--prompts FILE]\n");
    return CLI_EXIT_USAGE;
}

/* ---- minigpt eval ------------------------------------------------------- */

static void print_miss(const gpt_example *ex, const char *got, void *arg) {
    (void)arg;
    printf("  miss [%s] %s\n        want: %s\n        got:  %s\n", ex->type,
           ex->sentence, ex->correction, got);
}

static void print_result(const char *name, const gpt_eval_result *r) {
    printf("%s: %d/%d exact (%.1f%%)", name, r->exact, r->total,
           r->total ? 100.0 * r->exact / r->total : 0.0);
    if (r->correct_total)
        printf("; correct sentences unchanged %d/%d (%.1f%%)", r->correct_unchanged,
               r->correct_total, 100.0 * r->correct_unchanged / r->correct_total);
    printf("\n");
    for (int k = 0; k <= GPT_DATA_N_TYPES; k++)
        if (r->type_total[k])
            printf("  %-16s %4d/%-4d\n", k < GPT_DATA_N_TYPES ? gpt_data_types[k] : "correct",
                   r->type_exact[k], r->type_total[k]);
}

int cli_eval(int argc, char **argv, const char *weights) {
    static const struct option opts[] = {
        {"heldout", required_argument, NULL, 'n'},
        {"prompts", required_argument, NULL, 'P'},
        {"show-misses", no_argument, NULL, 'm'},
        {NULL, 0, NULL, 0}};
    long n_heldout = 2000;
    int show = 0;
    const char *prompts_path = mg_data_file(MG_DEFAULT_PROMPTS);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'n' && !cli_parse_long(optarg, 1, 1000000L, &n_heldout)) continue;
        if (c == 'P') { prompts_path = optarg; continue; }
        if (c == 'm') { show = 1; continue; }
        fprintf(stderr, "minigpt: eval [--heldout N] [--prompts FILE] [--show-misses]\n");
        return CLI_EXIT_USAGE;
    }
    gpt_prompt *prompts;
    size_t n_prompts;
    const char **texts;
    if (load_exclusions(prompts_path, &prompts, &n_prompts, &texts))
        return CLI_EXIT_FAIL;
    int rc = CLI_EXIT_FAIL;
    gpt_model *m = NULL;
    gpt_example *heldout = NULL, *lab = NULL;
    if (cli_load_model(weights, &m)) goto done;
    int err = gpt_eval_heldout_set((int)n_heldout, texts, 2 * n_prompts, &heldout);
    lab = malloc(sizeof *lab * (n_prompts ? n_prompts : 1));
    if (err || !lab) {
        fprintf(stderr, "minigpt: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < n_prompts; i++) {
        int k = gpt_data_type_index(prompts[i].error_type);
        lab[i].type = k < GPT_DATA_N_TYPES ? gpt_data_types[k] : "correct";
        size_t ns = strlen(prompts[i].sentence), nc = strlen(prompts[i].expected);
        if (ns >= sizeof lab[i].sentence || nc >= sizeof lab[i].correction) {
            fprintf(stderr, "minigpt: %s: prompt %d is longer than the model "
                            "admits\n", prompts_path, prompts[i].id);
            goto done;
        }
        memcpy(lab[i].sentence, prompts[i].sentence, ns + 1);
        memcpy(lab[i].correction, prompts[i].expected, nc + 1);
    }
    char label[96];
    printf("weights: %s, %s\n", weights, cli_trained_label(m, label, sizeof label));
    gpt_eval_result r;
    if (show) printf("held-out misses:\n");
    err = gpt_eval_run(m, heldout, (int)n_heldout, &r, show ? print_miss : NULL, NULL);
    if (err) goto fail;
    print_result("held-out", &r);
    if (show) printf("lab prompt misses:\n");
    err = gpt_eval_run(m, lab, (int)n_prompts, &r, show ? print_miss : NULL, NULL);
    if (err) goto fail;
    print_result("lab prompts", &r);
    rc = CLI_EXIT_OK;
    goto done;
fail:
    fprintf(stderr, "minigpt: eval: %s\n", gpt_strerror(err));
done:
    free(heldout);
    free(lab);
    gpt_free(m);
    free(texts);
    free(prompts);
    return rc;
}
