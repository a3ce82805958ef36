/* evidence/evidence.h - the server seen from outside while the load runs: its process tree
 * and CPU from /proc, the sampler, memory, which pids serve, its event-loop
 * block reports, and the per-request evidence files.
 *
 * The one header of harness/evidence/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_EVIDENCE_H
#define HARNESS_EVIDENCE_H

#include "load/load.h"

#include <stddef.h>
#include <sys/types.h>
#include <pthread.h>

/* --- procfs --- readings from /proc and the cgroup files: the server's
 * processes (CPU time, context switches, threads, memory), the CPUs this
 * run may use and what they did, and the kernel's TCP counters.
 *
 * Each reading is a snapshot; the evidence of a run is the difference
 * between one taken before the recorded phase and one after it. These
 * functions only read: they never guess a value they could not read. */
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

/* The tree's CPU seconds between two readings of it, a before b, into
 * *cpu_s: NULL, or why the figure is unknown (and *cpu_s is 0). */
const char *hs_proc_tree_cpu_between(const hs_proc_tree *a, const hs_proc_tree *b,
                                     double *cpu_s);

/* The cheap part of the same, for sampling during the load: live threads
 * and VmRSS summed over the given processes (from a full read), from one
 * status file each. Processes that have exited are skipped. Returns 0, or
 * -ESRCH if none could be read. */
int hs_proc_tree_threads(const hs_proc_tree *t, long *threads, long *rss_kib);

/* One thread's counts so far: its context switches (/proc/PID/task/TID/
 * status) and the scheduler's time for it (.../schedstat): nanoseconds on
 * a CPU, and nanoseconds runnable but waiting for one, -1 both when the
 * kernel does not keep them (no CONFIG_SCHED_INFO). */
typedef struct {
    pid_t tid;
    long long voluntary, involuntary;
    long long run_ns, wait_ns;
} hs_thread_reading;

/* Calls fn for every live thread of t's processes. A thread's counts die
 * with it, so a caller that wants them over a span samples them as it
 * goes. Returns how many threads were read. */
typedef void (*hs_thread_fn)(void *arg, const hs_thread_reading *r);
int hs_proc_tree_each_thread(const hs_proc_tree *t, hs_thread_fn fn, void *arg);

/* Whether this kernel keeps the scheduler's figures: the calling thread's
 * own schedstat parses and shows time on a CPU (a kernel without them
 * prints zeros, or has no such file). */
int hs_schedstat_kept(void);

/* Parses a schedstat line ("run_ns wait_ns timeslices\n", fields after
 * those allowed) into *run_ns and *wait_ns. Returns 0, or -1 if it is not
 * that shape or is cut off before its newline. */
int hs_schedstat_parse(const char *text, long long *run_ns, long long *wait_ns);

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

/* --- evidence --- what a variant's server, the load generator, the machine and
 * the kernel did during the recorded phase: readings before it, samples
 * during it and readings after it. The differences are facts (facts.c);
 * nothing here interprets them. */
/* One server thread's context switches and scheduler times (ns on a CPU,
 * ns waiting for one; -1 when unknown): at its first sighting in the
 * window (0 for a thread born in it) and at its last. */
typedef struct {
    pid_t tid;             /* 0: an empty slot */
    long long vol0, invol0, vol1, invol1;
    long long run0, wait0, run1, wait1;
} hs_thread_counts;

typedef struct {
    pid_t server;
    const hs_cpus *cpus;          /* the CPUs this run may use */
    double t0, t1;                /* monotonic seconds: the window, from just
                                   * before the first reading to just after
                                   * the last */
    hs_proc_tree tree0, tree1;    /* the server's processes before, after */
    int have_tree0, have_tree1;   /* 0: it had exited when read */
    hs_cpu_times cpu0, cpu1;      /* the allowed CPUs, from /proc/stat */
    hs_tcp_counters tcp0, tcp1;
    int have_tcp;                 /* both readings worked */
    double self_cpu0, self_cpu1;  /* the harness process, every thread; */
    int have_self_cpu;            /* 0: getrusage failed */

    /* The sampler's, a thread of its own every 100 ms from begin to end;
     * read only after it is joined. */
    pthread_t sampler;
    int sampling;
    int wake[2];                  /* a pipe: a byte ends the sampler's wait */
    hs_proc_tree current;         /* the latest full read */
    long threads_max;             /* most live threads seen in the window */
    long rss_max_kib;             /* most resident memory seen */
    hs_thread_counts *threads;    /* every server thread seen, hashed by tid */
    size_t threads_cap, threads_seen;
    double gone_vol, gone_invol;  /* of threads whose tid was reused */
    double gone_wait_ns;
    double gone_busiest_run_ns;   /* the most one of them ran */
    int sched_unknown;            /* the kernel keeps no schedstat, or a
                                   * thread's could not be read */
    int threads_oom;              /* a thread could not be followed */
    double sampler_cpu_s;         /* what the sampling cost; -1: unknown */
    int ended;
} hs_evidence;

/* Takes the before-readings and starts the sampler; call just before the
 * load starts. */
void hs_evidence_begin(hs_evidence *e, pid_t server, const hs_cpus *cpus);

/* Stops the sampler and takes the after-readings; arg is the hs_evidence.
 * The load generator calls it as its last request completes, before it
 * closes its connections, so that a server's per-connection threads are
 * still there to be read. A second call does nothing. */
void hs_evidence_end(void *arg);


void hs_evidence_free(hs_evidence *e);

/* --- memory --- resident memory of a server and its worker processes, read
 * from /proc, so a run can show what each worker's copy of the model costs. */
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

/* --- serving --- which processes serve a server's port, as its health
 * endpoint reports them: with --workers N, whichever worker accepted a
 * connection answers on it, so fresh connections reach all of them. */
/* GETs base_url + path over one fresh connection per probe, in batches of
 * concurrent ones, and collects
 * the distinct "pid" values of the JSON answers into pids (at most
 * max_pids). Stops after max_probes, as soon as expect pids are found
 * (expect > 0), at the first answer without a "pid", or when hs_stop is
 * set. *probes says how many were made. Returns the number of distinct
 * pids found (0: the server does not report them), or -ENOMEM. Runs on
 * the calling thread. */
int hs_serving_pids(const char *base_url, const char *path, int expect, int max_probes,
                    long *pids, int max_pids, int *probes);
/* The same for any endpoint that answers JSON with a "pid" (a 200), and
 * if bodies is not NULL also keeps each distinct worker's answer:
 * bodies[k] (malloc'd, the caller frees) is pids[k]'s. */
int hs_probe_workers(const char *base_url, const char *path, int expect, int max_probes,
                     long *pids, char **bodies, int max_pids, int *probes);

/* --- blocks --- the servers' own account of their event loops: the reports
 * of miniserve --detect-blocking, collected from every worker's GET
 * /debug/blocks after the load, saved as blocks_<variant>.json and
 * summarised for summary.md. Runs on the harness's main thread. */
typedef struct {
    int workers;          /* workers that answered; 0: no detector */
    long threshold_ms;
    double blocks, blocks_ms, longest_ms;
    double starved, starved_ms;
    /* The place that blocked longest in all, over every worker's
     * top_stacks: the innermost server frame of those blocks. */
    double top_count, top_ms;
    char top_where[512];  /* "job_run (server/handler_correct.c:228)", or "" */
    char *top_report;     /* one such block in pyleak's form (malloc'd), or NULL */
} hs_blocks;

/* Asks base_url/debug/blocks over fresh connections until `expect`
 * distinct workers answered (at least one; a bounded number of tries),
 * writes dir/blocks_<name>.json ({"variant", "workers": [each worker's
 * document]}) atomically and sums them into *out. Returns 0, 1 if no
 * worker answered (the server has no detector; no file is written, *out
 * says 0 workers), or a negative errno. */
int hs_blocks_collect(const char *base_url, const char *dir, const char *name, int expect,
                      hs_blocks *out);
void hs_blocks_free(hs_blocks *b);

/* Sums a blocks file's documents (the "workers" array of a parsed
 * blocks_<name>.json, a cJSON array) into *out. */
void hs_blocks_sum(const void *workers, hs_blocks *out);

/* --- evidence_files --- the per-request evidence beside latencies_<variant>.json,
 * which keeps the lab's own format:
 *   phases_<variant>.json  {"columns": ["connect_s", "ttfb_s", "total_s",
 *                          "new_connections"], "rows": [[...], ...]}, one row
 *                          per recorded request, in the latencies' order
 *   probe_<variant>.json   {"path", "rate_per_s", "unloaded": [[latency_s,
 *                          status], ...], "loaded": [...]}, the bystander
 *                          probe before and during the load */
/* Both write atomically and return 0 or a negative errno. */
/* The open loop's own per-request figures, in the order of
 * latencies_<variant>.json: {"columns": ["service_s", "send_lag_s"],
 * "rows": [...]}: from the actual send to completion, and how late it was
 * sent. Written atomically; 0 or a negative errno. */
int hs_open_write(const char *path, const double *service_s, const double *lag_s, size_t n);
int hs_phases_write(const char *path, const hs_phase *p, size_t n);
int hs_probe_write(const char *path, const char *probe_path, double rate,
                   const hs_probe *unloaded, const hs_probe *loaded);

/* --- capacity.c --- what a server can serve, measured before an open
 * loop on its own warmed-up server: S from serial requests, and the cores
 * a burst of concurrent clients keeps it busy. capacity.c says why. */
typedef struct {
    int measured;            /* S and the burst were measured */
    char why[256];           /* why not, or why no prediction; "" */
    double service_s;        /* S: the median of serial requests */
    long serial_requests;
    int burst_clients;
    long burst_requests;
    double burst_wall_s, burst_cpu_s; /* the burst, and the server's CPU in it */
    double burst_cores;      /* burst_cpu_s / burst_wall_s */
    double burst_rps;        /* burst_requests / burst_wall_s */
    double cpu_per_request_s;/* burst_cpu_s / burst_requests */
    double predicted_rps;    /* burst_cores / S for CPU-bound work; NAN: none */
} hs_capacity;

/* The median latency of n serial requests (base's URL, method and bodies,
 * one client) into *service_s: 0, or -1 with err (a request failed). */
int hs_service_time(const hs_load_config *base, long n, double *service_s, char *err,
                    size_t err_size);

/* Fills c (measured 0 with why when a part could not be measured). */
void hs_capacity_measure(const hs_load_config *base, pid_t server, const hs_cpus *cpus,
                         hs_capacity *c);

#endif
