/* folder.h - an experiment folder read back: its variants, their recorded
 * latencies, and the lab that produced them. */
#ifndef HARNESS_FOLDER_H
#define HARNESS_FOLDER_H

#include "acceptance.h"
#include "lab.h"
#include "stats.h"

typedef struct {
    char name[HS_NAME_MAX];
    char label[128];
    hs_sample *samples;
    size_t n;
    double *sorted_s;   /* latencies ascending */
    hs_summary summary; /* valid when n > 0 */
} hs_folder_variant;

typedef struct {
    char title[256];    /* plot title */
    hs_folder_variant v[HS_MAX_VARIANTS];
    int n;
} hs_folder;

/* Reads dir's latencies_<variant>.json files: in the manifest's order when
 * there is a manifest.json, else in name order. lab (if not NULL) gets the
 * lab definition embedded in the manifest, or is loaded from
 * fallback_lab_file. Returns 0 or -1 with err saying why. */
int hs_folder_read(const char *dir, const char *fallback_lab_file, hs_folder *f,
                   hs_lab *lab, char *err, size_t err_size);
void hs_folder_free(hs_folder *f);

/* The newest folder under experiments_dir holding latencies files. */
int hs_newest_experiment(const char *experiments_dir, char *out, size_t size);

#endif
