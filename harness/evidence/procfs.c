/* procfs.c - snapshots of a server's processes, of the CPUs this run may
 * use and of the kernel's TCP counters, read from /proc and /sys/fs/cgroup.
 *
 * The parsers at the end take the text of a whole file, stay on the line
 * they are reading and never read past its NUL or allocate; the readers
 * above them only open files and hand the text over. Nothing here keeps
 * state between calls, so any thread may call any function. */
#include "evidence/evidence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
/* A status file is about 1.5 KB, but its Groups: line grows with the
 * user's groups; a cut file would hide the fields after it. */
#define STATUS_MAX 32768

/* ---- small text helpers shared by the parsers ---- */

static int is_blank(char c) { return c == ' ' || c == '\t'; }
static int is_eol(char c) { return c == '\n' || c == '\0'; }

/* The start of the line after the one at p, or the text's NUL. */
static const char *next_line(const char *p) {
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

/* Whether the line at line starts with exactly "prefix:" ("Tcp:" is not
 * "TcpExt:"). strncmp stops at the text's NUL, so line[plen] is in bounds. */
static int has_prefix(const char *line, const char *prefix, size_t plen) {
    return strncmp(line, prefix, plen) == 0 && line[plen] == ':';
}

/* Moves *p over blanks to the next token of the same line and returns its
 * length; 0 at the end of the line. Unlike strtol it never crosses '\n',
 * so a short line cannot borrow numbers from the next one. */
static size_t next_token(const char **p) {
    const char *s = *p;
    while (is_blank(*s)) s++;
    const char *e = s;
    while (!is_blank(*e) && !is_eol(*e)) e++;
    *p = s;
    return (size_t)(e - s);
}

/* A whole token of n characters as a signed decimal. Returns 0, or -1 if it
 * is not one or does not fit (the kernel prints u64 counters). */
static int parse_ll(const char *s, size_t n, long long *out) {
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == n) return -1;
    unsigned long long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (!neg && v > (unsigned long long)LLONG_MAX) return -1;
    if (neg && v > (unsigned long long)LLONG_MAX + 1) return -1;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* The number after "key" (e.g. "VmRSS:") at the start of a line of a
 * status file. Returns 0, or -1 if absent or if its line was cut off by a
 * short read (no '\n'), so a truncated number is never taken for a value. */
static int status_field(const char *text, const char *key, long long *out) {
    size_t klen = strlen(key);
    for (const char *line = text; *line; line = next_line(line)) {
        if (strncmp(line, key, klen) != 0) continue;
        if (!strchr(line, '\n')) return -1;
        const char *p = line + klen;
        size_t n = next_token(&p);
        return parse_ll(p, n, out);
    }
    return -1;
}

/* ---- reading files ---- */

/* Reads up to cap - 1 bytes of path into buf, NUL-terminated. /proc files
 * report st_size 0, so read until EOF or a full buffer. Returns 0 or a
 * negative errno. */
static int read_small(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t len = 0;
    int rc = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return rc;
}

/* Reads all of path into *text (malloc'd, NUL-terminated; the caller frees
 * it). For files whose size grows with the machine (/proc/stat with many
 * CPUs, netstat with new kernels' counters): a cut-off value line would be
 * read as a wrong number. Returns 0 or a negative errno. */
static int read_all(const char *path, char **text) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    int rc = buf ? 0 : -ENOMEM;
    while (rc == 0) {
        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                rc = -ENOMEM;
                break;
            }
            buf = bigger, cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = -errno;
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *text = buf;
    return 0;
}

/* ---- the process tree ---- */

/* ppid and the utime, stime, cutime, cstime ticks of pid (fields 4 and 14
 * to 17 of its stat). The comm in field 2 may hold spaces and ')', so
 * count fields after the last ')'. Returns 0, or -1 if pid has gone. */
static int read_stat(pid_t pid, pid_t *ppid, long long ticks[4]) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof buf) != 0) return -1;
    const char *p = strrchr(buf, ')');
    if (!p) return -1;
    p++;
    long long v[15]; /* fields 3 (state) .. 17 (cstime) */
    for (int i = 0; i < 15; i++) {
        size_t n = next_token(&p);
        if (n == 0) return -1;
        if (i == 0) v[0] = 0; /* the state letter */
        else if (parse_ll(p, n, &v[i]) != 0) return -1;
        p += n;
    }
    if (ppid) *ppid = (pid_t)v[1];
    if (ticks) ticks[0] = v[11], ticks[1] = v[12], ticks[2] = v[13], ticks[3] = v[14];
    return 0;
}

static int tree_has(const hs_proc_tree *t, pid_t pid) {
    for (int i = 0; i < t->processes; i++)
        if (t->pid[i] == pid) return 1;
    return 0;
}

static void tree_add(hs_proc_tree *t, pid_t pid) {
    if (pid <= 0 || tree_has(t, pid)) return;
    if (t->processes < HS_PROC_MAX) t->pid[t->processes++] = pid;
    else t->truncated = 1;
}

/* Adds the children of pid. /proc/PID/task/TID/children lists the
 * children forked by that one thread, so every thread's file is read. */
static void add_children(hs_proc_tree *t, pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d) return; /* exited since it was found */
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, atoi(e->d_name));
        FILE *f = fopen(path, "re");
        if (!f) continue; /* that thread exited */
        int child;
        while (fscanf(f, "%d", &child) == 1) tree_add(t, (pid_t)child);
        fclose(f);
    }
    closedir(d);
}

/* Without the children files (kernels built without CONFIG_PROC_CHILDREN):
 * scan every /proc/PID/stat for a parent already in the tree, repeating
 * until a pass adds nobody so that grandchildren forked by a child with a
 * higher pid are found too. */
static void add_by_scan(hs_proc_tree *t) {
    for (int added = 1; added && !t->truncated;) {
        added = 0;
        DIR *d = opendir("/proc");
        if (!d) return;
        struct dirent *e;
        while ((e = readdir(d)) && !t->truncated) {
            if (!isdigit((unsigned char)e->d_name[0])) continue;
            pid_t pid = (pid_t)atoi(e->d_name), ppid;
            if (tree_has(t, pid) || read_stat(pid, &ppid, NULL) != 0) continue;
            if (tree_has(t, ppid)) tree_add(t, pid), added = !t->truncated;
        }
        closedir(d);
    }
}

/* Adds pid's readings to t. Its stat decides whether it counts (returns -1
 * if it has gone); the status and task files that vanish after it, in the
 * same race, only contribute nothing. */
static int account(hs_proc_tree *t, int slot, pid_t pid, double tck) {
    long long ticks[4], v;
    pid_t ppid;
    if (read_stat(pid, &ppid, ticks) != 0) return -1;
    t->ppid[slot] = ppid;
    t->cpu_s[slot] = (double)(ticks[0] + ticks[1] + ticks[2] + ticks[3]) / tck;
    t->user_s += (double)(ticks[0] + ticks[2]) / tck;
    t->sys_s += (double)(ticks[1] + ticks[3]) / tck;

    char path[64], buf[STATUS_MAX];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    t->rss_each_kib[slot] = -1;
    if (read_small(path, buf, sizeof buf) == 0) {
        if (status_field(buf, "Threads:", &v) == 0) t->threads += (long)v;
        if (status_field(buf, "VmRSS:", &v) == 0) t->rss_kib += (long)v, t->rss_each_kib[slot] = (long)v;
        /* SigIgn is a hex mask, bit N-1 for signal N. A process that
         * ignores SIGCHLD has its children reaped by the kernel, whose CPU
         * time then goes to nobody's cutime. */
        const char *m = strstr(buf, "\nSigIgn:");
        if (m && (strtoull(m + 8, NULL, 16) >> (SIGCHLD - 1) & 1)) t->ignores_sigchld = 1;
    }
    return 0;
}

int hs_proc_tree_read(pid_t root, hs_proc_tree *out) {
    memset(out, 0, sizeof *out);
    long hz = sysconf(_SC_CLK_TCK);
    double tck = hz > 0 ? (double)hz : 100.0;
    if (account(out, 0, root, tck) != 0) {
        memset(out, 0, sizeof *out);
        return -ESRCH;
    }
    out->pid[0] = root, out->processes = 1;

    /* Our own thread always has the file if the kernel provides it. */
    if (access("/proc/thread-self/children", R_OK) == 0)
        for (int i = 0; i < out->processes; i++) add_children(out, out->pid[i]);
    else
        add_by_scan(out);

    /* Descendants that exited since they were found are dropped. */
    int kept = 1;
    for (int i = 1; i < out->processes; i++)
        if (account(out, kept, out->pid[i], tck) == 0) out->pid[kept++] = out->pid[i];
    for (int i = kept; i < out->processes; i++) out->pid[i] = 0;
    out->processes = kept;
    return 0;
}

int hs_schedstat_parse(const char *text, long long *run_ns, long long *wait_ns) {
    const char *p = text;
    long long v[3];
    for (int i = 0; i < 3; i++) {
        size_t n = next_token(&p);
        if (n == 0 || parse_ll(p, n, &v[i]) != 0 || v[i] < 0) return -1;
        p += n;
    }
    while (!is_eol(*p)) p++; /* fields a later kernel may add */
    if (*p != '\n') return -1; /* cut off */
    *run_ns = v[0], *wait_ns = v[1];
    return 0;
}

int hs_schedstat_kept(void) {
    char buf[256];
    long long run, wait;
    /* this thread has run, and left a CPU, by now: zeros mean no figures */
    return read_small("/proc/thread-self/schedstat", buf, sizeof buf) == 0 &&
           hs_schedstat_parse(buf, &run, &wait) == 0 && run > 0;
}

int hs_proc_tree_each_thread(const hs_proc_tree *t, hs_thread_fn fn, void *arg) {
    char path[80], buf[STATUS_MAX];
    int n = 0;
    for (int i = 0; i < t->processes && i < HS_PROC_MAX; i++) {
        snprintf(path, sizeof path, "/proc/%d/task", (int)t->pid[i]);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!isdigit((unsigned char)e->d_name[0])) continue;
            hs_thread_reading r = {.tid = (pid_t)atoi(e->d_name)};
            snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)t->pid[i], (int)r.tid);
            if (read_small(path, buf, sizeof buf) != 0 ||
                status_field(buf, "voluntary_ctxt_switches:", &r.voluntary) != 0 ||
                status_field(buf, "nonvoluntary_ctxt_switches:", &r.involuntary) != 0)
                continue; /* it exited */
            snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", (int)t->pid[i], (int)r.tid);
            int rc = read_small(path, buf, sizeof buf);
            /* no file, or nothing in it, where the kernel keeps them: the
             * thread exited meanwhile */
            int gone = rc == -ENOENT || rc == -ESRCH || (rc == 0 && !buf[0]);
            if (gone && access("/proc/self/schedstat", R_OK) == 0) continue;
            if (rc != 0 || hs_schedstat_parse(buf, &r.run_ns, &r.wait_ns) != 0)
                r.run_ns = r.wait_ns = -1;
            fn(arg, &r);
            n++;
        }
        if (d) closedir(d);
    }
    return n;
}

int hs_proc_tree_threads(const hs_proc_tree *t, long *threads, long *rss_kib) {
    char path[64], buf[STATUS_MAX];
    long long v;
    int found = 0;
    *threads = 0, *rss_kib = 0;
    for (int i = 0; i < t->processes && i < HS_PROC_MAX; i++) {
        snprintf(path, sizeof path, "/proc/%d/status", (int)t->pid[i]);
        if (read_small(path, buf, sizeof buf) != 0) continue;
        found++;
        if (status_field(buf, "Threads:", &v) == 0) *threads += (long)v;
        if (status_field(buf, "VmRSS:", &v) == 0) *rss_kib += (long)v;
    }
    return found ? 0 : -ESRCH;
}

/* ---- CPUs ---- */

/* This process's cgroup v2 path ("/user.slice/...") from the "0::" line of
 * /proc/self/cgroup. Returns 0, or -1 if there is none. */
static int own_cgroup(char *rel, size_t cap) {
    char *text;
    if (read_all("/proc/self/cgroup", &text) != 0) return -1;
    int rc = -1;
    for (const char *line = text; *line; line = next_line(line)) {
        if (strncmp(line, "0::", 3) != 0) continue;
        const char *p = line + 3;
        size_t n = strcspn(p, "\n");
        if (p[0] == '/' && n < cap) {
            memcpy(rel, p, n);
            rel[n] = '\0';
            rc = 0;
        }
        break;
    }
    free(text);
    return rc;
}

/* Writes quota_note. Cgroup paths can be longer than the note; a cut one
 * ends in "..." so that it is not taken for a real path. */
__attribute__((format(printf, 2, 3))) static void set_note(hs_cpus *out, const char *fmt, ...) {
    size_t cap = sizeof out->quota_note;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out->quota_note, cap, fmt, ap);
    va_end(ap);
    if (n >= (int)cap) memcpy(out->quota_note + cap - 4, "...", 4);
}

/* This process's cgroup v1 path in the hierarchy that has the cpu
 * controller (a line "N:cpu,cpuacct:/path"), and that hierarchy's mount
 * under CGROUP_ROOT. Returns 0, or -1 if there is none. */
static int own_cgroup_v1(char *rel, size_t cap, char *mount, size_t mcap) {
    char *text;
    if (read_all("/proc/self/cgroup", &text) != 0) return -1;
    int rc = -1;
    for (const char *line = text; *line && rc; line = next_line(line)) {
        const char *c1 = strchr(line, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        const char *end = line + strcspn(line, "\n");
        if (!c2 || c2 > end) continue;
        /* the controller list, comma-separated, must hold "cpu" itself */
        for (const char *p = c1 + 1; p < c2;) {
            size_t n = strcspn(p, ",:");
            if (n == 3 && !memcmp(p, "cpu", 3)) {
                size_t rn = (size_t)(end - (c2 + 1)), ln = (size_t)(c2 - (c1 + 1));
                if (rn < cap && c2[1] == '/') {
                    memcpy(rel, c2 + 1, rn);
                    rel[rn] = '\0';
                    /* mounted as cpu,cpuacct with a "cpu" link beside it on
                     * Debian; try the link first */
                    snprintf(mount, mcap, "%s/cpu", CGROUP_ROOT);
                    if (access(mount, F_OK) != 0)
                        snprintf(mount, mcap, "%s/%.*s", CGROUP_ROOT, (int)ln, c1 + 1);
                    rc = 0;
                }
                break;
            }
            p += n + (p[n] == ',');
        }
    }
    free(text);
    return rc;
}

/* A whole number from a small file, or -1 with *ok cleared. */
static long long read_ll(const char *path, int *ok) {
    char buf[64];
    long long v;
    if (read_small(path, buf, sizeof buf) != 0 || parse_ll(buf, strcspn(buf, "\n"), &v) != 0) {
        *ok = 0;
        return -1;
    }
    return v;
}

/* cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us, the tightest on the
 * way up to the hierarchy's root; a quota of -1 is no limit. */
static void read_quota_v1(hs_cpus *out) {
    char rel[PATH_MAX], mount[PATH_MAX], dir[2 * PATH_MAX], path[2 * PATH_MAX + 32];
    char tightest[2 * PATH_MAX + 32] = "";
    double best = 0;
    out->quota_cores = -1;
    if (own_cgroup_v1(rel, sizeof rel, mount, sizeof mount) != 0) {
        set_note(out, "unknown: no cgroup v2 mount at %s and no v1 cpu controller in "
                      "/proc/self/cgroup", CGROUP_ROOT);
        return;
    }
    snprintf(dir, sizeof dir, "%s%s", mount, rel);
    size_t len = strlen(dir);
    while (len > strlen(mount) && dir[len - 1] == '/') dir[--len] = '\0';
    /* In a container without its own cgroup namespace the path names the
     * host's hierarchy; the mount's root is then this container's cgroup. */
    if (access(dir, F_OK) != 0) snprintf(dir, sizeof dir, "%s", mount);
    for (;;) {
        int ok = 1;
        snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
        long long quota = read_ll(path, &ok);
        snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
        long long period = read_ll(path, &ok);
        if (!ok) {
            set_note(out, "unknown: cannot read cpu.cfs_quota_us and cpu.cfs_period_us in %s",
                     dir);
            return;
        }
        if (quota > 0 && period > 0 && (best == 0 || (double)quota / period < best)) {
            best = (double)quota / (double)period;
            snprintf(tightest, sizeof tightest, "%s/cpu.cfs_quota_us", dir);
        }
        if (strlen(dir) <= strlen(mount)) break;
        *strrchr(dir, '/') = '\0';
    }
    out->quota_cores = best;
    if (best > 0) set_note(out, "quota %.2f cores from %s (cgroup v1)", best, tightest);
    else set_note(out, "no quota: cpu.cfs_quota_us is -1 in %s%s and every parent (cgroup v1)",
                  mount, strcmp(rel, "/") ? rel : "");
}

/* Sets quota_cores and quota_note. A cgroup's CPU is limited by every
 * ancestor's cpu.max too, so the tightest quota on the way up to the root
 * applies. A level without cpu.max has no cpu controller enabled and so no
 * limit (the root never has one). Without cgroup v2, v1's CFS quota. */
static void read_quota(hs_cpus *out) {
    char rel[PATH_MAX], dir[PATH_MAX + sizeof CGROUP_ROOT], leaf[sizeof dir];
    char path[PATH_MAX + 64];
    char tightest[PATH_MAX + 64] = "", first_max[PATH_MAX + 64] = "", buf[128];
    double best = 0;
    out->quota_cores = -1;

    if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) != 0) {
        read_quota_v1(out);
        return;
    }
    if (own_cgroup(rel, sizeof rel) != 0) {
        set_note(out, "unknown: no cgroup v2 path (\"0::/...\") in /proc/self/cgroup");
        return;
    }
    snprintf(dir, sizeof dir, "%s%s", CGROUP_ROOT, rel);
    size_t len = strlen(dir);
    while (len > strlen(CGROUP_ROOT) && dir[len - 1] == '/') dir[--len] = '\0';
    /* In a container without its own cgroup namespace the path names the
     * host's hierarchy; the mount's root is then this container's cgroup. */
    if (access(dir, F_OK) != 0) snprintf(dir, sizeof dir, "%s", CGROUP_ROOT);
    snprintf(leaf, sizeof leaf, "%s", dir);
    for (;;) {
        snprintf(path, sizeof path, "%s/cpu.max", dir);
        int rc = read_small(path, buf, sizeof buf);
        double cores;
        if (rc == 0) {
            if (hs_cpu_max_parse(buf, &cores) != 0) {
                set_note(out, "unknown: cannot parse %s", path);
                return;
            }
            if (cores > 0 && (best == 0 || cores < best)) {
                best = cores;
                snprintf(tightest, sizeof tightest, "%s", path);
            }
            if (cores == 0 && !first_max[0]) snprintf(first_max, sizeof first_max, "%s", path);
        } else if (rc != -ENOENT) {
            set_note(out, "unknown: cannot read %s: %s", path, strerror(-rc));
            return;
        }
        /* rel starts with '/', so dir is CGROUP_ROOT or below it */
        if (strlen(dir) <= strlen(CGROUP_ROOT)) break;
        *strrchr(dir, '/') = '\0';
    }
    out->quota_cores = best;
    if (best > 0)
        set_note(out, "quota %.2f cores from %s", best, tightest);
    else if (first_max[0])
        set_note(out, "no quota: cpu.max is \"max\" in %s, and no parent sets one", first_max);
    else
        set_note(out, "no quota: no cpu.max from %s up to %s", leaf, CGROUP_ROOT);
}

int hs_cpus_read(hs_cpus *out) {
    memset(out, 0, sizeof *out);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    out->online = online > 0 ? (int)online : 0;

    cpu_set_t set;
    CPU_ZERO(&set);
    int rc = sched_getaffinity(0, sizeof set, &set) == 0 ? 0 : -errno;
    if (rc == 0) {
        int max = (int)(sizeof out->affinity_list / sizeof out->affinity_list[0]);
        for (int c = 0; c < CPU_SETSIZE && out->affinity < max; c++)
            if (CPU_ISSET(c, &set)) out->affinity_list[out->affinity++] = c;
    }

    read_quota(out);
    out->available = rc == 0 ? out->affinity : out->online;
    if (out->quota_cores > 0 && out->quota_cores < out->available)
        out->available = out->quota_cores;
    if (rc != 0) {
        size_t len = strlen(out->quota_note);
        snprintf(out->quota_note + len, sizeof out->quota_note - len,
                 "; sched_getaffinity failed (%s), available counts online CPUs",
                 strerror(-rc));
    }
    return rc;
}

int hs_cpu_times_read(const hs_cpus *cpus, hs_cpu_times *out) {
    memset(out, 0, sizeof *out);
    char *text;
    int rc = read_all("/proc/stat", &text);
    if (rc != 0) return rc;
    int n = cpus->affinity;
    int max = (int)(sizeof cpus->affinity_list / sizeof cpus->affinity_list[0]);
    hs_cpu_times_parse(text, cpus->affinity_list, n < max ? n : max, sysconf(_SC_CLK_TCK),
                       out);
    free(text);
    return 0;
}

/* ---- TCP counters ---- */

int hs_tcp_counters_read(hs_tcp_counters *out) {
    static const struct {
        int snmp; /* 0: /proc/net/netstat, 1: /proc/net/snmp */
        const char *prefix, *name;
        size_t offset;
    } fields[] = {
        {0, "TcpExt", "ListenOverflows", offsetof(hs_tcp_counters, listen_overflows)},
        {0, "TcpExt", "ListenDrops", offsetof(hs_tcp_counters, listen_drops)},
        {0, "TcpExt", "TCPSynRetrans", offsetof(hs_tcp_counters, syn_retransmits)},
        {0, "TcpExt", "TCPAbortOnData", offsetof(hs_tcp_counters, abort_on_data)},
        {0, "TcpExt", "TCPAbortOnClose", offsetof(hs_tcp_counters, abort_on_close)},
        {1, "Tcp", "RetransSegs", offsetof(hs_tcp_counters, retransmitted_segs)},
        {1, "Tcp", "OutRsts", offsetof(hs_tcp_counters, resets_sent)},
        {1, "Tcp", "EstabResets", offsetof(hs_tcp_counters, established_resets)},
        {1, "Tcp", "AttemptFails", offsetof(hs_tcp_counters, attempt_fails)},
        {1, "Tcp", "ActiveOpens", offsetof(hs_tcp_counters, active_opens)},
        {1, "Tcp", "PassiveOpens", offsetof(hs_tcp_counters, passive_opens)},
    };
    char *text[2] = {NULL, NULL};
    int rc[2] = {read_all("/proc/net/netstat", &text[0]), read_all("/proc/net/snmp", &text[1])};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        long long *v = (long long *)((char *)out + fields[i].offset);
        const char *t = text[fields[i].snmp];
        if (!t || hs_net_counter_parse(t, fields[i].prefix, fields[i].name, v) != 0) *v = -1;
    }
    free(text[0]);
    free(text[1]);
    return rc[0] == 0 || rc[1] == 0 ? 0 : rc[0];
}

/* ---- parsers ---- */

int hs_net_counter_parse(const char *text, const char *prefix, const char *name,
                         long long *out) {
    if (!text || !prefix || !name || !name[0]) return -1;
    size_t plen = strlen(prefix), nlen = strlen(name);
    for (const char *line = text; *line; line = next_line(line)) {
        if (!has_prefix(line, prefix, plen)) continue;
        const char *values = next_line(line);
        if (!has_prefix(values, prefix, plen)) continue; /* names without values */
        /* Walk the names and the values side by side to the name's column. */
        const char *n = line + plen + 1, *v = values + plen + 1;
        for (;;) {
            size_t nn = next_token(&n), vn = next_token(&v);
            if (nn == 0 || vn == 0) break;
            if (nn == nlen && memcmp(n, name, nn) == 0)
                return v[vn] == '\0' ? -1 : parse_ll(v, vn, out); /* '\0': maybe cut */
            n += nn, v += vn;
        }
        line = values; /* the loop steps past the values line */
    }
    return -1;
}

void hs_cpu_times_parse(const char *text, const int *cpu_list, int n_cpus, long clk_tck,
                        hs_cpu_times *out) {
    memset(out, 0, sizeof *out);
    if (!text || !cpu_list || n_cpus <= 0 || clk_tck <= 0) return;
    long long busy = 0, steal = 0, idle = 0;
    int found = 0;
    for (const char *line = text; *line; line = next_line(line)) {
        /* "cpuN ..." only; the "cpu " line is the sum over all CPUs. */
        if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3])) continue;
        const char *p = line + 3;
        size_t n = next_token(&p);
        long long cpu;
        if (parse_ll(p, n, &cpu) != 0) continue; /* "cpu1x" */
        p += n;
        /* user nice system idle iowait irq softirq steal guest guest_nice;
         * kernels before 2.6.11 stop after iowait or irq, so the later
         * fields count as 0 when absent. */
        long long f[10] = {0};
        int nf = 0;
        while (nf < 10 && (n = next_token(&p)) > 0) {
            if (parse_ll(p, n, &f[nf]) != 0 || f[nf] < 0) break;
            p += n, nf++;
        }
        /* Not a line we understand, or one cut off by the end of the text:
         * the CPU counts as missing. */
        if (nf < 4 || *p == '\0') continue;
        for (int i = 0; i < n_cpus; i++) {
            if (cpu_list[i] != cpu) continue;
            busy += f[0] + f[1] + f[2] + f[5] + f[6];
            idle += f[3] + f[4];
            steal += f[7];
            found++;
        }
    }
    if (found != n_cpus) return; /* ok = 0 and no partial sums */
    out->ok = 1;
    out->busy_s = (double)busy / (double)clk_tck;
    out->steal_s = (double)steal / (double)clk_tck;
    out->idle_s = (double)idle / (double)clk_tck;
}

int hs_cpu_max_parse(const char *line, double *cores) {
    if (!line) return -1;
    const char *p = line, *quota, *period;
    size_t qn = next_token(&p);
    quota = p, p += qn;
    size_t pn = next_token(&p);
    period = p, p += pn;
    if (qn == 0 || pn == 0 || next_token(&p) != 0) return -1; /* exactly two fields */
    long long per, q;
    if (parse_ll(period, pn, &per) != 0 || per <= 0) return -1;
    if (qn == 3 && memcmp(quota, "max", 3) == 0) {
        *cores = 0;
        return 0;
    }
    if (parse_ll(quota, qn, &q) != 0 || q <= 0) return -1;
    *cores = (double)q / (double)per;
    return 0;
}

static int tree_index(const hs_proc_tree *t, pid_t pid) {
    for (int i = 0; i < t->processes; i++)
        if (t->pid[i] == pid) return i;
    return -1;
}

/* Process by process: one in both readings adds its difference, one born
 * in between all of its time. One that exited took its time to the parent
 * that reaped it (whose cutime grew by all of it), so its time before the
 * first reading comes off; when its parent is gone too, nobody in the
 * tree holds it and the figure is unknown. */
const char *hs_proc_tree_cpu_between(const hs_proc_tree *a, const hs_proc_tree *b,
                                     double *cpu_s) {
    *cpu_s = 0;
    if (a->truncated || b->truncated)
        return "the server had more processes than the harness follows (64)";
    if (a->ignores_sigchld || b->ignores_sigchld)
        return "a server process ignores SIGCHLD, so the kernel reaps its children and their "
               "CPU time is counted nowhere";
    double d = 0;
    for (int i = 0; i < b->processes; i++) {
        int j = tree_index(a, b->pid[i]);
        d += b->cpu_s[i] - (j >= 0 ? a->cpu_s[j] : 0);
    }
    for (int j = 0; j < a->processes; j++) {
        if (tree_index(b, a->pid[j]) >= 0) continue;
        if (tree_index(b, a->ppid[j]) < 0)
            return "a server process exited during the load and its parent with it, "
                   "taking its CPU time";
        d -= a->cpu_s[j];
    }
    if (d < 0) return "the CPU time went down between the readings (a pid was reused?)";
    *cpu_s = d;
    return NULL;
}
