/* revisit.c - what `harness plot` and `harness check` share: the folder
 * they work on, and a sweep's folder read back point by point. */
#include "cli/cli.h"

#include "facts/facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir, or the newest experiment folder; prints why not and returns -1. */
int hs_pick_dir(const char *dir, const hs_paths *p, char *out, size_t size) {
    if (dir) {
        snprintf(out, size, "%s", dir);
        return 0;
    }
    if (hs_newest_experiment(p->experiments_dir, out, size) == 0) return 0;
    fprintf(stderr, "harness: no experiment folder under %s (run one: harness run lab01)\n",
            p->experiments_dir);
    return -1;
}

/* Reads dir as a sweep's folder into *s (malloc'd). Returns 1 if it is
 * one, 0 if it is not (a single run's folder, or no manifest), or -1 after
 * saying why it cannot be read. */
int hs_as_sweep(const char *dir, hs_sweep **s) {
    char err[4096];
    *s = malloc(sizeof **s);
    if (!*s) return fprintf(stderr, "harness: out of memory\n"), -1;
    int rc = hs_sweep_read(dir, *s, err, sizeof err);
    if (rc == 0) return 1;
    free(*s), *s = NULL;
    if (rc == -ENOENT || rc == -EMEDIUMTYPE) return 0;
    fprintf(stderr, "harness: %s\n", err);
    return -1;
}

/* Point i's folder under dir into out; 1 if the point has one, else 0
 * after saying on out_f why it is skipped: it never ran, or failed before
 * its run made a folder. */
int hs_point_folder(const char *dir, const hs_sweep *s, int i, FILE *out_f, char *out,
                        size_t size) {
    const hs_sweep_point *pt = &s->points[i];
    const char *pname = hs_sweep_param_name(s->spec.param);
    struct stat st;
    snprintf(out, size, "%s/%s", dir, pt->folder);
    if (pt->status == HS_POINT_NOT_RUN) {
        fprintf(out_f, "%s=%ld: not run (the sweep was interrupted); skipped\n", pname, pt->value);
        return 0;
    }
    if (stat(out, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(out_f, "%s=%ld: %s (exit %d) before its run made %s/; skipped\n", pname,
                pt->value, hs_point_status_name(pt->status), pt->exit_code, pt->folder);
        return 0;
    }
    return 1;
}

