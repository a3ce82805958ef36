/* blockwatch_sample.c - one stack sample of the loop thread, taken by a
 * signal handler that runs on it, and whether one may be taken now.
 *
 * The watchdog marks the slot REQUESTED, sends SIGPROF to the loop thread
 * with tgkill() and waits on a semaphore, for a bounded time, for DONE. The
 * handler interrupts whatever the loop thread is doing (a model call, a
 * futex wait), so it may neither allocate nor lock: it walks the stack
 * with libgcc's _Unwind_Backtrace() into the slot's fixed array and
 * touches nothing but atomics and sem_post(), which is async-signal-safe.
 * The walk is safe here because GCC 12's unwinder finds unwind tables
 * through glibc's _dl_find_object() (glibc >= 2.35, checked by CMake),
 * which is async-signal-safe, and takes its own mutex only for frames
 * registered with __register_frame_info(), which nothing in this program
 * does. Its one-time set-up (a pthread_once) is done by a first walk at
 * install, outside any handler.
 *
 * The walk trusts each frame's unwind tables, and some hand-written code
 * describes itself wrongly at some instructions (OpenBLAS's sgemv_t_HASWELL
 * does: the walk out of it once read an unmapped address and the server
 * died of SIGSEGV). So while the handler walks, a SIGSEGV or SIGBUS on its
 * thread jumps back out of the walk (siglongjmp; the unwinder holds no lock
 * or state to leave behind) and the sample keeps the frames found so far.
 * Any other fault goes to the handler that was there before (the default,
 * or AddressSanitizer's).
 *
 * A signal that arrives after the watchdog gave up finds the slot not
 * REQUESTED and returns at once; a sample tagged with another stretch than
 * the one asked about is the watchdog's to discard.
 *
 * A signal is not harmless to every call it interrupts: SA_RESTART makes
 * the kernel restart reads, writes and lock waits, but sleeps and polls
 * (nanosleep, clock_nanosleep, poll, select, epoll_wait) return early with
 * EINTR whatever the flags. bw_thread_state_of() reads which call the
 * thread is in, so that the watchdog never shortens what it measures.
 */
#include "blockwatch_internal.h"

#include <errno.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* SIGPROF, because it is the one signal libuv can keep blocked while it
 * polls (UV_LOOP_BLOCK_SIGNAL). Profilers that use it (gprof's
 * setitimer) cannot run alongside. */
#define BW_SIGNAL SIGPROF
/* How long the watchdog waits for a sample, and then for a handler that
 * has started writing to finish (it only walks a stack). */
#define BW_ANSWER_NS (20 * 1000000L)
#define BW_FINISH_NS (1000 * 1000000L)

enum { SLOT_IDLE, SLOT_REQUESTED, SLOT_WRITING, SLOT_DONE, SLOT_BROKEN };

static struct {
    atomic_int state;
    _Atomic uint64_t *epoch;
    sem_t done;   /* posted by the handler after each sample it writes */
    pid_t pid, tid;
    uintptr_t ip; /* where the handler's thread was interrupted */
    int found_ip;
    bw_sample sample;
    int installed, sem_ready;
    volatile sig_atomic_t walking; /* the handler is inside the walk */
    sigjmp_buf walk_fault;         /* where a fault in the walk returns */
    struct sigaction old_segv, old_bus;
    int fault_handlers;
    atomic_uint faults;            /* walks a fault cut short */
} slot;

int bw_sample_signal(void) { return BW_SIGNAL; }

unsigned bw_sample_faults(void) { return atomic_load(&slot.faults); }

/* The loop thread, in the handler. Collects frames from the interrupted
 * one outwards; the frames of the handler itself and of the signal
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

/* The loop thread, interrupted. Async-signal-safe: atomics, the walk and
 * sem_post(). */
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
    if (sigsetjmp(slot.walk_fault, 1) == 0) {
        slot.walking = 1;
        _Unwind_Backtrace(collect, NULL);
    } else {
        slot.sample.truncated = 1; /* bad unwind tables: keep what we have */
        atomic_fetch_add(&slot.faults, 1);
    }
    slot.walking = 0;
    if (!slot.found_ip) {
        /* The walk did not get through the signal frame: keep at least
         * where the thread was. */
        slot.sample.pcs[0] = slot.ip;
        slot.sample.n = 1;
        slot.sample.truncated = 1;
    }
    atomic_store(&slot.state, SLOT_DONE);
    sem_post(&slot.done);
    errno = saved;
}

/* A fault. Inside the walk, on the thread walking: back out of it. Else
 * whoever handled it before us does (the default action re-faults and
 * dumps core as if we were not here). */
static void on_fault(int sig, siginfo_t *si, void *uc) {
    if (slot.walking && (pid_t)syscall(SYS_gettid) == slot.tid)
        siglongjmp(slot.walk_fault, 1);
    const struct sigaction *old = sig == SIGSEGV ? &slot.old_segv : &slot.old_bus;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, si, uc);
    } else if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
        signal(sig, SIG_DFL); /* returning re-runs the faulting instruction */
    } else {
        old->sa_handler(sig);
    }
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
    if (!slot.sem_ready) {
        if (sem_init(&slot.done, 0, 0) != 0) return -errno;
        slot.sem_ready = 1; /* kept for the process's life, like the handler */
    }
    while (sem_trywait(&slot.done) == 0) {
    }
    slot.epoch = epoch;
    slot.pid = getpid();
    slot.tid = tid;
    atomic_store(&slot.state, SLOT_IDLE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sample_signal;
    /* Restart what the signal interrupts where the kernel can (reads,
     * writes, lock waits); the watchdog does not signal a thread in a call
     * that cannot be restarted. */
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    /* Everything blocked while it runs but the faults on_fault() catches:
     * a fault with its signal blocked kills the process outright. */
    sigfillset(&sa.sa_mask);
    sigdelset(&sa.sa_mask, SIGSEGV);
    sigdelset(&sa.sa_mask, SIGBUS);
    if (!slot.fault_handlers) {
        struct sigaction fault;
        memset(&fault, 0, sizeof fault);
        fault.sa_sigaction = on_fault;
        fault.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&fault.sa_mask);
        if (sigaction(SIGSEGV, &fault, &slot.old_segv) != 0 ||
            sigaction(SIGBUS, &fault, &slot.old_bus) != 0)
            return -errno;
        slot.fault_handlers = 1; /* kept for the process's life */
    }
    if (sigaction(BW_SIGNAL, &sa, NULL) != 0) return -errno;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, BW_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    slot.installed = 1;
    return 0;
}

void bw_sample_uninstall(void) {
    if (!slot.installed) return;
    /* The handler stays: a signal still queued for this thread must find
     * one that does nothing (SIGPROF's default action ends the process). */
    atomic_store(&slot.state, SLOT_BROKEN);
    slot.installed = 0;
}

/* Waits for the handler's post until ns from now; 0 if it came. */
static int wait_done(long ns) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += ns % 1000000000L;
    until.tv_sec += ns / 1000000000L + until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (sem_clockwait(&slot.done, CLOCK_MONOTONIC, &until) != 0)
        if (errno != EINTR) return -1;
    return 0;
}

/* Watchdog thread. */
int bw_sample_take(bw_sample *out) {
    int want = SLOT_DONE;
    /* A handler that finished after we gave up on it: the slot is free
     * again, and its post is spent. */
    if (atomic_compare_exchange_strong(&slot.state, &want, SLOT_IDLE))
        while (sem_trywait(&slot.done) == 0) {
        }
    want = SLOT_IDLE;
    if (!atomic_compare_exchange_strong(&slot.state, &want, SLOT_REQUESTED))
        return -EAGAIN; /* a handler is still writing, or not installed */
    if (syscall(SYS_tgkill, slot.pid, slot.tid, BW_SIGNAL) != 0) {
        int rc = -errno;
        atomic_store(&slot.state, SLOT_IDLE);
        return rc;
    }
    if (wait_done(BW_ANSWER_NS) != 0) {
        want = SLOT_REQUESTED;
        if (atomic_compare_exchange_strong(&slot.state, &want, SLOT_IDLE))
            return -ETIMEDOUT; /* withdrawn: a late signal finds IDLE */
        /* The handler has started: it only has a stack to walk. */
        if (wait_done(BW_FINISH_NS) != 0) return -ETIMEDOUT; /* reclaimed later */
    }
    *out = slot.sample;
    atomic_store(&slot.state, SLOT_IDLE);
    return 0;
}

/* ---- what the thread is doing ------------------------------------------ */

typedef struct {
    long nr;
    const char *name;
} call_name;

/* Calls a signal handler ends early (EINTR) even with SA_RESTART, as
 * signal(7) lists them; socket calls with a timeout set are among them
 * too, but cannot be told apart here. */
static const call_name cut_short[] = {
#ifdef SYS_nanosleep
    {SYS_nanosleep, "nanosleep"},
#endif
    {SYS_clock_nanosleep, "clock_nanosleep"},
#ifdef SYS_poll
    {SYS_poll, "poll"},
#endif
    {SYS_ppoll, "ppoll"},
#ifdef SYS_select
    {SYS_select, "select"},
#endif
    {SYS_pselect6, "pselect6"},
#ifdef SYS_epoll_wait
    {SYS_epoll_wait, "epoll_wait"},
#endif
    {SYS_epoll_pwait, "epoll_pwait"},
#ifdef SYS_pause
    {SYS_pause, "pause"},
#endif
    {SYS_rt_sigsuspend, "rt_sigsuspend"},
    {SYS_rt_sigtimedwait, "rt_sigtimedwait"},
#ifdef SYS_semop
    {SYS_semop, "semop"},
#endif
    {SYS_semtimedop, "semtimedop"},
    {SYS_msgrcv, "msgrcv"},
    {SYS_msgsnd, "msgsnd"},
    {SYS_io_getevents, "io_getevents"},
};

static int is_epoll_wait(long nr) {
#ifdef SYS_epoll_wait
    if (nr == SYS_epoll_wait) return 1;
#endif
#ifdef SYS_epoll_pwait2
    if (nr == SYS_epoll_pwait2) return 1;
#endif
    return nr == SYS_epoll_pwait;
}

bw_thread_state bw_thread_state_of(int syscall_fd, int backend_fd, char *call, size_t size) {
    if (syscall_fd < 0) return BW_THREAD_UNKNOWN;
    char buf[256];
    ssize_t n = pread(syscall_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return BW_THREAD_UNKNOWN;
    buf[n] = '\0';
    /* "running", or "-1 sp pc" (blocked outside a call, e.g. a page
     * fault), or "NR arg1 ... arg6 sp pc" inside call NR. */
    if (strncmp(buf, "running", 7) == 0) return BW_THREAD_RUNNING;
    char *end;
    long nr = strtol(buf, &end, 10);
    if (end == buf) return BW_THREAD_UNKNOWN;
    if (nr < 0) return BW_THREAD_RUNNING;
    unsigned long arg1 = strtoul(end, NULL, 16);
    if (is_epoll_wait(nr) && (int)arg1 == backend_fd) return BW_THREAD_POLLING;
    for (size_t i = 0; i < sizeof cut_short / sizeof cut_short[0]; i++) {
        if (cut_short[i].nr != nr) continue;
        snprintf(call, size, "%s", cut_short[i].name);
        return BW_THREAD_ASLEEP;
    }
    return BW_THREAD_RUNNING; /* a call SA_RESTART restarts */
}
