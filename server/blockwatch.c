/* blockwatch.c - the detector's lifetime, and the loop's side of it: where
 * the loop is.
 *
 * A prepare handle runs just before the loop polls for I/O and a check
 * handle just after the callbacks of that poll; with the loop's idle-time
 * metric on (UV_METRICS_IDLE_TIME), libuv counts the time spent waiting
 * inside the poll. So at any moment the time since the loop last polled is
 * known to the watchdog without the loop doing anything per callback:
 *   after prepare: (now - prepare) - (idle time added since prepare)
 *   after check:   (busy at check) + (now - check)
 * A stretch ends at the next prepare, which advances the stretch number
 * (the epoch) and, for stretches long enough to matter, records the exact
 * length and how long of it the loop thread waited for a core. The kernel
 * counts that wait per thread, but it can only be read at prepare, so the
 * count since the previous prepare also holds the wait to be woken from
 * the poll; the time the thread was on a core is read too, and the wait
 * taken as no more than the stretch minus that time. It errs towards
 * starvation, never towards a block.
 * This relies on uv_run(UV_RUN_DEFAULT): time between two uv_run() calls
 * would count as busy.
 */
#include "blockwatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int detector_running;

/* Loop thread. schedstat's "on-cpu ns, run-queue ns, timeslices"; zeros
 * when unknown. */
static void read_schedstat(const blockwatch *bw, uint64_t *cpu_ns, uint64_t *rq_ns) {
    *cpu_ns = *rq_ns = 0;
    if (bw->schedstat_fd < 0) return;
    char buf[128];
    ssize_t n = pread(bw->schedstat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return;
    buf[n] = '\0';
    unsigned long long cpu = 0, rq = 0;
    if (sscanf(buf, "%llu %llu", &cpu, &rq) != 2) return;
    *cpu_ns = cpu, *rq_ns = rq;
}

uint64_t bw_busy_locked(const blockwatch *bw, uint64_t now_ns, uint64_t idle_ns) {
    if (!bw->polling) return bw->busy_at_check_ns + (now_ns - bw->since_ns);
    uint64_t span = now_ns - bw->since_ns;
    uint64_t idled = idle_ns - bw->idle_base_ns;
    return span > idled ? span - idled : 0;
}

/* Loop thread, just before the loop polls: the stretch ends here. The
 * epoch moves first, so that a sample taken from here on belongs to the
 * next stretch and is not blamed on this code. The run-queue file is read
 * every iteration (about a microsecond): the wait that counts for a
 * stretch is the one since the loop last went to poll. */
static void on_prepare(uv_prepare_t *h) {
    blockwatch *bw = container_of(h, blockwatch, prepare);
    uint64_t ended_epoch = atomic_fetch_add(&bw->epoch, 1);
    uint64_t cpu, rq;
    read_schedstat(bw, &cpu, &rq);
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    uint64_t dur = bw_busy_locked(bw, now, idle);
    if (dur >= bw->watch_from_ns) {
        bw_ended *e = &bw->ended[bw->n_ended % BW_ENDED];
        e->epoch = ended_epoch;
        e->end_ns = now;
        e->dur_ns = dur;
        uint64_t waited = rq > bw->rq_base_ns ? rq - bw->rq_base_ns : 0;
        uint64_t ran = cpu > bw->cpu_base_ns ? cpu - bw->cpu_base_ns : 0;
        uint64_t not_ran = dur > ran ? dur - ran : 0;
        e->rq_ns = waited < not_ran ? waited : not_ran;
        bw->n_ended++;
    }
    bw->polling = 1;
    bw->since_ns = now;
    bw->idle_base_ns = idle;
    bw->rq_base_ns = rq;
    bw->cpu_base_ns = cpu;
    pthread_mutex_unlock(&bw->mu);
}

/* Loop thread, after the poll's callbacks; the stretch goes on through
 * the next iteration's timers until prepare. */
static void on_check(uv_check_t *h) {
    blockwatch *bw = container_of(h, blockwatch, check);
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    bw->busy_at_check_ns = bw_busy_locked(bw, now, idle);
    bw->polling = 0;
    bw->since_ns = now;
    pthread_mutex_unlock(&bw->mu);
}

static int open_task_file(const blockwatch *bw, const char *name) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)bw->tid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && bw->log)
        fprintf(bw->log, "%sblock detector: %s: %s; %s\n", bw->log_prefix, path,
                strerror(errno),
                strcmp(name, "schedstat") == 0
                    ? "waiting for a core will count as blocking"
                    : "the loop thread will be sampled whatever it waits in");
    return fd;
}

static void destroy(blockwatch *bw) {
    if (bw->schedstat_fd >= 0) close(bw->schedstat_fd);
    if (bw->syscall_fd >= 0) close(bw->syscall_fd);
    bw_symbols_free(bw->symbols);
    pthread_mutex_destroy(&bw->mu);
    pthread_mutex_destroy(&bw->results_mu);
    free(bw);
    atomic_store(&detector_running, 0);
}

int blockwatch_start(uv_loop_t *loop, const blockwatch_options *opts,
                     blockwatch **out) {
    if (opts->threshold_ms < 1 || opts->threshold_ms > 60000) return -EINVAL;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&detector_running, &expected, 1))
        return -EBUSY;
    blockwatch *bw = calloc(1, sizeof *bw);
    if (!bw) {
        atomic_store(&detector_running, 0);
        return -ENOMEM;
    }
    int rc;
    bw->loop = loop;
    bw->threshold_ms = opts->threshold_ms;
    bw->threshold_ns = (uint64_t)opts->threshold_ms * 1000000u;
    bw->watch_from_ns = bw->threshold_ns / 2;
    bw->tick_ns = bw->threshold_ns / 4;
    if (bw->tick_ns < 1000000u) bw->tick_ns = 1000000u;
    if (bw->tick_ns > 100000000u) bw->tick_ns = 100000000u;
    bw->log = opts->log;
    snprintf(bw->log_prefix, sizeof bw->log_prefix, "%s",
             opts->log_prefix ? opts->log_prefix : "");
    bw->tid = (pid_t)syscall(SYS_gettid);
    bw->backend_fd = uv_backend_fd(loop);
    pthread_mutex_init(&bw->mu, NULL);
    pthread_mutex_init(&bw->results_mu, NULL);
    bw->schedstat_fd = open_task_file(bw, "schedstat");
    bw->syscall_fd = open_task_file(bw, "syscall");

    rc = bw_symbols_new(opts->source_dir, opts->blame_dir, &bw->symbols);
    if (rc) goto fail;
    /* Reading the debug information takes tens of milliseconds the first
     * time; done here, before serving (and before the watchdog, which owns
     * the symbols from then on, exists), the first report does not make
     * the watchdog miss the blocks that follow. */
    bw_symbols_warm_up(bw->symbols);
    rc = uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
    /* A sampling signal that comes late, when the loop is back in its
     * poll, waits until the poll returns: interrupting it would make libuv
     * lose the idle time counted so far. */
    if (rc == 0) rc = uv_loop_configure(loop, UV_LOOP_BLOCK_SIGNAL, bw_sample_signal());
    if (rc) goto fail;
    rc = bw_sample_install(bw->tid, &bw->epoch);
    if (rc) goto fail;

    bw->mono0_ns = uv_hrtime();
    clock_gettime(CLOCK_REALTIME, &bw->wall0);
    bw->since_ns = bw->mono0_ns; /* start-up counts until the first poll */
    read_schedstat(bw, &bw->cpu_base_ns, &bw->rq_base_ns);

    /* The watchdog takes no signals: SIGTERM/SIGINT are the loop's, and
     * the sampling signal is sent to the loop thread only. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = -pthread_create(&bw->thread, NULL, bw_watchdog_main, bw);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        bw_sample_uninstall();
        goto fail;
    }
    bw->thread_started = 1;

    uv_prepare_init(loop, &bw->prepare);
    uv_prepare_start(&bw->prepare, on_prepare);
    uv_unref((uv_handle_t *)&bw->prepare);
    uv_check_init(loop, &bw->check);
    uv_check_start(&bw->check, on_check);
    uv_unref((uv_handle_t *)&bw->check);
    *out = bw;
    return 0;
fail:
    destroy(bw);
    return rc;
}

void blockwatch_close(blockwatch *bw) {
    if (!bw || bw->closed) return;
    bw->closed = 1;
    atomic_store(&bw->closing, 1);
    uv_close((uv_handle_t *)&bw->prepare, NULL);
    uv_close((uv_handle_t *)&bw->check, NULL);
}

void blockwatch_free(blockwatch *bw) {
    if (!bw) return;
    if (!bw->closed) abort(); /* its handles would outlive it */
    atomic_store(&bw->stop, 1);
    if (bw->thread_started) pthread_join(bw->thread, NULL);
    bw_sample_uninstall();
    destroy(bw);
}

int blockwatch_threshold_ms(const blockwatch *bw) { return bw->threshold_ms; }
