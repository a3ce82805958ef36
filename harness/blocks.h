/* blocks.h - the servers' own account of their event loops: the reports
 * of miniserve --detect-blocking, collected from every worker's GET
 * /debug/blocks after the load, saved as blocks_<variant>.json and
 * summarised for summary.md. Runs on the harness's main thread. */
#ifndef HARNESS_BLOCKS_H
#define HARNESS_BLOCKS_H

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

#endif
