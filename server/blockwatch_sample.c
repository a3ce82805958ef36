/* blockwatch_sample.c - one stack sample of the loop thread, taken by a
 * signal handler that runs on it.
 *
 * The watchdog marks the slot REQUESTED, sends BW_SIGNAL to the loop
 * thread with tgkill() and waits a bounded time for DONE. The handler
 * interrupts whatever the loop thread is doing (a model call, a futex
 * wait), so it may neither allocate nor lock: it walks the stack with
 * libgcc's _Unwind_Backtrace() into the slot's fixed array and touches
 * nothing else but atomics. That walk is safe here because GCC 12's
 * unwinder finds unwind tables through glibc's _dl_find_object() (glibc
 * >= 2.35), which is async-signal-safe, and takes its own mutex only for
 * frames registered with __register_frame_info(), which nothing in this
 * program does. Its one-time set-up (a pthread_once) is done by a first
 * walk at install, outside any handler.
 *
 * A signal that arrives after the watchdog gave up finds the slot not
 * REQUESTED and returns at once; a sample that the watchdog finds tagged
 * with another stretch than the one it asked about is its to discard.
 */
#include "blockwatch_internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

/* Where a signal interrupted its thread. */
#if defined(__x86_64__)
#define UC_IP(uc) ((uintptr_t)(uc)->uc_mcontext.gregs[REG_RIP])
#elif defined(__aarch64__)
#define UC_IP(uc) ((uintptr_t)(uc)->uc_mcontext.pc)
#else
#error "blockwatch: add this CPU's instruction pointer in ucontext_t"
#endif

/* A real-time signal: queued, unused by libuv, glibc and OpenBLAS. */
#define BW_SIGNAL (SIGRTMIN + 1)
/* How long the watchdog waits for a sample, and then for a handler that
 * has started writing to finish (it only walks a stack). */
#define BW_ANSWER_NS (20 * 1000000L)
#define BW_FINISH_NS (1000 * 1000000L)

enum { SLOT_IDLE, SLOT_REQUESTED, SLOT_WRITING, SLOT_DONE, SLOT_BROKEN };

static struct {
    atomic_int state;
    _Atomic uint64_t *epoch;
    pid_t pid, tid;
    uintptr_t ip;  /* where the handler's thread was interrupted */
    int found_ip;
    bw_sample sample;
    struct sigaction old;
    int installed;
} slot;

/* The loop thread, in the handler. Collects frames from the interrupted
 * one inward-out; the frames of the handler itself and of the signal
 * trampoline come first in the walk and are skipped. */
static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *arg) {
    (void)arg;
    bw_sample *s = &slot.sample;
    int before_insn = 0;
    uintptr_t pc = (uintptr_t)_Unwind_GetIPInfo(ctx, &before_insn);
    if (pc == 0) return _URC_END_OF_STACK;
    if (!slot.found_ip) {
        if (pc != slot.ip) return _URC_NO_REASON;
        slot.found_ip = 1;
        before_insn = 1; /* the interrupted instruction itself */
    }
    if (s->n == BW_MAX_PCS) {
        s->truncated = 1;
        return _URC_END_OF_STACK;
    }
    s->pcs[s->n++] = before_insn ? pc : pc - 1;
    return _URC_NO_REASON;
}

/* The loop thread, interrupted. Async-signal-safe: atomics and the walk. */
static void on_sample_signal(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    (void)si;
    int saved = errno;
    int want = SLOT_REQUESTED;
    if (!atomic_compare_exchange_strong(&slot.state, &want, SLOT_WRITING)) {
        errno = saved;
        return;
    }
    const ucontext_t *uc = ucv;
    slot.ip = UC_IP(uc);
    slot.found_ip = 0;
    slot.sample.n = 0;
    slot.sample.truncated = 0;
    slot.sample.epoch = atomic_load(slot.epoch);
    _Unwind_Backtrace(collect, NULL);
    if (!slot.found_ip) {
        /* The walk did not get through the signal frame: keep at least
         * where the thread was. */
        slot.sample.pcs[0] = slot.ip;
        slot.sample.n = 1;
        slot.sample.truncated = 1;
    }
    atomic_store(&slot.state, SLOT_DONE);
    errno = saved;
}

static _Unwind_Reason_Code count_frame(struct _Unwind_Context *ctx, void *arg) {
    (void)ctx;
    ++*(int *)arg;
    return _URC_NO_REASON;
}

int bw_sample_install(pid_t tid, _Atomic uint64_t *epoch) {
    if (slot.installed) return -EBUSY;
    int frames = 0;
    _Unwind_Backtrace(count_frame, &frames);
    slot.epoch = epoch;
    slot.pid = getpid();
    slot.tid = tid;
    atomic_store(&slot.state, SLOT_IDLE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sample_signal;
    /* Restart what the signal interrupts (reads, writes, waits): the
     * sample must not change what the loop does. */
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    if (sigaction(BW_SIGNAL, &sa, &slot.old) != 0) return -errno;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, BW_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    slot.installed = 1;
    return 0;
}

void bw_sample_uninstall(void) {
    if (!slot.installed) return;
    /* A signal still queued for this thread must find a handler that does
     * nothing rather than the default action, which ends the process. */
    atomic_store(&slot.state, SLOT_BROKEN);
    slot.installed = 0;
}

static void nap(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

static long elapsed_ns(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

/* Watchdog thread. */
int bw_sample_take(bw_sample *out) {
    int want = SLOT_IDLE;
    if (!atomic_compare_exchange_strong(&slot.state, &want, SLOT_REQUESTED))
        return -EAGAIN; /* broken after a handler that never finished */
    if (syscall(SYS_tgkill, slot.pid, slot.tid, BW_SIGNAL) != 0) {
        int rc = -errno;
        atomic_store(&slot.state, SLOT_IDLE);
        return rc;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&slot.state) != SLOT_DONE && elapsed_ns(&start) < BW_ANSWER_NS)
        nap(50 * 1000);
    want = SLOT_REQUESTED;
    if (atomic_compare_exchange_strong(&slot.state, &want, SLOT_IDLE))
        return -ETIMEDOUT; /* withdrawn: a late signal finds IDLE */
    /* The handler has started: it only has a stack to walk. */
    while (atomic_load(&slot.state) == SLOT_WRITING && elapsed_ns(&start) < BW_FINISH_NS)
        nap(50 * 1000);
    if (atomic_load(&slot.state) != SLOT_DONE) {
        /* Never seen; the slot is not reused while a handler may write. */
        atomic_store(&slot.state, SLOT_BROKEN);
        return -ETIMEDOUT;
    }
    *out = slot.sample;
    atomic_store(&slot.state, SLOT_IDLE);
    return 0;
}
