/* blockwatch.c - the detector: where the loop is, the watchdog thread that
 * watches it, and what it found.
 *
 * Where the loop is. A prepare handle runs just before the loop polls for
 * I/O and a check handle just after the callbacks of that poll; with the
 * loop's idle-time metric on (UV_METRICS_IDLE_TIME), libuv counts the time
 * spent waiting inside the poll. So at any moment the time since the loop
 * last polled is known to the watchdog without the loop doing anything
 * per callback:
 *   after prepare: (now - prepare) - (idle time added since prepare)
 *   after check:   (busy at check) + (now - check)
 * A stretch ends at the next prepare, which also records its exact length
 * and the loop thread's run-queue time then (only for stretches long
 * enough to matter), and advances the stretch number (the epoch).
 *
 * The watchdog wakes every tick (a quarter of the threshold), reads the
 * loop thread's run-queue time, and when the current stretch has lasted
 * half the threshold starts tracking it: samples its stack (every tick
 * for the first few samples, then each time the stretch has doubled).
 * When the loop records the stretch's end, the watchdog classifies it: a
 * block if it lasted the threshold even without its run-queue wait,
 * starvation if only with it. A block's report shows one sample: one
 * whose blamed frame is the most common among its samples (a block made of
 * forty handlers in a row may be caught writing a response once, but is
 * mostly in the model), the deepest of those.
 */
#include "blockwatch_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define container_of(ptr, type, member)                                      \
    ((type *)((char *)(ptr)-offsetof(type, member)))

/* Long stretches the loop has ended that the watchdog has yet to see. */
#define BW_ENDED 64
/* The watchdog's recent run-queue readings, one per tick. */
#define BW_READINGS 64
/* Distinct blocking frames counted in top_stacks. */
#define BW_TOP 16
/* Samples taken at every tick before the pace halves. */
#define BW_EARLY_SAMPLES 4
/* Samples kept per block (later ones replace earlier ones in turn). */
#define BW_KEEP_SAMPLES 8

typedef struct {
    uint64_t epoch, end_ns, dur_ns, rq_ns;
} ended_stretch;

typedef struct {
    uint64_t at_ns, rq_ns;
} rq_reading;

typedef struct {
    uint64_t id;
    char timestamp[32];
    uint64_t duration_ns, runqueue_ns;
} starve_event;

typedef struct {
    int has_frame;           /* 0: blocks with no sample or no own frame */
    blockwatch_frame frame;  /* the blamed frame */
    uint64_t count, total_ns, first_id;
    int first_had_stack;     /* block first_id was printed with its stack */
} top_stack;

struct blockwatch {
    uv_loop_t *loop;
    uv_prepare_t prepare;
    uv_check_t check;
    int threshold_ms;
    uint64_t threshold_ns, watch_from_ns, tick_ns;
    FILE *log;
    char log_prefix[64];
    pid_t tid;
    int schedstat_fd; /* the loop thread's; -1 if the kernel has none */
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
    uint64_t busy_at_check_ns;
    ended_stretch ended[BW_ENDED];
    uint64_t n_ended;

    /* Watchdog thread only. */
    rq_reading readings[BW_READINGS];
    uint64_t n_readings;
    uint64_t seen_ended;
    struct {
        int active;
        uint64_t epoch, rq_start_ns, next_sample_ns;
        int samples;
        bw_sample kept[BW_KEEP_SAMPLES];
    } track;
    bw_symbols *symbols;
    blockwatch_report scratch;
    blockwatch_report candidates[BW_KEEP_SAMPLES];
    char text[16384];

    /* What was found: written by the watchdog, read by anyone, under
     * results_mu. */
    pthread_mutex_t results_mu;
    blockwatch_tally blocks, starved;
    uint64_t samples_taken, samples_stale, samples_failed, stretches_missed;
    blockwatch_report reports[BLOCKWATCH_KEEP]; /* block id % KEEP */
    starve_event starves[BLOCKWATCH_KEEP];      /* starve id % KEEP */
    top_stack top[BW_TOP];
    int n_top;
    uint64_t top_other_count, top_other_ns;
};

static atomic_int detector_running;

/* Either thread. The loop thread's run-queue wait so far, in ns: the second
 * field of schedstat ("on-cpu ns, run-queue ns, timeslices"). */
static uint64_t read_runqueue(const blockwatch *bw) {
    if (bw->schedstat_fd < 0) return 0;
    char buf[128];
    ssize_t n = pread(bw->schedstat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    unsigned long long cpu = 0, rq = 0;
    if (sscanf(buf, "%llu %llu", &cpu, &rq) != 2) return 0;
    return (uint64_t)rq;
}

/* Under mu. How long the loop has gone without polling, as of now_ns with
 * the loop's idle time idle_ns. */
static uint64_t busy_locked(const blockwatch *bw, uint64_t now_ns, uint64_t idle_ns) {
    if (!bw->polling) return bw->busy_at_check_ns + (now_ns - bw->since_ns);
    uint64_t span = now_ns - bw->since_ns;
    uint64_t idled = idle_ns - bw->idle_base_ns;
    return span > idled ? span - idled : 0;
}

/* Loop thread, just before the loop polls: the stretch ends here. */
static void on_prepare(uv_prepare_t *h) {
    blockwatch *bw = container_of(h, blockwatch, prepare);
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    uint64_t dur = busy_locked(bw, now, idle);
    if (dur >= bw->watch_from_ns) {
        ended_stretch *e = &bw->ended[bw->n_ended % BW_ENDED];
        e->epoch = atomic_load(&bw->epoch);
        e->end_ns = now;
        e->dur_ns = dur;
        e->rq_ns = read_runqueue(bw);
        bw->n_ended++;
    }
    atomic_fetch_add(&bw->epoch, 1);
    bw->polling = 1;
    bw->since_ns = now;
    bw->idle_base_ns = idle;
    pthread_mutex_unlock(&bw->mu);
}

/* Loop thread, after the poll's callbacks; the stretch goes on through
 * the next iteration's timers until prepare. */
static void on_check(uv_check_t *h) {
    blockwatch *bw = container_of(h, blockwatch, check);
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    bw->busy_at_check_ns = busy_locked(bw, now, idle);
    bw->polling = 0;
    bw->since_ns = now;
    pthread_mutex_unlock(&bw->mu);
}

/* ---- the watchdog -------------------------------------------------------- */

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

/* Watchdog. The run-queue reading of the latest tick at or before t_ns;
 * the oldest one kept if none is that old (the watchdog itself waited for
 * a core), which makes the stretch's run-queue wait look smaller, never
 * larger: starvation can be taken for blocking, not the other way round. */
static uint64_t runqueue_before(const blockwatch *bw, uint64_t t_ns) {
    uint64_t n = bw->n_readings < BW_READINGS ? bw->n_readings : BW_READINGS;
    for (uint64_t k = 0; k < n; k++) {
        const rq_reading *r = &bw->readings[(bw->n_readings - 1 - k) % BW_READINGS];
        if (r->at_ns <= t_ns) return r->rq_ns;
    }
    return bw->readings[(bw->n_readings - n) % BW_READINGS].rq_ns;
}

static void tally_add(blockwatch_tally *t, uint64_t ns) {
    t->count++;
    t->total_ns += ns;
    if (ns > t->longest_ns) t->longest_ns = ns;
}

static int same_frame(const blockwatch_frame *a, const blockwatch_frame *b) {
    return a->line == b->line && strcmp(a->function, b->function) == 0 &&
           strcmp(a->file, b->file) == 0;
}

/* Under results_mu. Counts r under its blamed frame; returns the first
 * block printed with the same one and a stack, or 0. */
static uint64_t top_add(blockwatch *bw, const blockwatch_report *r) {
    const blockwatch_frame *f = r->blamed >= 0 ? &r->frames[r->blamed] : NULL;
    for (int i = 0; i < bw->n_top; i++) {
        top_stack *t = &bw->top[i];
        if (t->has_frame != (f != NULL) || (f && !same_frame(&t->frame, f))) continue;
        t->count++;
        t->total_ns += r->duration_ns;
        if (!f || r->n_frames == 0) return 0;
        if (!t->first_had_stack) {
            t->first_id = r->id;
            t->first_had_stack = 1;
            return 0;
        }
        return t->first_id;
    }
    if (bw->n_top == BW_TOP) {
        bw->top_other_count++;
        bw->top_other_ns += r->duration_ns;
        return 0;
    }
    top_stack *t = &bw->top[bw->n_top++];
    memset(t, 0, sizeof *t);
    t->has_frame = f != NULL;
    if (f) t->frame = *f;
    t->count = 1;
    t->total_ns = r->duration_ns;
    t->first_id = r->id;
    t->first_had_stack = r->n_frames > 0;
    return 0;
}

static void log_text(blockwatch *bw, const char *text) {
    if (!bw->log) return;
    /* One write per report, so reports from several workers sharing
     * stderr do not interleave line by line. */
    flockfile(bw->log);
    fputs(bw->log_prefix, bw->log);
    fputs(text, bw->log);
    fflush(bw->log);
    funlockfile(bw->log);
}

static int same_blame(const blockwatch_report *a, const blockwatch_report *b) {
    if (a->blamed < 0 || b->blamed < 0) return a->blamed < 0 && b->blamed < 0;
    return same_frame(&a->frames[a->blamed], &b->frames[b->blamed]);
}

/* Watchdog. Fills r's stack from the tracked stretch's samples, chosen as
 * the comment at the top says. */
static void choose_stack(blockwatch *bw, blockwatch_report *r) {
    int n = bw->track.samples < BW_KEEP_SAMPLES ? bw->track.samples : BW_KEEP_SAMPLES;
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
        bw->candidates[i].blamed = -1;
        bw_symbols_resolve(bw->symbols, &bw->track.kept[i], &bw->candidates[i]);
    }
    int best = 0, best_votes = 0;
    for (int i = 0; i < n; i++) {
        int votes = 0;
        for (int j = 0; j < n; j++) votes += same_blame(&bw->candidates[i], &bw->candidates[j]);
        if (votes > best_votes ||
            (votes == best_votes &&
             bw->candidates[i].n_frames > bw->candidates[best].n_frames)) {
            best = i;
            best_votes = votes;
        }
    }
    const blockwatch_report *c = &bw->candidates[best];
    r->n_frames = c->n_frames;
    r->truncated = c->truncated;
    r->blamed = c->blamed;
    memcpy(r->frames, c->frames, sizeof c->frames[0] * (size_t)c->n_frames);
}

/* Watchdog. A stretch has ended: report it if it was a block or
 * starvation. tracked: the watchdog followed it (and may have samples). */
static void finish(blockwatch *bw, const ended_stretch *e, int tracked) {
    if (e->dur_ns < bw->threshold_ns) return;
    uint64_t start = e->end_ns - e->dur_ns;
    uint64_t rq0 = tracked ? bw->track.rq_start_ns : runqueue_before(bw, start);
    uint64_t rq = e->rq_ns > rq0 ? e->rq_ns - rq0 : 0;
    if (rq > e->dur_ns) rq = e->dur_ns;
    char ts[32];
    timestamp_at(bw, start, ts, sizeof ts);

    if (e->dur_ns - rq < bw->threshold_ns) {
        pthread_mutex_lock(&bw->results_mu);
        tally_add(&bw->starved, e->dur_ns);
        starve_event *s = &bw->starves[(bw->starved.count - 1) % BLOCKWATCH_KEEP];
        s->id = bw->starved.count;
        memcpy(s->timestamp, ts, sizeof ts);
        s->duration_ns = e->dur_ns;
        s->runqueue_ns = rq;
        pthread_mutex_unlock(&bw->results_mu);
        char d[32], w[32], t[32];
        bw_format_seconds(e->dur_ns, d, sizeof d);
        bw_format_seconds(rq, w, sizeof w);
        bw_format_seconds(bw->threshold_ns, t, sizeof t);
        snprintf(bw->text, sizeof bw->text,
                 "Event Loop Starved: starved-%" PRIu64 " at %s: %s without "
                 "polling, %s of it waiting for a core (threshold: %s; not a "
                 "block)\n",
                 s->id, ts, d, w, t);
        log_text(bw, bw->text);
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
    }
    pthread_mutex_lock(&bw->results_mu);
    tally_add(&bw->blocks, e->dur_ns);
    r->id = bw->blocks.count;
    uint64_t same_as = top_add(bw, r);
    bw->reports[(r->id - 1) % BLOCKWATCH_KEEP] = *r;
    pthread_mutex_unlock(&bw->results_mu);
    blockwatch_format(r, bw->threshold_ms, same_as, bw->text, sizeof bw->text);
    log_text(bw, bw->text);
}

/* Watchdog. Samples the stretch being tracked. */
static void sample(blockwatch *bw, uint64_t busy) {
    bw_sample s;
    int rc = bw_sample_take(&s);
    int stale = rc == 0 && s.epoch != bw->track.epoch;
    pthread_mutex_lock(&bw->results_mu);
    if (rc) bw->samples_failed++;
    else bw->samples_taken++;
    if (stale) bw->samples_stale++;
    pthread_mutex_unlock(&bw->results_mu);
    bw->track.next_sample_ns = bw->track.samples < BW_EARLY_SAMPLES
                                   ? busy + bw->tick_ns
                                   : busy * 2;
    if (rc || stale) return;
    bw->track.kept[bw->track.samples % BW_KEEP_SAMPLES] = s;
    bw->track.samples++;
}

/* Watchdog, every tick. */
static void tick(blockwatch *bw) {
    rq_reading *rd = &bw->readings[bw->n_readings % BW_READINGS];
    rd->rq_ns = read_runqueue(bw);
    rd->at_ns = uv_hrtime();
    bw->n_readings++;

    ended_stretch news[BW_ENDED];
    int n_news = 0;
    uint64_t missed = 0;
    pthread_mutex_lock(&bw->mu);
    uint64_t idle = uv_metrics_idle_time(bw->loop);
    uint64_t now = uv_hrtime();
    uint64_t busy = busy_locked(bw, now, idle);
    uint64_t epoch = atomic_load(&bw->epoch);
    if (bw->n_ended - bw->seen_ended > BW_ENDED) {
        missed = bw->n_ended - BW_ENDED - bw->seen_ended;
        bw->seen_ended = bw->n_ended - BW_ENDED;
    }
    while (bw->seen_ended < bw->n_ended)
        news[n_news++] = bw->ended[bw->seen_ended++ % BW_ENDED];
    pthread_mutex_unlock(&bw->mu);
    if (missed) {
        pthread_mutex_lock(&bw->results_mu);
        bw->stretches_missed += missed;
        pthread_mutex_unlock(&bw->results_mu);
    }

    for (int i = 0; i < n_news; i++) {
        int tracked = bw->track.active && news[i].epoch == bw->track.epoch;
        finish(bw, &news[i], tracked);
        if (tracked) bw->track.active = 0;
    }
    /* A stretch we tracked that ended short of watch_from by the loop's
     * exact count: nothing to report. */
    if (bw->track.active && bw->track.epoch != epoch) bw->track.active = 0;
    if (atomic_load(&bw->closing) || busy < bw->watch_from_ns) return;
    if (!bw->track.active) {
        memset(&bw->track, 0, sizeof bw->track);
        bw->track.active = 1;
        bw->track.epoch = epoch;
        bw->track.rq_start_ns = runqueue_before(bw, now - busy);
    }
    if (busy >= bw->track.next_sample_ns) sample(bw, busy);
}

static void *watchdog_main(void *arg) {
    blockwatch *bw = arg;
    pthread_setname_np(pthread_self(), "blockwatch");
    /* Ahead of the pool threads for a core, so that it looks while a block
     * lasts even on a saturated machine; it wakes briefly, so this costs
     * them little. Needs CAP_SYS_NICE; without it the watchdog just looks
     * later (and the report may say "not sampled"). */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -10);
    struct timespec nap = {(time_t)(bw->tick_ns / 1000000000u),
                           (long)(bw->tick_ns % 1000000000u)};
    while (!atomic_load(&bw->stop)) {
        tick(bw);
        nanosleep(&nap, NULL);
    }
    return NULL;
}

/* ---- lifetime ------------------------------------------------------------ */

static void destroy(blockwatch *bw) {
    if (bw->schedstat_fd >= 0) close(bw->schedstat_fd);
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
    pthread_mutex_init(&bw->mu, NULL);
    pthread_mutex_init(&bw->results_mu, NULL);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int)bw->tid);
    bw->schedstat_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (bw->schedstat_fd < 0 && bw->log)
        fprintf(bw->log, "%sblock detector: %s: %s; waiting for a core will "
                "count as blocking\n", bw->log_prefix, path, strerror(errno));

    rc = bw_symbols_new(opts->source_dir, opts->blame_dir, &bw->symbols);
    if (rc) goto fail;
    /* Reading the debug information takes tens of milliseconds the first
     * time; done here, before serving, the watchdog's first report does not
     * make it miss the blocks that follow. */
    bw_symbols_warm_up(bw->symbols);
    rc = uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
    if (rc) goto fail;
    rc = bw_sample_install(bw->tid, &bw->epoch);
    if (rc) goto fail;

    bw->mono0_ns = uv_hrtime();
    clock_gettime(CLOCK_REALTIME, &bw->wall0);
    bw->since_ns = bw->mono0_ns; /* start-up counts until the first poll */
    bw->readings[0] = (rq_reading){bw->mono0_ns, read_runqueue(bw)};
    bw->n_readings = 1;

    /* The watchdog takes no signals: SIGTERM/SIGINT are the loop's, and
     * the sampling signal is sent to the loop thread only. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = -pthread_create(&bw->thread, NULL, watchdog_main, bw);
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

/* ---- results ------------------------------------------------------------- */

void blockwatch_tallies(blockwatch *bw, blockwatch_tally *blocks,
                        blockwatch_tally *starved) {
    pthread_mutex_lock(&bw->results_mu);
    *blocks = bw->blocks;
    *starved = bw->starved;
    pthread_mutex_unlock(&bw->results_mu);
}

int blockwatch_threshold_ms(const blockwatch *bw) { return bw->threshold_ms; }

static cJSON *tally_json(const blockwatch_tally *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)t->count);
    cJSON_AddNumberToObject(o, "total_ms", (double)t->total_ns / 1e6);
    cJSON_AddNumberToObject(o, "longest_ms", (double)t->longest_ns / 1e6);
    return o;
}

static int by_total_desc(const void *a, const void *b) {
    const top_stack *x = a, *y = b;
    return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

/* Under results_mu. */
static cJSON *top_json(const blockwatch *bw) {
    top_stack sorted[BW_TOP];
    memcpy(sorted, bw->top, sizeof(top_stack) * (size_t)bw->n_top);
    qsort(sorted, (size_t)bw->n_top, sizeof sorted[0], by_total_desc);
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < bw->n_top; i++) {
        const top_stack *t = &sorted[i];
        cJSON *o = cJSON_CreateObject();
        if (t->has_frame) {
            cJSON *f = cJSON_AddObjectToObject(o, "blocked_in");
            cJSON_AddStringToObject(f, "function", t->frame.function);
            cJSON_AddStringToObject(f, "file", t->frame.file);
            cJSON_AddNumberToObject(f, "line", t->frame.line);
            if (t->frame.source[0])
                cJSON_AddStringToObject(f, "source", t->frame.source);
        } else {
            cJSON_AddNullToObject(o, "blocked_in");
        }
        cJSON_AddNumberToObject(o, "count", (double)t->count);
        cJSON_AddNumberToObject(o, "total_ms", (double)t->total_ns / 1e6);
        char id[32];
        snprintf(id, sizeof id, "block-%" PRIu64, t->first_id);
        cJSON_AddStringToObject(o, "example", id);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

void *blockwatch_json(blockwatch *bw) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    pthread_mutex_lock(&bw->results_mu);
    cJSON_AddNumberToObject(o, "threshold_ms", bw->threshold_ms);
    cJSON_AddBoolToObject(o, "runqueue_known", bw->schedstat_fd >= 0);
    cJSON_AddItemToObject(o, "blocks", tally_json(&bw->blocks));
    cJSON_AddItemToObject(o, "starvation", tally_json(&bw->starved));
    cJSON *s = cJSON_AddObjectToObject(o, "samples");
    cJSON_AddNumberToObject(s, "taken", (double)bw->samples_taken);
    cJSON_AddNumberToObject(s, "stale", (double)bw->samples_stale);
    cJSON_AddNumberToObject(s, "failed", (double)bw->samples_failed);
    cJSON_AddNumberToObject(o, "stretches_missed", (double)bw->stretches_missed);
    cJSON_AddItemToObject(o, "top_stacks", top_json(bw));
    if (bw->top_other_count) {
        cJSON *x = cJSON_AddObjectToObject(o, "top_stacks_other");
        cJSON_AddNumberToObject(x, "count", (double)bw->top_other_count);
        cJSON_AddNumberToObject(x, "total_ms", (double)bw->top_other_ns / 1e6);
    }
    /* The last BLOCKWATCH_KEEP of each, oldest first. */
    cJSON *reports = cJSON_AddArrayToObject(o, "reports");
    uint64_t n = bw->blocks.count;
    for (uint64_t id = n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP + 1 : 1; id <= n; id++)
        cJSON_AddItemToArray(reports, blockwatch_report_json(
                                          &bw->reports[(id - 1) % BLOCKWATCH_KEEP],
                                          bw->threshold_ms));
    cJSON_AddNumberToObject(o, "reports_dropped",
                            (double)(n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP : 0));
    cJSON *starved = cJSON_AddArrayToObject(o, "starved");
    n = bw->starved.count;
    for (uint64_t id = n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP + 1 : 1; id <= n; id++) {
        const starve_event *e = &bw->starves[(id - 1) % BLOCKWATCH_KEEP];
        cJSON *x = cJSON_CreateObject();
        char name[32];
        snprintf(name, sizeof name, "starved-%" PRIu64, e->id);
        cJSON_AddStringToObject(x, "id", name);
        cJSON_AddStringToObject(x, "timestamp", e->timestamp);
        cJSON_AddNumberToObject(x, "duration_s", (double)e->duration_ns / 1e9);
        cJSON_AddNumberToObject(x, "runqueue_wait_s", (double)e->runqueue_ns / 1e9);
        cJSON_AddItemToArray(starved, x);
    }
    cJSON_AddNumberToObject(o, "starved_dropped",
                            (double)(n > BLOCKWATCH_KEEP ? n - BLOCKWATCH_KEEP : 0));
    pthread_mutex_unlock(&bw->results_mu);
    return o;
}
