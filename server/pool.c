/* pool.c - model call scratch for pool threads, and the way onto the pool.
 *
 * The pool is libuv's (uv_queue_work), sized by UV_THREADPOOL_SIZE before
 * the worker's first use of it. Each model call needs a gpt_state of its
 * own; states are made on first need and kept on a mutex-guarded free
 * list, so there are never more than the number of calls that ran at once
 * (at most the pool size, plus one for the loop in async_blocking).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

int srv_pool_init(srv_pool *p, int threads) {
    p->cap = threads + 1;
    p->free = calloc((size_t)p->cap, sizeof *p->free);
    if (!p->free) return -ENOMEM;
    p->n_free = 0;
    p->n_created = 0;
    pthread_mutex_init(&p->lock, NULL);
    return 0;
}

/* Loop thread, after the loop has ended: every state is back on the list. */
void srv_pool_destroy(srv_pool *p) {
    for (int i = 0; i < p->n_free; i++) gpt_state_free(p->free[i]);
    free(p->free);
    pthread_mutex_destroy(&p->lock);
}

/* Any thread; takes p->lock. */
gpt_state *srv_pool_state_get(srv_pool *p, const gpt_model *m) {
    gpt_state *s = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->n_free > 0) s = p->free[--p->n_free];
    else p->n_created++;
    pthread_mutex_unlock(&p->lock);
    if (!s) s = gpt_state_new(m); /* outside the lock: it allocates */
    return s;
}

/* Any thread; takes p->lock. */
void srv_pool_state_put(srv_pool *p, gpt_state *s) {
    pthread_mutex_lock(&p->lock);
    if (p->n_free < p->cap) {
        p->free[p->n_free++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (s) gpt_state_free(s); /* cannot happen: cap bounds the callers */
}

/* Loop thread. */
int srv_pool_submit(srv_worker *w, uv_work_t *req, uv_work_cb work,
                    uv_after_work_cb after) {
    srv_metrics *m = &w->metrics;
    int q = atomic_fetch_add(&m->queued, 1) + 1;
    int rc = uv_queue_work(&w->loop, req, work, after);
    if (rc) {
        atomic_fetch_sub(&m->queued, 1);
        return rc;
    }
    int max = atomic_load(&m->queued_max);
    while (q > max && !atomic_compare_exchange_weak(&m->queued_max, &max, q)) {
    }
    return 0;
}

/* Pool thread, first thing in a work callback. */
void srv_pool_started(srv_worker *w) { atomic_fetch_sub(&w->metrics.queued, 1); }
