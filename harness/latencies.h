/* latencies.h - the lab's latencies_<variant>.json files: a JSON array of
 * [latency_seconds, status_code] pairs, readable by Python's json.load. */
#ifndef HARNESS_LATENCIES_H
#define HARNESS_LATENCIES_H

#include "stats.h"

/* Writes n samples to path atomically. Returns 0 or a negative errno. */
int hs_latencies_write(const char *path, const hs_sample *s, size_t n);

/* Reads a latencies file. On success *out is a malloc'd array of *n
 * samples (possibly 0). On failure returns a negative code and, if err is
 * not NULL, a sentence naming the file and what is wrong with it. */
int hs_latencies_read(const char *path, hs_sample **out, size_t *n, char *err,
                      size_t err_size);

#endif
