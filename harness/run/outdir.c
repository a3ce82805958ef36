/* outdir.c - where a run's files go: a new folder, never one with files
 * in it, so nothing is overwritten. */
#include "run/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int hs_run_make_folder(const char *name, const char *out_dir, const hs_paths *p, char *dir,
                       size_t size, char *err, size_t err_size) {
    /* err is at least twice size: messages name the folder in full. */
    if (out_dir) {
        snprintf(dir, size, "%s", out_dir);
        if (mkdir(dir, 0755) == 0) return 0;
        if (errno == EEXIST && rmdir(dir) == 0 && mkdir(dir, 0755) == 0) return 0;
        snprintf(err, err_size, "%s: %s", dir,
                 errno == EEXIST || errno == ENOTEMPTY
                     ? "exists and is not empty (the harness never overwrites a run)"
                     : strerror(errno));
        return -1;
    }
    if (mkdir(p->experiments_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, err_size, "%s: %s", p->experiments_dir, strerror(errno));
        return -1;
    }
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    for (int n = 1; n < 1000; n++) {
        if (n == 1) snprintf(dir, size, "%s/%s-%s", p->experiments_dir, date, name);
        else snprintf(dir, size, "%s/%s-%s-%d", p->experiments_dir, date, name, n);
        if (mkdir(dir, 0755) == 0) return 0;
        if (errno != EEXIST) {
            snprintf(err, err_size, "%s: %s", dir, strerror(errno));
            return -1;
        }
    }
    snprintf(err, err_size, "%s: too many runs today", p->experiments_dir);
    return -1;
}
