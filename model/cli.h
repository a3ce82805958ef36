/* cli.h - what the minigpt command's files share. */
#ifndef MINIGPT_CLI_H
#define MINIGPT_CLI_H

#include "minigpt.h"

/* Exit codes of the minigpt command. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* the work failed: unreadable weights, bad sentence */
#define CLI_EXIT_USAGE 2 /* the command line is wrong */

/* Parses a whole decimal number in [lo, hi]; returns 0 or -1. */
int cli_parse_long(const char *s, long lo, long hi, long *out);

/* Loads weights, printing "minigpt: PATH: reason" on failure. */
int cli_load_model(const char *path, gpt_model **out);

/* "trained" or "untrained (seeded initialisation, seed N)". */
const char *cli_trained_label(const gpt_model *m, char *buf, size_t size);

int cli_bench(int argc, char **argv, const char *weights);
int cli_data(int argc, char **argv);
int cli_train(int argc, char **argv, const char *default_out);
int cli_eval(int argc, char **argv, const char *weights);

#endif
