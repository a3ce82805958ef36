/* blockwatch_internal.h - what the blockwatch*.c files share; not a public
 * interface (blockwatch.h is). */
#ifndef MINISERVE_BLOCKWATCH_INTERNAL_H
#define MINISERVE_BLOCKWATCH_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "blockwatch.h"

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

/* Loop thread. Installs the sampling signal's handler for this thread
 * (tid) and warms up the unwinder, so that its one-time set-up does not
 * first run inside the handler. epoch is read by the handler to tag each
 * sample with the stretch it belongs to. Returns 0, -EBUSY if installed
 * already, or a negative errno. */
int bw_sample_install(pid_t tid, _Atomic uint64_t *epoch);
/* Loop thread, after the watchdog has stopped asking. */
void bw_sample_uninstall(void);
/* Watchdog thread. Signals the loop thread and waits (bounded) for its
 * stack. Returns 0 with *out filled, -ETIMEDOUT if the handler did not
 * answer in time (the request is withdrawn; a late signal does nothing),
 * or a negative errno if the signal could not be sent. */
int bw_sample_take(bw_sample *out);

/* ---- blockwatch_symbols.c: program counters to function, file, line ---- */

typedef struct bw_symbols bw_symbols;

/* Returns 0 or a negative errno. Paths are copied. */
int bw_symbols_new(const char *source_dir, const char *blame_dir,
                   bw_symbols **out);
void bw_symbols_free(bw_symbols *s);
/* Reads the debug information now rather than at the first resolve. */
void bw_symbols_warm_up(bw_symbols *s);
/* Watchdog thread (allocates, reads files). Fills r->frames, n_frames,
 * truncated and blamed from s (inlined calls become frames of their own;
 * frames outside main(), the C library's start-up, are left out). */
void bw_symbols_resolve(bw_symbols *s, const bw_sample *sample,
                        blockwatch_report *r);

/* ---- blockwatch_report.c ------------------------------------------------ */

/* Writes ns as seconds with 3 decimals ("0.052s") into buf. */
void bw_format_seconds(uint64_t ns, char *buf, size_t size);

#endif /* MINISERVE_BLOCKWATCH_INTERNAL_H */
