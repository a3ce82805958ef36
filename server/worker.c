/* worker.c - one serving process: its loop, pool, model and shutdown.
 *
 * Shutdown on SIGTERM/SIGINT: close the listener (other workers' copies of
 * the socket stay open until they stop too), close idle connections, let
 * the rest finish their current request with "Connection: close", and
 * after cfg->grace_ms close whatever is left and end the I/O waits of pool
 * threads. The loop then runs out of handles and pending pool work (model
 * calls already under way finish first), and uv_run() returns.
 */
#include "internal.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef MINISERVE_SOURCE_DIR
#define MINISERVE_SOURCE_DIR "."
#endif

/* Loop thread, before the loop runs. Starts the block detector if asked:
 * reports show paths relative to the project and blame the innermost frame
 * of the server's own code (server/), where it called what blocked. */
static int start_block_detector(srv_worker *w) {
    if (w->cfg->detect_blocking_ms <= 0) return 0;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "miniserve[%d]: ", (int)getpid());
    blockwatch_options o = {
        .threshold_ms = w->cfg->detect_blocking_ms,
        .source_dir = MINISERVE_SOURCE_DIR,
        .blame_dir = MINISERVE_SOURCE_DIR "/server",
        .log = stderr,
        .log_prefix = prefix,
    };
    int rc = blockwatch_start(&w->loop, &o, &w->blockwatch);
    if (rc) {
        fprintf(stderr, "miniserve: cannot start the block detector: %s\n",
                rc == -EBUSY ? "one is running already" : uv_strerror(rc));
        w->blockwatch = NULL;
    }
    return rc;
}

/* Loop thread. */
static void on_connection(uv_stream_t *listener, int status) {
    srv_worker *w = container_of(listener, srv_worker, listener);
    if (status < 0) {
        fprintf(stderr, "miniserve[%d]: accept: %s\n", (int)getpid(),
                uv_strerror(status));
        return;
    }
    srv_conn_accept(w);
}

/* Loop thread. */
static void on_lag_tick(uv_timer_t *t) {
    srv_worker *w = container_of(t, srv_worker, lag_timer);
    srv_metrics_lag_tick(&w->metrics);
}

/* A pool thread: nothing. Queued once before serving, it makes libuv start
 * its pool threads then: libuv starts them all on the first queued work
 * and waits until each runs, and a first request would otherwise hold the
 * loop for that long (tens of milliseconds for 40 threads on 2 busy
 * cores; the block detector catches it). */
static void start_pool_work(uv_work_t *req) { (void)req; }

/* Loop thread. Closes the handles that would keep the loop alive. */
static void worker_stop(srv_worker *w) {
    if (w->stopped) return;
    w->stopped = 1;
    uv_close((uv_handle_t *)&w->sigterm, NULL);
    uv_close((uv_handle_t *)&w->sigint, NULL);
    uv_close((uv_handle_t *)&w->lag_timer, NULL);
    uv_close((uv_handle_t *)&w->grace_timer, NULL);
    /* What the loop does from here on is shutting down, not serving. */
    blockwatch_close(w->blockwatch);
    if (w->cfg->variant == SRV_ASYNC_TOPROCESS) srv_procpool_stop(w);
}

void srv_worker_conn_gone(srv_worker *w) {
    if (w->draining && w->n_conns == 0) worker_stop(w);
}

/* Loop thread. The grace period is over: in-flight requests are dropped.
 * Their pool work still has to come back before the loop ends, so the
 * simulated I/O waits on pool threads are cut short; what is left is at
 * most a model call (milliseconds) per pool thread. */
static void on_grace_over(uv_timer_t *t) {
    srv_worker *w = container_of(t, srv_worker, grace_timer);
    fprintf(stderr, "miniserve[%d]: grace period over, closing %d connections\n",
            (int)getpid(), w->n_conns);
    srv_io_wait_abandon(&w->io_wait);
    srv_conn *next;
    for (srv_conn *c = w->conns; c; c = next) {
        next = c->next;
        srv_conn_close(c);
    }
}

/* Loop thread. */
static void on_signal(uv_signal_t *s, int signum) {
    srv_worker *w = s->data;
    if (w->draining) return;
    w->draining = 1;
    fprintf(stderr, "miniserve[%d]: signal %d, draining %d connections\n",
            (int)getpid(), signum, w->n_conns);
    uv_close((uv_handle_t *)&w->listener, NULL);
    srv_conn *next;
    for (srv_conn *c = w->conns; c; c = next) {
        next = c->next;
        if (c->state == CONN_IDLE || c->state == CONN_LINGER) srv_conn_close(c);
    }
    uv_timer_start(&w->grace_timer, on_grace_over, (uint64_t)w->cfg->grace_ms, 0);
    if (w->n_conns == 0) worker_stop(w);
}

int srv_worker_run(const srv_config *cfg, int listen_fd) {
    int rc;
    int loop_ok = 0;
    int io_wait_ok = 0;
    char n[16];
    srv_worker *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->cfg = cfg;
    /* libuv sizes its pool from this on first use, which is after here. */
    snprintf(n, sizeof n, "%d", cfg->threads);
    setenv("UV_THREADPOOL_SIZE", n, 1);
    /* With several workers on one socket, accept one connection per wake-up
     * so the others get a share. */
    if (cfg->workers > 1) setenv("UV_TCP_SINGLE_ACCEPT", "1", 1);
    /* The parser counts every byte of the request line and headers against
     * this (one setting for the whole process); parse.c relies on it. */
    http_parser_set_max_header_size((uint32_t)cfg->max_header);

    /* One malloc arena per thread. glibc's default (8 per core) makes 40
     * pool threads share arenas, the loop thread's among them; on a
     * saturated machine a pool thread preempted while holding an arena's
     * lock then stalls the loop in malloc() for tens of milliseconds (the
     * block detector caught it: sync, blocked in parse.c's realloc, in
     * __lll_lock_wait_private). Set before any pool thread exists. */
    mallopt(M_ARENA_MAX, cfg->threads + 8);
    /* gmtime_r (the Date header, the detector's timestamps) reads the time
     * zone file on its first call: a malloc that may grow the heap with
     * brk, which waits for the mmap lock that the pool threads' page
     * faults hold. On the first burst that stalled the loop in the first
     * response for 70-140 ms (the detector caught it: sync and
     * async_tothread, blocked in http_date, in __brk). Read it now. */
    tzset();
    rc = gpt_load(cfg->weights, &w->model);
    if (rc) {
        fprintf(stderr, "miniserve: cannot load weights %s: %s\n", cfg->weights,
                gpt_strerror(rc));
        w->model = NULL;
        goto out;
    }
    gpt_get_info(w->model, &w->info);
    rc = srv_pool_init(&w->pool, cfg->threads);
    if (rc) goto out;
    rc = srv_io_wait_init(&w->io_wait);
    if (rc) goto out;
    io_wait_ok = 1;
    w->healthz = srv_healthz_json(w);
    if (!w->healthz) {
        rc = -ENOMEM;
        goto out;
    }
    w->healthz_len = strlen(w->healthz);

    rc = uv_loop_init(&w->loop);
    if (rc) goto out;
    loop_ok = 1;
    uv_tcp_init(&w->loop, &w->listener);
    rc = uv_tcp_open(&w->listener, listen_fd);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&w->listener, 1024, on_connection);
    if (rc) {
        fprintf(stderr, "miniserve: listen: %s\n", uv_strerror(rc));
        uv_close((uv_handle_t *)&w->listener, NULL);
        uv_run(&w->loop, UV_RUN_DEFAULT);
        goto out;
    }
    uv_signal_init(&w->loop, &w->sigterm);
    uv_signal_init(&w->loop, &w->sigint);
    w->sigterm.data = w->sigint.data = w;
    uv_signal_start(&w->sigterm, on_signal, SIGTERM);
    uv_signal_start(&w->sigint, on_signal, SIGINT);
    /* The caller may have blocked both signals so that one arriving before
     * these handlers existed waits instead of killing the process; now it
     * can be delivered, into the loop. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    uv_timer_init(&w->loop, &w->grace_timer);
    uv_timer_init(&w->loop, &w->lag_timer);
    srv_metrics_lag_start(&w->metrics);
    uv_timer_start(&w->lag_timer, on_lag_tick, SRV_LAG_TICK_MS, SRV_LAG_TICK_MS);
    rc = uv_queue_work(&w->loop, &w->pool_start, start_pool_work, NULL);
    if (rc)
        fprintf(stderr, "miniserve: cannot start the thread pool: %s\n", uv_strerror(rc));
    else
        rc = start_block_detector(w);
    if (rc == 0 && cfg->variant == SRV_ASYNC_TOPROCESS && (rc = srv_procpool_start(w)))
        fprintf(stderr, "miniserve: cannot start the model processes: %s\n", uv_strerror(rc));
    if (rc) {
        /* The pool or the detector (asked for) is not there: refuse to
         * serve rather than measure without it. Closing our handles lets
         * the loop end. */
        w->stopped = 1;
        if (cfg->variant == SRV_ASYNC_TOPROCESS) srv_procpool_stop(w);
        uv_close((uv_handle_t *)&w->listener, NULL);
        uv_close((uv_handle_t *)&w->sigterm, NULL);
        uv_close((uv_handle_t *)&w->sigint, NULL);
        uv_close((uv_handle_t *)&w->lag_timer, NULL);
        uv_close((uv_handle_t *)&w->grace_timer, NULL);
        uv_run(&w->loop, UV_RUN_DEFAULT);
        goto out;
    }

    char procs[48] = "";
    if (cfg->variant == SRV_ASYNC_TOPROCESS)
        snprintf(procs, sizeof procs, ", %d model processes", cfg->processes);
    if (cfg->detect_blocking_ms > 0)
        fprintf(stderr, "miniserve[%d]: serving, variant %s, %d pool threads%s, %s, "
                "block detector at %d ms\n", (int)getpid(),
                srv_variant_name(cfg->variant), cfg->threads, procs, cfg->weights,
                cfg->detect_blocking_ms);
    else
        fprintf(stderr, "miniserve[%d]: serving, variant %s, %d pool threads%s, %s\n",
                (int)getpid(), srv_variant_name(cfg->variant), cfg->threads, procs,
                cfg->weights);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    fprintf(stderr, "miniserve[%d]: stopped\n", (int)getpid());
    blockwatch_free(w->blockwatch);

out:
    if (loop_ok && uv_loop_close(&w->loop) != 0 && rc == 0) rc = -EBUSY;
    if (io_wait_ok) srv_io_wait_destroy(&w->io_wait);
    if (w->pool.free) srv_pool_destroy(&w->pool);
    if (w->model) gpt_free(w->model);
    srv_procpool_free(w);
    free(w->healthz);
    free(w);
    return rc;
}
