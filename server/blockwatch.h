/* blockwatch.h - event-loop block detector: the C counterpart of pyleak.
 *
 * A block is a stretch in which the loop thread does not get back to
 * polling for I/O for longer than a threshold: one long callback, or many
 * in one iteration. Nothing else on the loop moves meanwhile. A watchdog
 * thread notices a stretch that is going long, samples the loop thread's
 * stack while it is still inside it (a signal; see blockwatch_sample.c)
 * and, when the stretch ends, reports it in pyleak's form:
 *
 *   Event Loop Block: block-1
 *     Duration: 0.052s (threshold: 0.010s)
 *     Timestamp: 2026-11-22T10:00:00.123Z
 *     Waiting for a core: 0.001s (not counted as blocking)
 *     Blocking Stack:
 *         File "server/worker.c", line 160, in srv_worker_run
 *             uv_run(&w->loop, UV_RUN_DEFAULT);
 *         ...
 *     Blocked in: job_run (server/handler_correct.c:245)
 *
 * Sampling never changes what the loop does: a loop thread asleep in a
 * call that a signal would cut short (nanosleep, poll) is not signalled;
 * its report names the call instead of a stack. A stretch in which the
 * loop thread is found waiting in its own epoll is not a block at all
 * (libuv loses count of its idle time when a signal interrupts the poll).
 *
 * Starvation is told apart from blocking: a stretch can be long in wall
 * time only because the loop thread waited for a core (on 2 cores with 40
 * busy pool threads it does). The kernel counts that wait per thread
 * (/proc/self/task/TID/schedstat, run-queue time); a stretch is a block
 * only if it is over the threshold without that wait. Time asleep in a
 * blocking call (a sleep, a lock, a read) is not run-queue time, so it
 * counts as blocking. A stretch over the threshold only with it is
 * counted and logged as starvation, without a stack.
 *
 * Threads: blockwatch_start(), blockwatch_close() and blockwatch_free()
 * run on the loop thread; blockwatch_tallies() and blockwatch_json() on
 * any thread (they take the results lock). One detector per process: the
 * sampling signal has one handler.
 */
#ifndef MINISERVE_BLOCKWATCH_H
#define MINISERVE_BLOCKWATCH_H

#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#define BLOCKWATCH_MAX_FRAMES 48
/* Reports and starvation events kept for blockwatch_json(). */
#define BLOCKWATCH_KEEP 16

typedef struct {
    char function[80];  /* "??" when unknown */
    char file[160];     /* relative to the project when inside it; "" if unknown */
    int line;           /* 0 when unknown */
    char object[48];    /* shared object, for frames without file:line */
    char source[120];   /* that line of source, trimmed; "" if unavailable */
    unsigned long offset; /* frames without file:line: the pc's offset into
                             function, or into object when function is "??"
                             (what `addr2line -e` on an unstripped copy of
                             the object takes) */
} blockwatch_frame;

typedef struct {
    uint64_t id;          /* N of block-N */
    char timestamp[32];   /* ISO 8601 UTC with milliseconds: its start */
    uint64_t duration_ns; /* wall time the loop did not poll */
    uint64_t runqueue_ns; /* of which the loop thread waited for a core */
    int samples;          /* stacks sampled while it lasted */
    int truncated;        /* frames outer than these were left out */
    int n_frames;         /* 0: no stack was sampled */
    char asleep_in[32];   /* when not sampled because the loop thread was
                             asleep in a call a signal would cut short
                             (a sleep, poll), that call; else "" */
    int blamed;           /* innermost frame of the application's own code
                             (opts.blame_dir; in a program built without
                             debug information, its own object), or -1 */
    blockwatch_frame frames[BLOCKWATCH_MAX_FRAMES]; /* outermost first */
} blockwatch_report;

typedef struct {
    uint64_t count;
    uint64_t total_ns;
    uint64_t longest_ns;
} blockwatch_tally;

typedef struct {
    int threshold_ms;       /* 1..60000 */
    const char *source_dir; /* file names under it are shown relative */
    const char *blame_dir;  /* frames under it are the application's */
    FILE *log;              /* reports go here; NULL: nowhere */
    const char *log_prefix; /* before "Event Loop Block" lines, e.g.
                               "miniserve[42]: "; may be NULL */
} blockwatch_options;

typedef struct blockwatch blockwatch;

/* Loop thread, before uv_run(). Starts watching loop: adds two unreferenced
 * handles (prepare and check) and the watchdog thread, and turns on the
 * loop's idle-time metric. Returns 0, -EBUSY if a detector already runs in
 * this process, -EINVAL for a bad threshold, or another negative errno. */
int blockwatch_start(uv_loop_t *loop, const blockwatch_options *opts,
                     blockwatch **out);
/* Loop thread. Stops reporting and closes the two handles (the loop is
 * shutting down: the stretch after this is not the application's). */
void blockwatch_close(blockwatch *bw);
/* Loop thread, after uv_run() has returned. Joins the watchdog and frees
 * everything. bw may be NULL. */
void blockwatch_free(blockwatch *bw);

/* Any thread. Blocks and starvation so far. */
void blockwatch_tallies(blockwatch *bw, blockwatch_tally *blocks,
                        blockwatch_tally *starved);
int blockwatch_threshold_ms(const blockwatch *bw);
/* Any thread. The GET /debug/blocks document (a cJSON object, caller
 * frees), or NULL when out of memory. */
void *blockwatch_json(blockwatch *bw);

/* Formats r in the pyleak form above into buf (NUL-terminated). same_as,
 * if not 0, is an earlier block with the same blamed frame: the stack is
 * then replaced by a reference to it. Returns the length, or -ENOSPC if
 * it did not fit (buf then holds a truncated text). */
int blockwatch_format(const blockwatch_report *r, int threshold_ms,
                      uint64_t same_as, char *buf, size_t size);
/* The report as a cJSON object (caller frees), its text form included. */
void *blockwatch_report_json(const blockwatch_report *r, int threshold_ms);

#endif /* MINISERVE_BLOCKWATCH_H */
