/* procfs.h - readings from /proc and the cgroup files: the server's
 * processes (CPU time, context switches, threads, memory), the CPUs this
 * run may use and what they did, and the kernel's TCP counters.
 *
 * Each reading is a snapshot; the evidence of a run is the difference
 * between one taken before the recorded phase and one after it. These
 * functions only read: they never guess a value they could not read. */
#ifndef HARNESS_PROCFS_H
#define HARNESS_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#define HS_PROC_MAX 64 /* processes followed under one server */

/* A server process and everything under it, at one moment. */
typedef struct {
    int processes;           /* root and its live descendants found */
    int truncated;           /* more than HS_PROC_MAX were there */
    pid_t pid[HS_PROC_MAX];  /* root first */
    pid_t ppid[HS_PROC_MAX]; /* each one's parent */
    double cpu_s[HS_PROC_MAX]; /* each one's CPU time: its own (every
                              * thread, exited threads included) and that
                              * of the children it has reaped (utime +
                              * stime + cutime + cstime of /proc/PID/stat) */
    double user_s, sys_s;    /* the same summed: utime + cutime, stime + cstime */
    int ignores_sigchld;     /* one of them ignores SIGCHLD: the kernel reaps
                              * its children, and their CPU time is lost */
    long threads;            /* live threads, summed ("Threads:" in status) */
    long rss_kib;            /* VmRSS, summed */
    long rss_each_kib[HS_PROC_MAX]; /* each one's VmRSS, -1 when unread */
} hs_proc_tree;

/* Reads root and its descendants (children of children too). Returns 0,
 * or -ESRCH when root itself cannot be read (it has exited). */
int hs_proc_tree_read(pid_t root, hs_proc_tree *out);

/* The cheap part of the same, for sampling during the load: live threads
 * and VmRSS summed over the given processes (from a full read), from one
 * status file each. Processes that have exited are skipped. Returns 0, or
 * -ESRCH if none could be read. */
int hs_proc_tree_threads(const hs_proc_tree *t, long *threads, long *rss_kib);

/* Calls fn for every live thread of t's processes with its context switch
 * counts so far (/proc/PID/task/TID/status). A thread's counts die with
 * it, so a caller that wants them over a span samples them as it goes.
 * Returns how many threads were read. */
typedef void (*hs_thread_fn)(void *arg, pid_t tid, long long voluntary,
                             long long involuntary);
int hs_proc_tree_each_thread(const hs_proc_tree *t, hs_thread_fn fn, void *arg);

/* The CPUs this process (and so the servers it starts) may run on. */
typedef struct {
    int online;             /* sysconf(_SC_NPROCESSORS_ONLN): the machine's */
    int affinity;           /* CPUs in sched_getaffinity's mask */
    int affinity_list[1024];/* their numbers, ascending */
    double quota_cores;     /* the cgroup's cpu.max quota / period; 0 when
                             * there is none ("max"), -1 when unknown */
    char quota_note[256];   /* where the quota was read, or why unknown */
    double available;       /* affinity, lowered to the quota when one is set */
} hs_cpus;

/* Fills out. Returns 0, or a negative errno if sched_getaffinity failed
 * (then available is the online count, still lowered to a quota if one is
 * set, and quota_note says so). */
int hs_cpus_read(hs_cpus *out);

/* /proc/stat time of the CPUs in cpus->affinity_list, in seconds. */
typedef struct {
    int ok;          /* 1 if every listed CPU was found */
    double busy_s;   /* user + nice + system + irq + softirq (guest is in user) */
    double steal_s;  /* taken by the hypervisor from this guest */
    double idle_s;   /* idle + iowait */
} hs_cpu_times;

/* Returns 0 (ok says whether every CPU was found), or a negative errno if
 * /proc/stat could not be read. */
int hs_cpu_times_read(const hs_cpus *cpus, hs_cpu_times *out);

/* The kernel's TCP counters for this network namespace, from
 * /proc/net/netstat (TcpExt) and /proc/net/snmp (Tcp). -1: not found. */
typedef struct {
    long long listen_overflows;   /* TcpExt ListenOverflows: accept queue full */
    long long listen_drops;       /* TcpExt ListenDrops: SYNs dropped on a listener */
    long long syn_retransmits;    /* TcpExt TCPSynRetrans: SYN and SYN-ACK resent */
    long long retransmitted_segs; /* Tcp RetransSegs */
    long long resets_sent;        /* Tcp OutRsts */
    long long established_resets; /* Tcp EstabResets */
    long long attempt_fails;      /* Tcp AttemptFails */
    long long active_opens;       /* Tcp ActiveOpens: connections this host opened */
    long long passive_opens;      /* Tcp PassiveOpens: connections it accepted */
    long long abort_on_data;      /* TcpExt TCPAbortOnData */
    long long abort_on_close;     /* TcpExt TCPAbortOnClose */
} hs_tcp_counters;

/* Returns 0, or a negative errno if neither file could be read. */
int hs_tcp_counters_read(hs_tcp_counters *out);

/* Parses one counter out of the text of /proc/net/netstat or
 * /proc/net/snmp: a header line "Prefix: Name1 Name2 ..." followed by a
 * value line "Prefix: v1 v2 ...". Returns 0 with *out set, or -1 if the
 * prefix or the name is not there (or its value ends the text without a
 * newline: a buffer cut there could hold half a number). */
int hs_net_counter_parse(const char *text, const char *prefix, const char *name,
                         long long *out);

/* Parses /proc/stat text for the given CPU numbers into out (ok = 0, and
 * the times 0, when one is missing, or its line is cut off without a
 * newline). clk_tck: sysconf(_SC_CLK_TCK). */
void hs_cpu_times_parse(const char *text, const int *cpu_list, int n_cpus, long clk_tck,
                        hs_cpu_times *out);

/* Parses a cgroup v2 cpu.max line ("max 100000" or "50000 100000") into
 * cores: 0 for no quota. Returns 0, or -1 if it is not that shape. */
int hs_cpu_max_parse(const char *line, double *cores);

#endif
