/* memory.h - resident memory of a server and its worker processes, read
 * from /proc, so a run can show what each worker's copy of the model costs. */
#ifndef HARNESS_MEMORY_H
#define HARNESS_MEMORY_H

#include <stddef.h>
#include <sys/types.h>

#define HS_RSS_MAX_PROCS 64

typedef struct {
    int n;                            /* processes found: root first */
    pid_t pid[HS_RSS_MAX_PROCS];
    long rss_kib[HS_RSS_MAX_PROCS];   /* VmRSS of each */
    long total_kib;
} hs_rss;

/* Fills out with root and every process descended from it. Returns 0, or
 * -1 if root's own memory could not be read (it has exited). */
int hs_rss_tree(pid_t root, hs_rss *out);

#endif
