/* serving.h - which processes serve a server's port, as its health
 * endpoint reports them: with --workers N, whichever worker accepted a
 * connection answers on it, so fresh connections reach all of them. */
#ifndef HARNESS_SERVING_H
#define HARNESS_SERVING_H

/* GETs base_url + path over one fresh connection per probe, in batches of
 * concurrent ones, and collects
 * the distinct "pid" values of the JSON answers into pids (at most
 * max_pids). Stops after max_probes, as soon as expect pids are found
 * (expect > 0), at the first answer without a "pid", or when hs_stop is
 * set. *probes says how many were made. Returns the number of distinct
 * pids found (0: the server does not report them), or -ENOMEM. Runs on
 * the calling thread. */
int hs_serving_pids(const char *base_url, const char *path, int expect, int max_probes,
                    long *pids, int max_pids, int *probes);
/* The same for any endpoint that answers JSON with a "pid" (a 200), and
 * if bodies is not NULL also keeps each distinct worker's answer:
 * bodies[k] (malloc'd, the caller frees) is pids[k]'s. */
int hs_probe_workers(const char *base_url, const char *path, int expect, int max_probes,
                     long *pids, char **bodies, int max_pids, int *probes);

#endif
