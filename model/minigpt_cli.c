/* minigpt_cli.c - the minigpt command: info, correct, init, bench, data,
 * train, eval. */
#include "cli.h"
#include "data_files.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: minigpt [--weights PATH] COMMAND [ARGS]\n"
        "\n"
        "Commands:\n"
        "  info [WEIGHTS]          config, exact parameter count, trained or not\n"
        "  correct [--learner ID] [SENTENCE]\n"
        "                          print the corrected sentence; with no SENTENCE,\n"
        "                          correct each line of standard input\n"
        "  bench [--threads N] [--repeat R] [--prompts FILE]\n"
        "                          median microseconds per correction over the lab's\n"
        "                          prompts and throughput, 1 thread and N threads\n"
        "                          sharing one model (N defaults to the core count)\n"
        "  init [--seed S] OUT     write the seeded, untrained initialisation of the\n"
        "                          default config (103,680 parameters) to OUT\n"
        "  data [--seed S] [--count N] [--split train|heldout]\n"
        "                          print generated examples: type, sentence and\n"
        "                          correction, tab-separated\n"
        "  train [--seed S] [--steps N] [--batch B] [--bucket K] [--lr X] [--threads N]\n"
        "        [--out PATH]\n"
        "                          train the default config on generated data; write\n"
        "                          the weights to PATH (default: the default weights)\n"
        "                          and the run's record to PATH.train.json. The\n"
        "                          defaults (seed 1, 22000 steps, batch 32, bucket 8,\n"
        "                          lr 0.003, 2 threads) reproduce the committed model\n"
        "  eval [--heldout N] [--show-misses]\n"
        "                          exact-match accuracy on N held-out examples\n"
        "                          (default 2000) and on the lab's prompts\n"
        "\n"
        "Options:\n"
        "  --weights PATH  weights file (default: $MINIGPT_WEIGHTS, else\n"
        "                  %s)\n"
        "  -h, --help      this text\n"
        "\n"
        "Exit status: 0 success, 1 the work failed (unreadable weights, a sentence\n"
        "the model cannot take), 2 bad command line.\n",
        mg_data_file(MG_DEFAULT_WEIGHTS));
}

int cli_parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_load_model(const char *path, gpt_model **out) {
    int rc = gpt_load(path, out);
    if (rc) fprintf(stderr, "minigpt: %s: %s\n", path, gpt_strerror(rc));
    return rc;
}

const char *cli_trained_label(const gpt_model *m, char *buf, size_t size) {
    gpt_info info;
    gpt_get_info(m, &info);
    if (info.flags & GPT_FLAG_TRAINED)
        snprintf(buf, size, "trained (seed %llu)", (unsigned long long)info.seed);
    else
        snprintf(buf, size, "untrained (seeded initialisation, seed %llu)",
                 (unsigned long long)info.seed);
    return buf;
}

static int cmd_info(int argc, char **argv, const char *weights) {
    if (argc > 2) {
        fprintf(stderr, "minigpt: info takes at most one WEIGHTS path\n");
        return CLI_EXIT_USAGE;
    }
    if (argc == 2) weights = argv[1];
    gpt_model *m;
    if (cli_load_model(weights, &m)) return CLI_EXIT_FAIL;
    gpt_info info;
    char label[96];
    gpt_get_info(m, &info);
    printf("weights:      %s\n", weights);
    printf("format:       version %u\n", info.version);
    printf("config:       vocab %u, d_model %u, heads %u, layers %u, mlp %u, context %u\n",
           info.config.vocab_size, info.config.d_model, info.config.n_heads,
           info.config.n_layers, info.config.d_mlp, info.config.context);
    printf("parameters:   %zu\n", info.n_params);
    printf("trained:      %s\n", cli_trained_label(m, label, sizeof label));
    printf("max sentence: %zu bytes\n", agent_max_sentence(m));
    printf("blas:         %s\n", gpt_blas_config());
    gpt_free(m);
    return CLI_EXIT_OK;
}

/* Corrects one sentence and prints it; returns a CLI exit code. */
static int correct_one(const gpt_model *m, gpt_state *s, const char *sentence,
                       const char *learner) {
    agent_result r;
    int rc = agent_correct(m, s, sentence, learner, &r);
    if (rc) {
        size_t bad = 0;
        if (rc == GPT_EUTF8 || rc == GPT_EALPHABET) {
            agent_validate(m, sentence, &bad);
            fprintf(stderr, "minigpt: %s (byte %zu); the alphabet is: %s\n",
                    gpt_strerror(rc), bad, GPT_ALPHABET);
        } else if (rc == GPT_ETOOLONG) {
            fprintf(stderr, "minigpt: %s (%zu bytes, at most %zu)\n",
                    gpt_strerror(rc), strlen(sentence), agent_max_sentence(m));
        } else {
            fprintf(stderr, "minigpt: %s\n", gpt_strerror(rc));
        }
        return CLI_EXIT_FAIL;
    }
    printf("%s\n", r.text);
    return CLI_EXIT_OK;
}

static int cmd_correct(int argc, char **argv, const char *weights) {
    static const struct option opts[] = {
        {"learner", required_argument, NULL, 'l'}, {NULL, 0, NULL, 0}};
    const char *learner = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+l:", opts, NULL)) != -1) {
        if (c == 'l') learner = optarg;
        else return CLI_EXIT_USAGE;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "minigpt: correct takes one SENTENCE (quote it)\n");
        return CLI_EXIT_USAGE;
    }
    gpt_model *m;
    if (cli_load_model(weights, &m)) return CLI_EXIT_FAIL;
    gpt_state *s = gpt_state_new(m);
    int rc = CLI_EXIT_OK;
    if (!s) {
        fprintf(stderr, "minigpt: out of memory\n");
        rc = CLI_EXIT_FAIL;
    } else {
        gpt_info info;
        gpt_get_info(m, &info);
        if (!(info.flags & GPT_FLAG_TRAINED))
            fprintf(stderr, "minigpt: note: %s holds untrained weights; the output "
                            "is not a real correction\n", weights);
        if (optind < argc) {
            rc = correct_one(m, s, argv[optind], learner);
        } else {
            char line[4096];
            while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (correct_one(m, s, line, learner) != CLI_EXIT_OK) rc = CLI_EXIT_FAIL;
            }
        }
    }
    gpt_state_free(s);
    gpt_free(m);
    return rc;
}

static int cmd_init(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
    long seed = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+s:", opts, NULL)) != -1) {
        if (c != 's' || cli_parse_long(optarg, 0, 0x7fffffffL, &seed)) {
            fprintf(stderr, "minigpt: init: --seed takes a number from 0 to 2147483647\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "minigpt: init takes one OUT path\n");
        return CLI_EXIT_USAGE;
    }
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    int rc = gpt_init_write(argv[optind], &cfg, (uint64_t)seed);
    if (rc) {
        fprintf(stderr, "minigpt: %s: %s\n", argv[optind], gpt_strerror(rc));
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        {"weights", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *weights = getenv("MINIGPT_WEIGHTS");
    if (!weights || !*weights) weights = mg_data_file(MG_DEFAULT_WEIGHTS);
    int c;
    /* "+" stops at the command name, so each command parses its own flags. */
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': weights = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    for (int i = 1; i < sub_argc; i++)
        if (!strcmp(sub_argv[i], "--help") || !strcmp(sub_argv[i], "-h")) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
    if (!strcmp(cmd, "info")) return cmd_info(sub_argc, sub_argv, weights);
    if (!strcmp(cmd, "correct")) return cmd_correct(sub_argc, sub_argv, weights);
    if (!strcmp(cmd, "bench")) return cli_bench(sub_argc, sub_argv, weights);
    if (!strcmp(cmd, "init")) return cmd_init(sub_argc, sub_argv);
    if (!strcmp(cmd, "data")) return cli_data(sub_argc, sub_argv);
    if (!strcmp(cmd, "train"))
        return cli_train(sub_argc, sub_argv, mg_data_file(MG_DEFAULT_WEIGHTS));
    if (!strcmp(cmd, "eval")) return cli_eval(sub_argc, sub_argv, weights);
    fprintf(stderr, "minigpt: unknown command '%s' (try minigpt --help)\n", cmd);
    return CLI_EXIT_USAGE;
}
