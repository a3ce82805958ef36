/* blocks.c - collecting the block reports from a running server; see
 * blocks.h. Summing them is blocks_sum.c. */
#include "evidence/evidence.h"

#include "lab/lab.h"
#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hs_blocks_collect(const char *base_url, const char *dir, const char *name, int expect,
                      hs_blocks *out) {
    long pids[HS_MAX_PIDS];
    char *bodies[HS_MAX_PIDS] = {0};
    int probes = 0;
    memset(out, 0, sizeof *out);
    if (expect < 1) expect = 1;
    int tries = expect * 64 > 16 ? expect * 64 : 16;
    int got = hs_probe_workers(base_url, "/debug/blocks", expect, tries, pids, bodies,
                               HS_MAX_PIDS, &probes);
    if (got < 0) {
        for (int i = 0; i < HS_MAX_PIDS; i++) free(bodies[i]);
        return got;
    }
    if (got == 0) return 1;
    cJSON *file = cJSON_CreateObject();
    cJSON_AddStringToObject(file, "variant", name);
    cJSON_AddStringToObject(file, "source", "GET /debug/blocks of each worker, after the load");
    cJSON *workers = cJSON_AddArrayToObject(file, "workers");
    for (int i = 0; i < got; i++) {
        cJSON *doc = bodies[i] ? cJSON_Parse(bodies[i]) : NULL;
        if (doc) cJSON_AddItemToArray(workers, doc);
        free(bodies[i]);
    }
    hs_blocks_sum(workers, out);
    char *text = cJSON_Print(file);
    cJSON_Delete(file);
    if (!text) return -ENOMEM;
    char path[4352];
    snprintf(path, sizeof path, "%s/blocks_%s.json", dir, name);
    int rc = hs_write_atomic(path, text, strlen(text));
    free(text);
    return rc;
}
