/* manifest.h - what a run's manifest.json records: the machine, the software
 * versions, the source commit, and times. */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <cJSON.h>

/* {"cpu_model", "cores", "memory_bytes", "kernel", "hostname"} */
cJSON *manifest_machine(void);

/* {"harness", "libcurl", "cjson", "openblas", "libuv", "gnuplot",
 *  "compiler"}; gnuplot is null when it is not installed. */
cJSON *manifest_versions(void);

/* {"commit", "dirty"} of the source tree, or null values outside git. */
cJSON *manifest_git(const char *source_dir);

/* Runs a command (sh -c) and returns its first output line, malloc'd, or
 * NULL if it could not run or printed nothing. */
char *manifest_first_line_of(const char *cmd);

/* Now as ISO 8601 UTC with milliseconds, e.g. 2026-11-22T10:00:00.123Z. */
void manifest_now_iso8601(char *out, size_t size);

#endif
