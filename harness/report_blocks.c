/* report_blocks.c - summary.md's section on event-loop blocks, from what
 * each variant's servers said at GET /debug/blocks (blocks.h): how often
 * and how long each loop was blocked, where, and what was only the
 * scheduler. */
#include "report.h"

#include "blocks.h"

#include <stdio.h>
#include <string.h>

/* miniserve's function that hands a request to the pool (server/pool.c). */
#define HANDOFF "srv_pool_submit"

void hs_report_blocks(hs_strbuf *b, const hs_report *r) {
    const hs_report_variant *worst = NULL;
    long threshold = 0;
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_blocks *k = r->variants[i].blocks;
        if (!k) continue;
        threshold = k->threshold_ms;
        if (k->blocks > 0 && (!worst || k->blocks_ms > worst->blocks->blocks_ms))
            worst = &r->variants[i];
    }
    if (!threshold) return;

    hs_strbuf_printf(b, "## Event-loop blocks\n\n"
        "Each server ran with miniserve's block detector (`--detect-blocking=%ld`): a "
        "watchdog thread reports every stretch in which a worker's event loop went %ld ms "
        "or more without polling for I/O, with the stack that kept it there. A stretch "
        "that long only because the loop thread was waiting for a core (its run-queue "
        "time, from /proc) is counted as starvation instead: the scheduler's doing, not "
        "the handler's. Counts cover the server's life, warm-up included; every report is "
        "in `blocks_<variant>.json`.\n\n", threshold, threshold);
    hs_strbuf_printf(b, "| variant | blocks | blocked (ms) | longest (ms) | mostly blocked in | "
                        "starved | starved (ms) |\n"
                        "| --- | ---: | ---: | ---: | --- | ---: | ---: |\n");
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_report_variant *v = &r->variants[i];
        const hs_blocks *k = v->blocks;
        if (!k) {
            hs_strbuf_printf(b, "| %s | - | - | - | not measured | - | - |\n", v->name);
            continue;
        }
        char longest[32] = "-";
        if (k->blocks > 0) snprintf(longest, sizeof longest, "%.0f", k->longest_ms);
        hs_strbuf_printf(b, "| %s | %.0f | %.0f | %s | %s%s%s | %.0f | %.0f |\n", v->name,
                         k->blocks, k->blocks_ms, longest, k->top_where[0] ? "`" : "",
                         k->top_where[0] ? k->top_where : "-", k->top_where[0] ? "`" : "",
                         k->starved, k->starved_ms);
    }
    hs_strbuf_printf(b, "\n");

    if (!worst) {
        hs_strbuf_printf(b, "No measured variant's loop was blocked for %ld ms or more.\n\n",
                         threshold);
    } else {
        const hs_blocks *k = worst->blocks;
        hs_strbuf_printf(b, "**%s blocked its loop the most:** %.0f blocks, %.0f ms in all, "
                            "the longest %.0f ms", worst->name, k->blocks, k->blocks_ms,
                         k->longest_ms);
        if (k->top_where[0])
            hs_strbuf_printf(b, "; %.0f of them (%.0f ms) in `%s`", k->top_count, k->top_ms,
                             k->top_where);
        hs_strbuf_printf(b, ".");
        if (k->top_report)
            hs_strbuf_printf(b, " One of them, as the server reported it:\n\n```\n%s```\n\n",
                             k->top_report);
        else
            hs_strbuf_printf(b, " No stack was sampled in time for these blocks.\n\n");
    }
    /* Blocks in the pool's hand-off are no handler's doing: say why. */
    int handoff = 0;
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_blocks *k = r->variants[i].blocks;
        if (!k || k->blocks == 0 || strncmp(k->top_where, HANDOFF, strlen(HANDOFF))) continue;
        hs_strbuf_printf(b, "%s%s: %.0f, %.0f ms", handoff++ ? "; " : "Blocks mostly in `"
                         HANDOFF "` (", r->variants[i].name, k->blocks, k->blocks_ms);
    }
    if (handoff) {
        hs_strbuf_printf(b, ") are where the loop hands a request to libuv's pool: "
                            "uv_queue_work signals a condition variable, and glibc's "
                            "pthread_cond_signal can wait there until pool threads it woke "
                            "earlier have had a core. ");
        if (r->pool_threads > r->cores)
            hs_strbuf_printf(b, "With %ld pool threads on %ld cores that wait can pass the "
                                "threshold", r->pool_threads, r->cores);
        else
            hs_strbuf_printf(b, "That wait can pass the threshold when the pool's threads "
                                "outnumber the cores");
        hs_strbuf_printf(b, ": a cost of the hand-off, not of the handler's model call.\n\n");
    }

    /* Variants whose long stretches were all waiting for a core. */
    int starved_only = 0;
    for (size_t i = 0; i < r->n_variants; i++) {
        const hs_blocks *k = r->variants[i].blocks;
        if (!k || k->blocks > 0 || k->starved == 0) continue;
        hs_strbuf_printf(b, "%s%s (%.0f, %.0f ms)", starved_only++ ? ", " : "",
                         r->variants[i].name, k->starved, k->starved_ms);
    }
    if (starved_only) {
        hs_strbuf_printf(b, ": no blocks, only starvation. None of their loops' stretches "
                            "of %ld ms or more was their own work: with the model running on ",
                         threshold);
        if (r->pool_threads > 0)
            hs_strbuf_printf(b, "up to %ld pool threads", r->pool_threads);
        else
            hs_strbuf_printf(b, "the pool's threads");
        hs_strbuf_printf(b, " and the load generator on %ld cores, the loop thread sometimes "
                            "waited that long for a core; more cores or fewer pool threads "
                            "would remove it, a different handler would not.\n\n",
                         r->cores);
    }
}
