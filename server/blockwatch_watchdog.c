/* blockwatch_watchdog.c - the watchdog thread: it follows long stretches
 * while they last, samples them, and when the loop records their end
 * decides what they were.
 *
 * Every tick (a quarter of the threshold) it computes how long the loop
 * has gone without polling. From half the threshold on it tracks that
 * stretch: it looks at what the loop thread is doing, and samples its
 * stack (every tick for the first few samples, then each time the stretch
 * has doubled) unless the thread sleeps in a call a signal would cut
 * short, whose name it notes instead. When the loop records the stretch's
 * end, the verdict:
 *   - the loop thread was seen waiting in its own poll: not a block (libuv
 *     loses count of idle time when a signal interrupts the poll);
 *   - longer than the ticks during it allow: a tick that found the loop
 *     busy for b ns at time t knows the stretch began at t - b or later, so
 *     it lasted at most end - (t - b). A poll interrupted just before it
 *     would have returned anyway ends a few microseconds later, too soon
 *     for the watchdog to see the thread in it, yet claims the whole lost
 *     idle time; this bound takes it back;
 *   - shorter than the threshold: nothing;
 *   - shorter than the threshold once the loop thread's run-queue wait is
 *     taken out: starvation, the scheduler's doing;
 *   - else a block. Its report shows one sample: one whose blamed frame is
 *     the most common among its samples (a block made of forty handlers in
 *     a row may be caught writing a response once, but is mostly in the
 *     model), the deepest of those.
 * The wait for a core is an upper bound (blockwatch.c says why): it errs
 * towards starvation, never towards a block.
 */
#include "blockwatch_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Samples taken at every tick before the pace halves. */
#define BW_EARLY_SAMPLES 4

static void timestamp_at(const blockwatch *bw, uint64_t mono_ns, char *out, size_t size) {
    int64_t delta = (int64_t)(mono_ns - bw->mono0_ns);
    int64_t ns = (int64_t)bw->wall0.tv_sec * 1000000000LL + bw->wall0.tv_nsec + delta;
    time_t sec = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03dZ", day, (int)((ns / 1000000LL) % 1000));
}

static void log_text(blockwatch *bw, const char *text, int whole) {
    if (!bw->log) return;
    /* One locked write per report, so that reports from several workers
     * sharing stderr do not interleave line by line. */
    flockfile(bw->log);
    fputs(bw->log_prefix, bw->log);
    fputs(text, bw->log);
    if (!whole) fputs("\n  (report cut short: see GET /debug/blocks)\n", bw->log);
    fflush(bw->log);
    funlockfile(bw->log);
}

static int same_blame(const blockwatch_report *a, const blockwatch_report *b) {
    if (a->blamed < 0 || b->blamed < 0) return a->blamed < 0 && b->blamed < 0;
    return bw_frame_same(&a->frames[a->blamed], &b->frames[b->blamed]);
}

/* Fills r's stack from the tracked stretch's samples, chosen as the
 * comment at the top says; samples taken inside the detector's own code
 * are left out. */
static void choose_stack(blockwatch *bw, blockwatch_report *r) {
    int n = bw->track.samples < BW_KEEP_SAMPLES ? bw->track.samples : BW_KEEP_SAMPLES;
    int usable[BW_KEEP_SAMPLES], n_usable = 0;
    for (int i = 0; i < n; i++) {
        blockwatch_report *c = &bw->candidates[i];
        if (bw_symbols_resolve(bw->symbols, &bw->track.kept[i], c))
            bw_results_sample(bw, 0, 0, 1);
        else
            usable[n_usable++] = i;
    }
    if (n_usable == 0) return;
    int best = usable[0], best_votes = 0;
    for (int a = 0; a < n_usable; a++) {
        const blockwatch_report *c = &bw->candidates[usable[a]];
        int votes = 0;
        for (int b = 0; b < n_usable; b++) votes += same_blame(c, &bw->candidates[usable[b]]);
        if (votes > best_votes ||
            (votes == best_votes && c->n_frames > bw->candidates[best].n_frames)) {
            best = usable[a];
            best_votes = votes;
        }
    }
    const blockwatch_report *c = &bw->candidates[best];
    r->n_frames = c->n_frames;
    r->truncated = c->truncated;
    r->blamed = c->blamed;
    memcpy(r->frames, c->frames, sizeof c->frames[0] * (size_t)c->n_frames);
}

static void report_starved(blockwatch *bw, const char *ts, uint64_t dur, uint64_t rq) {
    uint64_t id;
    bw_results_starved(bw, ts, dur, rq, &id);
    char d[32], w[32], t[32];
    bw_format_seconds(dur, d, sizeof d);
    bw_format_seconds(rq, w, sizeof w);
    bw_format_seconds(bw->threshold_ns, t, sizeof t);
    snprintf(bw->text, sizeof bw->text,
             "Event Loop Starved: starved-%" PRIu64 " at %s: %s without polling, %s "
             "of it waiting for a core (threshold: %s; not a block)\n",
             id, ts, d, w, t);
    log_text(bw, bw->text, 1);
}

/* A stretch has ended: report it if it was a block or starvation.
 * tracked: the watchdog followed it (and may have samples). */
static void finish(blockwatch *bw, const bw_ended *ended, int tracked) {
    bw_ended bounded = *ended, *e = &bounded;
    if (bw->bound_epoch == e->epoch) {
        uint64_t most = e->end_ns > bw->bound_start_ns ? e->end_ns - bw->bound_start_ns : 0;
        if (most < e->dur_ns) e->dur_ns = most;
    }
    if ((tracked && bw->track.idle_seen) ||
        (e->dur_ns < bw->threshold_ns && ended->dur_ns >= bw->threshold_ns)) {
        bw_results_misc(bw, 0, 1);
        return;
    }
    if (e->dur_ns < bw->threshold_ns) return;
    uint64_t rq = e->rq_ns < e->dur_ns ? e->rq_ns : e->dur_ns;
    char ts[32];
    timestamp_at(bw, e->end_ns - e->dur_ns, ts, sizeof ts);
    if (e->dur_ns - rq < bw->threshold_ns) {
        report_starved(bw, ts, e->dur_ns, rq);
        return;
    }
    blockwatch_report *r = &bw->scratch;
    memset(r, 0, sizeof *r);
    memcpy(r->timestamp, ts, sizeof ts);
    r->duration_ns = e->dur_ns;
    r->runqueue_ns = rq;
    r->blamed = -1;
    if (tracked) {
        r->samples = bw->track.samples;
        choose_stack(bw, r);
        if (r->n_frames == 0)
            memcpy(r->asleep_in, bw->track.asleep_in, sizeof r->asleep_in);
    }
    uint64_t same_as = bw_results_block(bw, r);
    int len = blockwatch_format(r, bw->threshold_ms, same_as, bw->text, sizeof bw->text);
    log_text(bw, bw->text, len >= 0);
}

/* Looks at the tracked stretch: what the loop thread is doing, and a
 * sample when it is time for one and safe. */
static void look(blockwatch *bw, uint64_t busy) {
    char call[32] = "";
    switch (bw_thread_state_of(bw->syscall_fd, bw->backend_fd, call, sizeof call)) {
    case BW_THREAD_POLLING:
        bw->track.idle_seen = 1;
        return;
    case BW_THREAD_ASLEEP:
        memcpy(bw->track.asleep_in, call, sizeof call);
        return;
    case BW_THREAD_RUNNING:
    case BW_THREAD_UNKNOWN:
        break;
    }
    if (busy < bw->track.next_sample_ns) return;
    bw_sample s;
    int rc = bw_sample_take(&s);
    int stale = rc == 0 && s.epoch != bw->track.epoch;
    bw_results_sample(bw, rc != 0, stale, 0);
    bw->track.next_sample_ns =
        bw->track.samples < BW_EARLY_SAMPLES ? busy + bw->tick_ns : busy * 2;
    if (rc || stale) return;
    bw->track.kept[bw->track.samples % BW_KEEP_SAMPLES] = s;
    bw->track.samples++;
}

/* Every tick. */
static void tick(blockwatch *bw) {
    bw_ended news[BW_ENDED];
    int n_news = 0;
    uint64_t missed = 0;
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    uint64_t busy = bw_busy_locked(bw, now, idle);
    uint64_t epoch = atomic_load(&bw->epoch);
    if (bw->n_ended - bw->seen_ended > BW_ENDED) {
        missed = bw->n_ended - BW_ENDED - bw->seen_ended;
        bw->seen_ended = bw->n_ended - BW_ENDED;
    }
    while (bw->seen_ended < bw->n_ended)
        news[n_news++] = bw->ended[bw->seen_ended++ % BW_ENDED];
    pthread_mutex_unlock(&bw->mu);
    if (missed) bw_results_misc(bw, missed, 0);

    for (int i = 0; i < n_news; i++) {
        int tracked = bw->track.active && news[i].epoch == bw->track.epoch;
        finish(bw, &news[i], tracked);
        if (tracked) bw->track.active = 0;
    }
    uint64_t start = now > busy ? now - busy : 0;
    if (bw->bound_epoch != epoch || start > bw->bound_start_ns) {
        bw->bound_epoch = epoch;
        bw->bound_start_ns = start;
    }
    /* A stretch we tracked that ended short of watch_from by the loop's
     * exact count: nothing to report. */
    if (bw->track.active && bw->track.epoch != epoch) bw->track.active = 0;
    if (atomic_load(&bw->closing) || busy < bw->watch_from_ns) return;
    if (!bw->track.active) {
        memset(&bw->track, 0, sizeof bw->track);
        bw->track.active = 1;
        bw->track.epoch = epoch;
    }
    look(bw, busy);
}

void *bw_watchdog_main(void *arg) {
    blockwatch *bw = arg;
    pthread_setname_np(pthread_self(), "blockwatch");
    /* Ahead of the pool threads for a core, so that it looks while a block
     * lasts even on a saturated machine; it wakes briefly, so this costs
     * them little. Needs CAP_SYS_NICE; without it the watchdog just looks
     * later (and a report may say "not sampled"). */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -10);
    struct timespec nap = {(time_t)(bw->tick_ns / 1000000000u),
                           (long)(bw->tick_ns % 1000000000u)};
    while (!atomic_load(&bw->stop)) {
        tick(bw);
        nanosleep(&nap, NULL);
    }
    return NULL;
}
