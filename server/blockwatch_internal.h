/* blockwatch_internal.h - what the blockwatch*.c files share; not a public
 * interface (blockwatch.h is).
 *
 *   blockwatch.c          lifetime, and the loop's side: where it is
 *   blockwatch_watchdog.c the watchdog thread: tracking, sampling, verdicts
 *   blockwatch_results.c  what was found: tallies, kept reports, JSON
 *   blockwatch_sample.c   one stack sample, by a signal, and whether one
 *                         may be taken now
 *   blockwatch_symbols.c  program counters to function, file and line
 *   blockwatch_report.c   a report as text and as JSON
 */
#ifndef MINISERVE_BLOCKWATCH_INTERNAL_H
#define MINISERVE_BLOCKWATCH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "blockwatch.h"

#define container_of(ptr, type, member)                                      \
    ((type *)((char *)(ptr)-offsetof(type, member)))

/* ---- blockwatch_sample.c: stack samples taken by a signal --------------- */

#define BW_MAX_PCS 64

typedef struct {
    /* Innermost first. pcs[0] is where the loop thread was interrupted;
     * the others are return addresses minus one, so that each points into
     * its call instruction and resolves to the line of the call. */
    uintptr_t pcs[BW_MAX_PCS];
    int n;
    int truncated;  /* the stack had more frames */
    uint64_t epoch; /* the loop's stretch when the sample was taken */
} bw_sample;

/* What the loop thread is doing, from /proc/self/task/TID/syscall. */
typedef enum {
    BW_THREAD_RUNNING,  /* in user code, or in a call a signal restarts:
                           safe to sample */
    BW_THREAD_POLLING,  /* waiting in the loop's own epoll: idle */
    BW_THREAD_ASLEEP,   /* in a call a signal would cut short (a sleep,
                           poll): not to be sampled */
    BW_THREAD_UNKNOWN,  /* the file could not be read: sample anyway */
} bw_thread_state;

/* Loop thread. Installs the sampling signal's handler for this thread
 * (tid) and warms up the unwinder, so that its one-time set-up does not
 * first run inside the handler. epoch is read by the handler to tag each
 * sample with the stretch it belongs to. Returns 0, -EBUSY if installed
 * already, or a negative errno. */
int bw_sample_install(pid_t tid, _Atomic uint64_t *epoch);
/* Loop thread, after the watchdog has stopped asking. */
void bw_sample_uninstall(void);
/* The signal the handler answers; libuv is told to block it while it
 * polls, so that a late one never interrupts an idle loop. */
int bw_sample_signal(void);
/* Any thread. Stack walks cut short by a fault, in this process so far. */
unsigned bw_sample_faults(void);
/* Watchdog thread. Signals the loop thread and waits (bounded) for its
 * stack. Returns 0 with *out filled, -ETIMEDOUT if the handler did not
 * answer in time (the request is withdrawn; a late signal does nothing),
 * or a negative errno if the signal could not be sent. */
int bw_sample_take(bw_sample *out);
/* Any thread. What the thread behind syscall_fd (an open
 * /proc/self/task/TID/syscall) is doing; backend_fd is the loop's epoll
 * descriptor. For BW_THREAD_ASLEEP, call (size bytes) gets the name of the
 * call, e.g. "clock_nanosleep". */
bw_thread_state bw_thread_state_of(int syscall_fd, int backend_fd, char *call, size_t size);

/* ---- blockwatch_symbols.c: program counters to function, file and line ---- */

typedef struct bw_symbols bw_symbols;

/* Returns 0 or a negative errno. Paths are copied. */
int bw_symbols_new(const char *source_dir, const char *blame_dir,
                   bw_symbols **out);
void bw_symbols_free(bw_symbols *s);
/* Reads the debug information now rather than at the first resolve. */
void bw_symbols_warm_up(bw_symbols *s);
/* The thread that owns s (it allocates and reads files). Fills r->frames,
 * n_frames, truncated and blamed from the sample (inlined calls become
 * frames of their own; frames outside main(), the C library's start-up,
 * are left out). Returns 1 if the sample was taken inside the detector
 * itself (blockwatch*.c): it says nothing about what blocked. */
int bw_symbols_resolve(bw_symbols *s, const bw_sample *sample, blockwatch_report *r);

/* ---- blockwatch_report.c ------------------------------------------------ */

/* 1 if a and b are the same place: function, file and line, or, without
 * file and line, function, object and offset. */
int bw_frame_same(const blockwatch_frame *a, const blockwatch_frame *b);
/* A frame as a cJSON object, or NULL when out of memory. */
void *bw_frame_json(const blockwatch_frame *f);
/* Writes ns as seconds with 3 decimals ("0.052s") into buf. */
void bw_format_seconds(uint64_t ns, char *buf, size_t size);
/* Room for any report's text. */
#define BW_TEXT_MAX 32768

/* ---- the detector -------------------------------------------------------- */

/* Long stretches the loop has ended that the watchdog has yet to see. */
#define BW_ENDED 64
/* Samples kept per block (later ones replace earlier ones in turn). */
#define BW_KEEP_SAMPLES 8
/* Distinct blocking frames counted in top_stacks. */
#define BW_TOP 16

typedef struct {
    uint64_t epoch, end_ns, dur_ns;
    uint64_t rq_ns; /* how long of it the loop thread waited for a core
                       (an upper bound; see blockwatch.c) */
} bw_ended;

typedef struct {
    uint64_t id;
    char timestamp[32];
    uint64_t duration_ns, runqueue_ns;
} bw_starve_event;

typedef struct {
    int has_frame;           /* 0: blocks with no sample or no own frame */
    blockwatch_frame frame;  /* the blamed frame */
    uint64_t count, total_ns, first_id;
    int first_had_stack;     /* block first_id was printed with its stack */
} bw_top_stack;

struct blockwatch {
    uv_loop_t *loop;
    uv_prepare_t prepare;
    uv_check_t check;
    int threshold_ms;
    uint64_t threshold_ns, watch_from_ns, tick_ns;
    FILE *log;
    char log_prefix[64];
    pid_t tid;
    int backend_fd;   /* the loop's epoll descriptor */
    int schedstat_fd; /* the loop thread's; -1 if the kernel has none */
    int syscall_fd;   /* the loop thread's /proc syscall file, or -1 */
    pthread_t thread;
    int thread_started;
    int closed;
    atomic_int stop;
    atomic_int closing;
    _Atomic uint64_t epoch; /* also read by the signal handler */
    uint64_t mono0_ns;      /* uv_hrtime() at ... */
    struct timespec wall0;  /* ... this wall-clock time */

    /* The loop's position: written by the loop thread, read by the
     * watchdog, under mu. */
    pthread_mutex_t mu;
    int polling;              /* after prepare, until check */
    uint64_t since_ns;        /* time of that prepare or check */
    uint64_t idle_base_ns;    /* the loop's idle time at that prepare */
    uint64_t rq_base_ns;      /* its run-queue time at that prepare */
    uint64_t cpu_base_ns;     /* its time on a core at that prepare */
    uint64_t busy_at_check_ns;
    bw_ended ended[BW_ENDED];
    uint64_t n_ended;

    /* Watchdog thread only. */
    uint64_t seen_ended;
    /* The latest time the stretch numbered bound_epoch can have started
     * at, as seen from the ticks during it (now - busy). */
    uint64_t bound_epoch, bound_start_ns;
    struct {
        int active;
        uint64_t epoch, next_sample_ns;
        int samples;
        int idle_seen;     /* the loop was found polling: not a block */
        char asleep_in[32]; /* a call it was found in and not sampled */
        bw_sample kept[BW_KEEP_SAMPLES];
    } track;
    bw_symbols *symbols;
    blockwatch_report scratch;
    blockwatch_report candidates[BW_KEEP_SAMPLES];
    char text[BW_TEXT_MAX];

    /* What was found: written by the watchdog, read by anyone, under
     * results_mu. */
    pthread_mutex_t results_mu;
    blockwatch_tally blocks, starved;
    uint64_t samples_taken, samples_stale, samples_failed, samples_own;
    uint64_t stretches_missed, stretches_idle;
    blockwatch_report reports[BLOCKWATCH_KEEP]; /* block id % KEEP */
    bw_starve_event starves[BLOCKWATCH_KEEP];   /* starve id % KEEP */
    bw_top_stack top[BW_TOP];
    int n_top;
    uint64_t top_other_count, top_other_ns;
};

/* blockwatch.c. Under mu: how long the loop has gone without polling, as
 * of now_ns with the loop's idle time idle_ns. */
uint64_t bw_busy_locked(const blockwatch *bw, uint64_t now_ns, uint64_t idle_ns);

/* blockwatch_watchdog.c: the thread's body. */
void *bw_watchdog_main(void *arg);

/* blockwatch_results.c, watchdog thread; they take results_mu. */
void bw_results_starved(blockwatch *bw, const char *timestamp, uint64_t dur_ns,
                        uint64_t rq_ns, uint64_t *id);
/* Numbers r (r->id) and keeps it; returns an earlier block printed with
 * the same blamed frame and a stack, or 0. */
uint64_t bw_results_block(blockwatch *bw, blockwatch_report *r);
void bw_results_sample(blockwatch *bw, int failed, int stale, int own);
void bw_results_misc(blockwatch *bw, uint64_t missed, uint64_t idle);

#endif /* MINISERVE_BLOCKWATCH_INTERNAL_H */
