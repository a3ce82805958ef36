/* memory.c - resident memory of a server and its worker processes, from
 * the process tree procfs.c reads. */
#include "evidence/evidence.h"

#include <string.h>

int hs_rss_tree(pid_t root, hs_rss *out) {
    hs_proc_tree t;
    memset(out, 0, sizeof *out);
    if (hs_proc_tree_read(root, &t) != 0 || t.rss_each_kib[0] < 0) return -1;
    for (int i = 0; i < t.processes && out->n < HS_RSS_MAX_PROCS; i++) {
        if (t.rss_each_kib[i] < 0) continue; /* exited while being read */
        out->pid[out->n] = t.pid[i], out->rss_kib[out->n] = t.rss_each_kib[i];
        out->total_kib += t.rss_each_kib[i];
        out->n++;
    }
    return 0;
}
