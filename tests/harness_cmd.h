/* harness_cmd.h - what the harness's end-to-end tests share: running a
 * command as a user would (its output captured, a time limit, optionally
 * a signal or one CPU), and reading and writing the files it works on. */
#ifndef TEST_HARNESS_CMD_H
#define TEST_HARNESS_CMD_H

#include <cJSON.h>
#include <stddef.h>

typedef struct {
    double interrupt_after_s; /* > 0: SIGINT then */
    int cpu;                  /* >= 0: the child runs on this CPU only */
    const char *path_env;     /* not NULL: the child's PATH */
    const char *interrupt_when; /* not NULL: SIGINT once this path exists */
} hs_cmd_opts;

/* Runs argv with stdout and stderr into out (NUL-terminated), using
 * scratch_dir for the capture file; exits the test if it runs longer
 * than timeout_s. o may be NULL. Returns the exit code, or 128 + signal. */
int hs_cmd_run(char *const argv[], double timeout_s, const hs_cmd_opts *o,
               const char *scratch_dir, char *out, size_t out_size);

/* dir/name's text, in a buffer the next call reuses; the test fails if
 * it is missing. */
char *hs_cmd_slurp(const char *dir, const char *name);

/* Writes text to path; the test fails if it cannot. */
void hs_cmd_write_file(const char *path, const char *text);

/* dir/name parsed; the test fails if it is missing or not JSON. */
cJSON *hs_cmd_read_json(const char *dir, const char *name);

#endif
