/* test_harness_procfs.c - the /proc and cgroup readings: the parsers on
 * canned text whose answers are known (and on every truncation of it, so
 * ASan sees any read past the end), then the readers on this machine: a
 * process tree we fork, the CPUs, /proc/stat and the TCP counters. */
#include "check.h"
#include "evidence/evidence.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* Shortened from a 6.1 kernel (columns dropped in pairs, so names and
 * values still line up); values made distinct so an off-by-one column
 * shows. IpExt follows TcpExt, as in the real file. */
static const char NETSTAT[] =
    "TcpExt: SyncookiesSent SyncookiesRecv EmbryonicRsts TW DelayedACKs ListenOverflows "
    "ListenDrops TCPHPHits TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPSynRetrans "
    "TCPOrigDataSent\n"
    "TcpExt: 0 1 2 11 19 7 9 30 41 43 0 51 176\n"
    "IpExt: InNoRoutes InTruncatedPkts InOctets OutOctets InNoECTPkts\n"
    "IpExt: 0 0 20158334 50863 913\n";

/* Ip, Icmp, IcmpMsg, Tcp, Udp and UdpLite as the kernel prints them. */
static const char SNMP[] =
    "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams\n"
    "Ip: 2 64 913 0 0 0\n"
    "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs\n"
    "Icmp: 1 0 0 1\n"
    "IcmpMsg: InType3\n"
    "IcmpMsg: 1\n"
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
    "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
    "Tcp: 1 200 120000 -1 13 2 3 4 5 886 774 6 0 8 0\n"
    "Udp: InDatagrams NoPorts InErrors OutDatagrams\n"
    "Udp: 26 0 17 27\n"
    "UdpLite: InDatagrams NoPorts InErrors OutDatagrams\n"
    "UdpLite: 0 0 0 0\n";

/* cpu10 must not be taken for cpu1, nor the "cpu " sum for any CPU. */
static const char STAT[] =
    "cpu  4089 7 1239 40752 316 3 39 4 11 0\n"
    "cpu0 1929 0 604 20436 232 0 13 2 0 0\n"
    "cpu1 2159 7 635 20315 84 3 25 1 11 0\n"
    "cpu10 1 1 1 1 1 1 1 1 1 1\n"
    "intr 139767 0 0 0 0\n"
    "ctxt 254680\n"
    "btime 1700000000\n";

static void test_net_counter_parse(void) {
    long long v = 12345;
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "ListenOverflows", &v), 0);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "ListenDrops", &v), 0);
    CHECK_EQ_INT(v, 9);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "TCPSynRetrans", &v), 0);
    CHECK_EQ_INT(v, 51);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "TCPAbortOnData", &v), 0);
    CHECK_EQ_INT(v, 41);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "TCPAbortOnClose", &v), 0);
    CHECK_EQ_INT(v, 43);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "SyncookiesSent", &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpExt", "TCPOrigDataSent", &v), 0);
    CHECK_EQ_INT(v, 176); /* last column */
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "IpExt", "InOctets", &v), 0);
    CHECK_EQ_INT(v, 20158334);

    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "ActiveOpens", &v), 0);
    CHECK_EQ_INT(v, 13);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "PassiveOpens", &v), 0);
    CHECK_EQ_INT(v, 2);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "AttemptFails", &v), 0);
    CHECK_EQ_INT(v, 3);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "EstabResets", &v), 0);
    CHECK_EQ_INT(v, 4);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "RetransSegs", &v), 0);
    CHECK_EQ_INT(v, 6);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "OutRsts", &v), 0);
    CHECK_EQ_INT(v, 8);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "MaxConn", &v), 0);
    CHECK_EQ_INT(v, -1); /* signed on Linux */
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Udp", "InErrors", &v), 0);
    CHECK_EQ_INT(v, 17); /* not UdpLite's 0 */
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "UdpLite", "InErrors", &v), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Ip", "InReceives", &v), 0);
    CHECK_EQ_INT(v, 913);

    /* Missing names and prefixes leave *out alone and say -1. */
    v = 12345;
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "NoSuchCounter", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "Retrans", &v), -1); /* of RetransSegs */
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Sctp", "InErrors", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "Tcp", "", &v), -1);
    CHECK_EQ_INT(v, 12345);

    /* A prefix of another prefix: "Tcp" is not "TcpExt", "Ip" not "IpExt",
     * "TcpE" is neither. */
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "Tcp", "ListenOverflows", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "Ip", "InOctets", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse(NETSTAT, "TcpE", "ListenOverflows", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse(SNMP, "TcpExt", "ActiveOpens", &v), -1);
    CHECK_EQ_INT(v, 12345);

    /* Both files in one text, TcpExt before Tcp: each finds its own. */
    char both[sizeof NETSTAT + sizeof SNMP];
    snprintf(both, sizeof both, "%s%s", NETSTAT, SNMP);
    CHECK_EQ_INT(hs_net_counter_parse(both, "Tcp", "ActiveOpens", &v), 0);
    CHECK_EQ_INT(v, 13);
    CHECK_EQ_INT(hs_net_counter_parse(both, "TcpExt", "ListenDrops", &v), 0);
    CHECK_EQ_INT(v, 9);

    /* Broken shapes: names without values, values with another prefix, a
     * short values line, a value that is not a number or does not fit. */
    v = 12345;
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\n", "Tcp", "A", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\nUdp: 1 2\n", "Tcp", "A", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B C\nTcp: 1 2\n", "Tcp", "C", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\nTcp: 1 x2\n", "Tcp", "B", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A\nTcp: 99999999999999999999\n", "Tcp", "A", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("", "Tcp", "A", &v), -1);
    CHECK_EQ_INT(v, 12345);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\nTcp: 1 2\n", "Tcp", "B", &v), 0);
    CHECK_EQ_INT(v, 2);
    /* The last value without its newline may be half a number. */
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\nTcp: 1 2", "Tcp", "B", &v), -1);
    CHECK_EQ_INT(hs_net_counter_parse("Tcp: A B\nTcp: 1 2", "Tcp", "A", &v), 0);
    CHECK_EQ_INT(v, 1);
}

/* A thread's schedstat: run and wait in ns, then timeslices; a line cut
 * off or of another shape is no reading. */
static void test_schedstat_parse(void) {
    long long run = -1, wait = -1;
    CHECK_EQ_INT(hs_schedstat_parse("94694116 9274444 194\n", &run, &wait), 0);
    CHECK(run == 94694116 && wait == 9274444);
    CHECK_EQ_INT(hs_schedstat_parse("0 0 0\n", &run, &wait), 0);
    CHECK(run == 0 && wait == 0);
    run = wait = 7;
    CHECK_EQ_INT(hs_schedstat_parse("94694116 9274444 194", &run, &wait), -1); /* no newline */
    CHECK_EQ_INT(hs_schedstat_parse("94694116 9274444\n", &run, &wait), -1);
    CHECK_EQ_INT(hs_schedstat_parse("94694116 9274444 194 5\n", &run, &wait), 0); /* a later field */
    CHECK(run == 94694116 && wait == 9274444);
    run = wait = 7;
    CHECK_EQ_INT(hs_schedstat_parse("94694116 -3 194\n", &run, &wait), -1);
    CHECK_EQ_INT(hs_schedstat_parse("99999999999999999999 1 1\n", &run, &wait), -1);
    CHECK_EQ_INT(hs_schedstat_parse("", &run, &wait), -1);
    CHECK(run == 7 && wait == 7);
}

static void test_cpu_times_parse(void) {
    hs_cpu_times t;
    const int one[] = {1}, both[] = {0, 1}, missing[] = {0, 2}, ten[] = {10};
    hs_cpu_times_parse(STAT, one, 1, 100, &t);
    CHECK_EQ_INT(t.ok, 1);
    CHECK(NEAR(t.busy_s, (2159 + 7 + 635 + 3 + 25) / 100.0)); /* guest 11 is in user */
    CHECK(NEAR(t.steal_s, 0.01));
    CHECK(NEAR(t.idle_s, (20315 + 84) / 100.0));

    hs_cpu_times_parse(STAT, both, 2, 100, &t);
    CHECK_EQ_INT(t.ok, 1);
    CHECK(NEAR(t.busy_s, (1929 + 604 + 13 + 2159 + 7 + 635 + 3 + 25) / 100.0));
    CHECK(NEAR(t.steal_s, 0.03));
    CHECK(NEAR(t.idle_s, (20436 + 232 + 20315 + 84) / 100.0));

    hs_cpu_times_parse(STAT, ten, 1, 250, &t);
    CHECK_EQ_INT(t.ok, 1);
    CHECK(NEAR(t.busy_s, 5 / 250.0));

    hs_cpu_times_parse(STAT, missing, 2, 100, &t);
    CHECK_EQ_INT(t.ok, 0);
    CHECK(t.busy_s == 0 && t.idle_s == 0); /* no partial sums */
    hs_cpu_times_parse(STAT, one, 0, 100, &t);
    CHECK_EQ_INT(t.ok, 0);
    hs_cpu_times_parse(STAT, one, 1, 0, &t);
    CHECK_EQ_INT(t.ok, 0);
    hs_cpu_times_parse("cpu1 1 2 3\n", one, 1, 100, &t); /* too few fields */
    CHECK_EQ_INT(t.ok, 0);
    hs_cpu_times_parse("cpu1 1 2 3 4 5 6 7\n", one, 1, 100, &t); /* an old kernel's */
    CHECK_EQ_INT(t.ok, 1);
    CHECK(NEAR(t.busy_s, (1 + 2 + 3 + 6 + 7) / 100.0));
    CHECK(NEAR(t.idle_s, 0.09));
    hs_cpu_times_parse("cpu1 1 2 3 4 5 6 7 8 9 10", one, 1, 100, &t); /* cut: no newline */
    CHECK_EQ_INT(t.ok, 0);
}

static void test_cpu_max_parse(void) {
    double c = 42;
    CHECK_EQ_INT(hs_cpu_max_parse("max 100000", &c), 0);
    CHECK(c == 0);
    CHECK_EQ_INT(hs_cpu_max_parse("150000 100000\n", &c), 0);
    CHECK(NEAR(c, 1.5));
    CHECK_EQ_INT(hs_cpu_max_parse("50000 100000\n", &c), 0);
    CHECK(NEAR(c, 0.5));
    c = 42;
    const char *bad[] = {"garbage", "", "\n", "max", "150000", "150000 0", "-5 100000",
                         "150000 100000 7", "max max", "1.5 100000", "0 100000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(hs_cpu_max_parse(bad[i], &c), -1);
    CHECK(c == 42);
}

/* Every parser on every prefix of its text, each in a buffer of exactly
 * that size so ASan stops a read past the NUL. A cut text may lose a
 * value, but what it still gives must be the whole text's value. */
static void test_truncations(void) {
    static const char *const names[] = {"ListenOverflows", "TCPOrigDataSent", "InOctets",
                                        "MaxConn", "ActiveOpens", "InErrors"};
    static const char *const prefixes[] = {"TcpExt", "Tcp", "IpExt", "Udp"};
    const char *texts[] = {NETSTAT, SNMP, STAT, "150000 100000\n", "94694116 9274444 194\n"};
    const int cpus[] = {0, 1, 10};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        size_t full = strlen(texts[k]);
        hs_cpu_times whole;
        hs_cpu_times_parse(texts[k], cpus, 3, 100, &whole);
        for (size_t len = 0; len <= full; len++) {
            char *cut = malloc(len + 1);
            CHECK(cut != NULL);
            memcpy(cut, texts[k], len);
            cut[len] = '\0';
            for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++)
                for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
                    long long a, b;
                    if (hs_net_counter_parse(cut, prefixes[p], names[n], &a) != 0) continue;
                    CHECK_EQ_INT(hs_net_counter_parse(texts[k], prefixes[p], names[n], &b), 0);
                    CHECK_EQ_INT(a, b);
                }
            hs_cpu_times t;
            hs_cpu_times_parse(cut, cpus, 3, 100, &t);
            if (t.ok) CHECK(whole.ok && t.busy_s == whole.busy_s && t.idle_s == whole.idle_s);
            double c;
            (void)hs_cpu_max_parse(cut, &c);
            long long run, wait; /* a cut line is no reading, never a smaller one */
            if (hs_schedstat_parse(cut, &run, &wait) == 0) CHECK_EQ_INT(len, full);
            free(cut);
        }
    }
}

/* ---- the live process tree ---- */

/* Burns `seconds` of this thread's CPU time, however long that takes on a
 * busy machine. */
static void spin_cpu(double seconds) {
    struct timespec t0, t;
    volatile unsigned long x = 0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    do {
        for (int i = 0; i < 100000; i++) x += (unsigned long)i * 7;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

static void put(int fd, char c) { CHECK(write(fd, &c, 1) == 1); }

static char get(int fd) {
    char c = 0;
    CHECK(read(fd, &c, 1) == 1);
    return c;
}

/* Blocks until the test's end of quit_fd closes (or the test dies). */
static void wait_quit(int quit_fd) {
    char c;
    while (read(quit_fd, &c, 1) > 0) {
    }
}

typedef struct {
    pthread_barrier_t started, spun;
    int quit_fd;
} spinners;

static void *spinner(void *arg) {
    spinners *s = arg;
    pthread_barrier_wait(&s->started);
    spin_cpu(0.2);
    pthread_barrier_wait(&s->spun);
    wait_quit(s->quit_fd); /* stay alive, idle, until the test has looked */
    return NULL;
}

/* The child: forks a sleeping grandchild, tells the test its pid
 * ('ready'), waits for 'go', then runs two spinner threads, saying 'T'
 * once they run and 'S' once they have spun; all of them leave when the
 * test closes the quit pipe. */
static void child_main(int ready_fd, int go_fd, int quit_fd) {
    pid_t g = fork();
    if (g == 0) {
        close(ready_fd), close(go_fd);
        wait_quit(quit_fd);
        _exit(0);
    }
    if (g < 0 || write(ready_fd, &g, sizeof g) != (ssize_t)sizeof g) _exit(2);
    if (get(go_fd) != 'G') _exit(2);
    spinners s = {.quit_fd = quit_fd};
    pthread_barrier_init(&s.started, NULL, 3);
    pthread_barrier_init(&s.spun, NULL, 3);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, spinner, &s) != 0) _exit(2);
    pthread_barrier_wait(&s.started);
    put(ready_fd, 'T');
    pthread_barrier_wait(&s.spun);
    put(ready_fd, 'S');
    wait_quit(quit_fd);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    int status;
    waitpid(g, &status, 0);
    _exit(0);
}

static int tree_has(const hs_proc_tree *t, pid_t pid) {
    for (int i = 0; i < t->processes; i++)
        if (t->pid[i] == pid) return 1;
    return 0;
}

static void test_proc_tree(void) {
    int ready[2], go[2], quit[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0 && pipe(quit) == 0);
    fflush(stdout); /* or the child would print our buffer again */
    pid_t c = fork();
    CHECK(c >= 0);
    if (c == 0) {
        close(ready[0]), close(go[1]), close(quit[1]);
        child_main(ready[1], go[0], quit[0]);
    }
    close(ready[1]), close(go[0]), close(quit[0]);
    pid_t g;
    CHECK(read(ready[0], &g, sizeof g) == (ssize_t)sizeof g);

    hs_proc_tree before, during, after;
    CHECK_EQ_INT(hs_proc_tree_read(c, &before), 0);
    CHECK(before.processes >= 2);
    CHECK_EQ_INT(before.pid[0], c);
    CHECK(tree_has(&before, g));
    CHECK(before.threads >= 2); /* child and grandchild, one thread each */
    CHECK(before.rss_kib > 0);
    CHECK(before.user_s >= 0 && before.sys_s >= 0);

    put(go[1], 'G');
    CHECK(get(ready[0]) == 'T');
    CHECK_EQ_INT(hs_proc_tree_read(c, &during), 0);
    CHECK(during.threads >= 3); /* the spinners are running now */
    CHECK(tree_has(&during, g));

    CHECK(get(ready[0]) == 'S');
    CHECK_EQ_INT(hs_proc_tree_read(c, &after), 0);
    CHECK(after.processes >= 2 && after.threads >= 3);
    double cpu0 = before.user_s + before.sys_s, cpu1 = after.user_s + after.sys_s;
    CHECK(cpu1 > cpu0);
    CHECK_EQ_INT(after.ignores_sigchld, 0);
    printf("tree of %d: %d processes, %ld threads, %ld KiB, cpu %.2f -> %.2f s\n",
           (int)c, after.processes, after.threads, after.rss_kib, cpu0, cpu1);

    long threads = -1, rss = -1;
    CHECK_EQ_INT(hs_proc_tree_threads(&after, &threads, &rss), 0);
    CHECK(threads >= 3 && rss > 0);

    close(quit[1]);
    int status;
    CHECK(waitpid(c, &status, 0) == c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hs_proc_tree gone;
    CHECK_EQ_INT(hs_proc_tree_read(c, &gone), -ESRCH);
    CHECK_EQ_INT(gone.processes, 0);
    CHECK_EQ_INT(hs_proc_tree_threads(&after, &threads, &rss), -ESRCH);
    CHECK_EQ_INT(threads, 0);
    close(ready[0]), close(go[1]);

    /* This test itself: no children left, one thread. */
    hs_proc_tree self;
    CHECK_EQ_INT(hs_proc_tree_read(getpid(), &self), 0);
    CHECK_EQ_INT(self.processes, 1);
    CHECK_EQ_INT(self.pid[0], getpid());
    CHECK(self.threads >= 1);
}

/* More children than HS_PROC_MAX: the tree stops at the cap, root first,
 * each process once. */
static void test_proc_tree_cap(void) {
    enum { N = HS_PROC_MAX + 6 };
    pid_t kids[N];
    int quit[2];
    CHECK(pipe(quit) == 0);
    fflush(stdout);
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        CHECK(kids[i] >= 0);
        if (kids[i] == 0) {
            close(quit[1]);
            wait_quit(quit[0]);
            _exit(0);
        }
    }
    close(quit[0]);
    hs_proc_tree t;
    CHECK_EQ_INT(hs_proc_tree_read(getpid(), &t), 0);
    CHECK_EQ_INT(t.processes, HS_PROC_MAX);
    CHECK_EQ_INT(t.truncated, 1);
    CHECK_EQ_INT(t.pid[0], getpid());
    for (int i = 1; i < t.processes; i++) {
        int ours = 0;
        for (int k = 0; k < N; k++) ours |= t.pid[i] == kids[k];
        CHECK(ours);
        for (int j = 0; j < i; j++) CHECK(t.pid[i] != t.pid[j]);
    }
    CHECK(t.threads >= HS_PROC_MAX);
    close(quit[1]);
    for (int i = 0; i < N; i++) CHECK(waitpid(kids[i], NULL, 0) == kids[i]);
}

/* A child's CPU time stays in the tree after it exits: the parent that
 * reaped it holds it (cutime), so a forking server's work is not lost. Each
 * live thread is visited once with its context switch counts. */
static void *sleeper(void *arg) {
    wait_quit(*(int *)arg);
    return NULL;
}

static int threads_seen;
static void count_thread(void *arg, const hs_thread_reading *r) {
    (void)arg;
    CHECK(r->tid > 0 && r->voluntary >= 0 && r->involuntary >= 0);
    /* this kernel keeps them (CONFIG_SCHED_INFO); a thread that has not
     * yet run (on a busy machine it may still wait for a CPU) shows 0 */
    CHECK(hs_schedstat_kept());
    CHECK(r->run_ns >= 0 && r->wait_ns >= 0);
    threads_seen++;
}

static void test_reaped_child_cpu(void) {
    int ready[2], quit[2];
    CHECK(pipe(ready) == 0 && pipe(quit) == 0);
    fflush(stdout);
    pid_t c = fork();
    CHECK(c >= 0);
    if (c == 0) {
        close(ready[0]), close(quit[1]);
        pid_t g = fork();
        if (g == 0) {
            spin_cpu(0.3);
            _exit(0);
        }
        if (g < 0 || waitpid(g, NULL, 0) != g) _exit(2);
        pthread_t th;
        if (pthread_create(&th, NULL, sleeper, &quit[0]) != 0) _exit(2);
        put(ready[1], 'R');
        pthread_join(th, NULL);
        _exit(0);
    }
    close(ready[1]), close(quit[0]);
    CHECK_EQ_INT(get(ready[0]), 'R');
    hs_proc_tree t;
    CHECK_EQ_INT(hs_proc_tree_read(c, &t), 0);
    CHECK_EQ_INT(t.processes, 1);
    CHECK_EQ_INT(t.truncated, 0);
    CHECK_EQ_INT(t.ppid[0], getpid());
    printf("reaped child: parent's cpu_s %.2f (user %.2f, sys %.2f)\n", t.cpu_s[0], t.user_s,
           t.sys_s);
    CHECK(t.cpu_s[0] >= 0.2); /* the grandchild's 0.3 s, reaped by c */
    CHECK(t.user_s + t.sys_s >= 0.2);
    threads_seen = 0;
    CHECK_EQ_INT(hs_proc_tree_each_thread(&t, count_thread, NULL), 2);
    CHECK_EQ_INT(threads_seen, 2);
    CHECK_EQ_INT(t.ignores_sigchld, 0);
    close(quit[1]);
    CHECK(waitpid(c, NULL, 0) == c);
    close(ready[0]);

    /* A process that ignores SIGCHLD is marked: its children's time is lost. */
    int r2[2];
    CHECK(pipe(r2) == 0);
    fflush(stdout);
    pid_t d = fork();
    CHECK(d >= 0);
    if (d == 0) {
        signal(SIGCHLD, SIG_IGN);
        put(r2[1], 'R');
        sleep(30); /* killed long before, or gone by itself if the test fails */
        _exit(0);
    }
    CHECK_EQ_INT(get(r2[0]), 'R');
    int read_rc = hs_proc_tree_read(d, &t), ignores = t.ignores_sigchld;
    kill(d, SIGKILL);
    CHECK(waitpid(d, NULL, 0) == d);
    close(r2[0]), close(r2[1]);
    CHECK_EQ_INT(read_rc, 0);
    CHECK_EQ_INT(ignores, 1);
}

/* ---- CPUs, /proc/stat, TCP ---- */

/* Three threads spinning on one CPU: each waits for it while another
 * runs, and the scheduler's account says so. */
static void *spin_forever(void *arg) {
    (void)arg;
    volatile unsigned long x = 0;
    for (;;) x++; /* until the process is killed */
    return NULL;
}
static long long waited_ns, ran_ns;
static void sum_sched(void *arg, const hs_thread_reading *r) {
    (void)arg;
    waited_ns += r->wait_ns, ran_ns += r->run_ns;
}
static void test_cpu_wait(void) {
    int ready[2];
    CHECK(pipe(ready) == 0);
    fflush(stdout);
    pid_t c = fork();
    CHECK(c >= 0);
    if (c == 0) {
        close(ready[0]);
        alarm(30); /* never outlive a test that failed before killing it */
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0) _exit(2);
        pthread_t th[3];
        for (int i = 0; i < 3; i++)
            if (pthread_create(&th[i], NULL, spin_forever, NULL) != 0) _exit(2);
        put(ready[1], 'R');
        pause(); /* killed by the parent */
        _exit(0);
    }
    close(ready[1]);
    CHECK_EQ_INT(get(ready[0]), 'R');
    close(ready[0]);
    usleep(300 * 1000);
    hs_proc_tree t;
    CHECK_EQ_INT(hs_proc_tree_read(c, &t), 0);
    waited_ns = ran_ns = 0;
    CHECK_EQ_INT(hs_proc_tree_each_thread(&t, sum_sched, NULL), 4);
    printf("3 spinners on one CPU: ran %.0f ms, waited %.0f ms\n", ran_ns / 1e6, waited_ns / 1e6);
    CHECK(ran_ns > 0);
    CHECK(waited_ns > 0);
    kill(c, SIGKILL);
    CHECK(waitpid(c, NULL, 0) == c);
}

static void test_cpus(void) {
    hs_cpus all;
    CHECK_EQ_INT(hs_cpus_read(&all), 0);
    CHECK(all.affinity >= 1);
    CHECK(all.online >= all.affinity);
    CHECK(all.available > 0 && all.available <= all.affinity);
    for (int i = 1; i < all.affinity; i++) CHECK(all.affinity_list[i] > all.affinity_list[i - 1]);
    CHECK(all.quota_cores == -1 || all.quota_cores >= 0);
    CHECK(all.quota_note[0] != '\0');
    printf("cpus: online %d, affinity %d, quota %.2f, available %.2f (%s)\n", all.online,
           all.affinity, all.quota_cores, all.available, all.quota_note);

    /* Pinned to one CPU (CPU 0 if we may run there), a child sees that one. */
    int cpu = all.affinity_list[0];
    fflush(stdout); /* or the child would print our buffer again */
    pid_t c = fork();
    CHECK(c >= 0);
    if (c == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        CHECK(sched_setaffinity(0, sizeof set, &set) == 0);
        hs_cpus one;
        CHECK_EQ_INT(hs_cpus_read(&one), 0);
        CHECK_EQ_INT(one.affinity, 1);
        CHECK_EQ_INT(one.affinity_list[0], cpu);
        CHECK(one.available > 0 && one.available <= 1);
        hs_cpu_times t;
        CHECK_EQ_INT(hs_cpu_times_read(&one, &t), 0);
        CHECK_EQ_INT(t.ok, 1);
        exit(0);
    }
    int status;
    CHECK(waitpid(c, &status, 0) == c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_cpu_times(void) {
    hs_cpus cpus;
    CHECK_EQ_INT(hs_cpus_read(&cpus), 0);
    hs_cpu_times a, b;
    CHECK_EQ_INT(hs_cpu_times_read(&cpus, &a), 0);
    CHECK_EQ_INT(a.ok, 1);
    spin_cpu(0.1);
    CHECK_EQ_INT(hs_cpu_times_read(&cpus, &b), 0);
    CHECK_EQ_INT(b.ok, 1);
    CHECK(b.busy_s >= a.busy_s && b.idle_s >= a.idle_s && b.steal_s >= a.steal_s);
    printf("cpu times over %d CPUs: busy +%.2f s, idle +%.2f s, steal +%.2f s\n",
           cpus.affinity, b.busy_s - a.busy_s, b.idle_s - a.idle_s, b.steal_s - a.steal_s);

    hs_cpus absent = cpus; /* a CPU /proc/stat has no line for */
    absent.affinity = 1, absent.affinity_list[0] = 1023;
    CHECK_EQ_INT(hs_cpu_times_read(&absent, &a), 0);
    CHECK_EQ_INT(a.ok, 0);
}

static void test_tcp_counters(void) {
    hs_tcp_counters a, b;
    CHECK_EQ_INT(hs_tcp_counters_read(&a), 0);
    const long long *fields = (const long long *)&a;
    for (size_t i = 0; i < sizeof a / sizeof *fields; i++) CHECK(fields[i] >= 0);

    /* One loopback connection: an active open here and a passive one. */
    int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0 && s >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    CHECK(bind(l, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(listen(l, 4) == 0);
    CHECK(getsockname(l, (struct sockaddr *)&addr, &len) == 0);
    CHECK(connect(s, (struct sockaddr *)&addr, sizeof addr) == 0);
    int acc = accept(l, NULL, NULL);
    CHECK(acc >= 0);
    CHECK_EQ_INT(hs_tcp_counters_read(&b), 0);
    CHECK(b.active_opens >= a.active_opens + 1);
    CHECK(b.passive_opens >= a.passive_opens + 1);
    printf("tcp: active opens %lld -> %lld, passive %lld -> %lld, listen overflows %lld\n",
           a.active_opens, b.active_opens, a.passive_opens, b.passive_opens,
           b.listen_overflows);
    close(acc), close(s), close(l);
}

int main(void) {
    test_net_counter_parse();
    test_cpu_times_parse();
    test_schedstat_parse();
    test_cpu_max_parse();
    test_truncations();
    test_proc_tree();
    test_proc_tree_cap();
    test_reaped_child_cpu();
    test_cpu_wait();
    test_cpus();
    test_cpu_times();
    test_tcp_counters();
    printf("test_harness_procfs: ok\n");
    return 0;
}
