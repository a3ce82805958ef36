/* memory.c - resident memory of a server and its worker processes. */
#include "memory.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* VmRSS of pid in KiB, or -1. */
static long vm_rss(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    if (f) fclose(f);
    return kib;
}

/* Parent of pid from /proc/pid/stat, or -1. The command name in field 2
 * may hold spaces and parentheses, so parse after the last ')'. */
static pid_t parent_of(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    int ppid;
    char state;
    if (!close || sscanf(close + 1, " %c %d", &state, &ppid) != 2) return -1;
    return (pid_t)ppid;
}

static int contains(const hs_rss *r, pid_t pid) {
    for (int i = 0; i < r->n; i++)
        if (r->pid[i] == pid) return 1;
    return 0;
}

int hs_rss_tree(pid_t root, hs_rss *out) {
    memset(out, 0, sizeof *out);
    long kib = vm_rss(root);
    if (kib < 0) return -1;
    out->pid[0] = root, out->rss_kib[0] = kib, out->n = 1, out->total_kib = kib;
    /* Descendants: repeat the scan until a pass adds nobody, so
     * grandchildren (a shell's server, its workers) are found too. */
    for (int added = 1; added && out->n < HS_RSS_MAX_PROCS;) {
        added = 0;
        DIR *d = opendir("/proc");
        if (!d) break;
        struct dirent *e;
        while ((e = readdir(d)) && out->n < HS_RSS_MAX_PROCS) {
            if (!isdigit((unsigned char)e->d_name[0])) continue;
            pid_t pid = (pid_t)atoi(e->d_name);
            if (contains(out, pid) || !contains(out, parent_of(pid))) continue;
            long k = vm_rss(pid);
            if (k < 0) continue; /* exited, or a kernel thread */
            out->pid[out->n] = pid, out->rss_kib[out->n] = k, out->n++;
            out->total_kib += k;
            added = 1;
        }
        closedir(d);
    }
    return 0;
}
