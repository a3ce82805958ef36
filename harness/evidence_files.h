/* evidence_files.h - the per-request evidence beside latencies_<variant>.json,
 * which keeps the lab's own format:
 *   phases_<variant>.json  {"columns": ["connect_s", "ttfb_s", "total_s",
 *                          "new_connections"], "rows": [[...], ...]}, one row
 *                          per recorded request, in the latencies' order
 *   probe_<variant>.json   {"path", "rate_per_s", "unloaded": [[latency_s,
 *                          status], ...], "loaded": [...]}, the bystander
 *                          probe before and during the load */
#ifndef HARNESS_EVIDENCE_FILES_H
#define HARNESS_EVIDENCE_FILES_H

#include "load.h"
#include "probe.h"

/* Both write atomically and return 0 or a negative errno. */
int hs_phases_write(const char *path, const hs_phase *p, size_t n);
int hs_probe_write(const char *path, const char *probe_path, double rate,
                   const hs_probe *unloaded, const hs_probe *loaded);

#endif
