/* handler_correct.c - POST /correct in the four handler styles.
 *
 * The steps are the same in every variant: decode (JSON, fields,
 * agent_validate), the --io-delay-ms wait, agent_correct(), encode. The
 * variants differ only in which thread runs which step:
 *
 *   sync            loop: parse | pool: decode, wait (blocking), model,
 *                   encode | loop: write
 *   async_blocking  loop: everything, the wait blocking
 *   async_tothread  loop: decode, wait (timer) | pool: model | loop: encode,
 *                   write
 *   async_toprocess loop: decode, wait (timer) | a model process: model |
 *                   loop: encode, write (procpool.c)
 *
 * The blocking wait is srv_io_wait_for(), which the end of the grace
 * period ends early on pool threads (a sync handler then gives up with
 * 503, to a connection that is closed anyway); the loop cannot end its own
 * wait in async_blocking. A connection that closes while its pool work
 * runs stays allocated until the after-work callback, which then drops the
 * result (conn.c).
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Any thread. Sets the job's response to an error. */
static int job_fail(srv_job *job, int status, const char *msg, cJSON *extra) {
    job->status = status;
    free(job->body);
    job->body = srv_error_json(status, msg, extra);
    return -1;
}

static cJSON *field_extra(const char *field) {
    cJSON *x = cJSON_CreateObject();
    if (x) cJSON_AddStringToObject(x, "field", field);
    return x;
}

/* Returns 1 if the JSON text escapes a NUL (\u0000) anywhere. cJSON would
 * decode it into a C string that silently ends there, so the model would
 * correct a different sentence from the one sent. */
static int has_nul_escape(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
            return 1;
        i++; /* skip the escaped character, which may be a backslash */
    }
    return 0;
}

/* Any thread. Returns 1 if s[0..n) is well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), else 0. The
 * model checks learner_id the same way, but only inside agent_correct(),
 * after the I/O wait; checking here answers a bad one at once. */
static int utf8_valid(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t len;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
        else return 0;
        if (len > n - i) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
        i += len;
    }
    return 1;
}

/* internal.h says what it does; it checks everything agent_correct()
 * would refuse so that no bad request waits out the I/O delay before its
 * answer. */
int srv_correct_decode(const srv_worker *w, const srv_request *req, srv_job *job) {
    const char *end = NULL;
    /* A raw NUL is never valid JSON, but cJSON would stop reading at it. */
    int raw_nul = req->body && memchr(req->body, '\0', req->body_len) != NULL;
    cJSON *root = req->body && !raw_nul
                      ? cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0)
                      : NULL;
    int rc = -1;
    if (root && end != req->body + req->body_len) {
        /* Only whitespace may follow the document. */
        while (end < req->body + req->body_len && strchr(" \t\r\n", *end)) end++;
        if (end != req->body + req->body_len) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) return job_fail(job, 400, "request body is not valid JSON", NULL);
    if (has_nul_escape(req->body, req->body_len)) {
        job_fail(job, 422, "strings may not contain NUL (\\u0000)", NULL);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        job_fail(job, 422, "request body must be a JSON object", NULL);
        goto out;
    }

    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "sentence");
    if (!s) {
        job_fail(job, 422, "missing field", field_extra("sentence"));
        goto out;
    }
    if (!cJSON_IsString(s)) {
        job_fail(job, 422, "field must be a string", field_extra("sentence"));
        goto out;
    }
    size_t n = strlen(s->valuestring);
    if (n > GPT_MAX_CONTEXT) {
        cJSON *x = field_extra("sentence");
        cJSON_AddNumberToObject(x, "max_bytes", (double)agent_max_sentence(w->model));
        job_fail(job, 422, gpt_strerror(GPT_ETOOLONG), x);
        goto out;
    }
    memcpy(job->sentence, s->valuestring, n + 1);
    size_t bad_at = 0;
    int vrc = agent_validate(w->model, job->sentence, &bad_at);
    if (vrc) {
        cJSON *x = field_extra("sentence");
        if (vrc == GPT_EUTF8 || vrc == GPT_EALPHABET)
            cJSON_AddNumberToObject(x, "offset", (double)bad_at);
        if (vrc == GPT_ETOOLONG)
            cJSON_AddNumberToObject(x, "max_bytes", (double)agent_max_sentence(w->model));
        job_fail(job, 422, gpt_strerror(vrc), x);
        goto out;
    }

    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "learner_id");
    if (l && !cJSON_IsNull(l)) {
        if (!cJSON_IsString(l)) {
            job_fail(job, 422, "field must be a string or null",
                     field_extra("learner_id"));
            goto out;
        }
        size_t ln = strlen(l->valuestring);
        if (ln > AGENT_MAX_LEARNER_ID || !utf8_valid(l->valuestring, ln)) {
            job_fail(job, 422, gpt_strerror(GPT_ELEARNER), field_extra("learner_id"));
            goto out;
        }
        memcpy(job->learner_id, l->valuestring, ln + 1);
        job->has_learner = 1;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

/* Loop thread, at worker start. */
int srv_io_wait_init(srv_io_wait *iw) {
    pthread_condattr_t a;
    int rc = pthread_condattr_init(&a);
    if (rc) return -rc;
    rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&iw->cond, &a);
    pthread_condattr_destroy(&a);
    if (rc) return -rc;
    rc = pthread_mutex_init(&iw->lock, NULL);
    if (rc) {
        pthread_cond_destroy(&iw->cond);
        return -rc;
    }
    iw->abandon = 0;
    return 0;
}

/* Loop thread, after the loop has ended: nobody waits any more. */
void srv_io_wait_destroy(srv_io_wait *iw) {
    pthread_cond_destroy(&iw->cond);
    pthread_mutex_destroy(&iw->lock);
}

/* Any thread; takes iw->lock. A timed wait on a condition variable
 * rather than a sleep, so that the end of the grace period can wake it: a
 * pool thread stuck in a long sleep would keep uv_run(), and so the
 * process, going. */
int srv_io_wait_for(srv_io_wait *iw, int ms) {
    if (ms <= 0) return 0; /* the usual case: no lock taken */
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&iw->lock);
    while (!iw->abandon && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&iw->cond, &iw->lock, &until);
    int abandoned = iw->abandon;
    pthread_mutex_unlock(&iw->lock);
    return abandoned ? -ECANCELED : 0;
}

/* Loop thread, when the grace period ends; takes iw->lock. */
void srv_io_wait_abandon(srv_io_wait *iw) {
    pthread_mutex_lock(&iw->lock);
    iw->abandon = 1;
    pthread_cond_broadcast(&iw->cond);
    pthread_mutex_unlock(&iw->lock);
}

/* Any thread; takes the state list's lock twice. Runs the model. */
static int job_run(srv_worker *w, srv_job *job) {
    gpt_state *st = srv_pool_state_get(&w->pool, w->model);
    if (!st) return job_fail(job, 503, "out of memory", NULL);
    srv_metrics_model_begin(&w->metrics);
    int rc = agent_correct(w->model, st, job->sentence,
                           job->has_learner ? job->learner_id : NULL,
                           &job->result);
    srv_metrics_model_end(&w->metrics);
    srv_pool_state_put(&w->pool, st);
    if (rc == GPT_ELEARNER)
        return job_fail(job, 422, gpt_strerror(rc), field_extra("learner_id"));
    if (rc) return job_fail(job, 500, gpt_strerror(rc), NULL);
    return 0;
}

/* Any thread. Builds the 200 response. */
static void job_encode(const srv_worker *w, srv_job *job) {
    cJSON *o = cJSON_CreateObject();
    char *out = NULL;
    if (o && cJSON_AddStringToObject(o, "correction", job->result.text) &&
        (job->has_learner ? cJSON_AddStringToObject(o, "learner_id", job->learner_id)
                          : cJSON_AddNullToObject(o, "learner_id")) &&
        cJSON_AddStringToObject(o, "variant", srv_variant_name(w->cfg->variant)))
        out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!out) {
        job_fail(job, 503, "out of memory", NULL);
        return;
    }
    job->status = 200;
    free(job->body);
    job->body = out;
}

/* Any thread: the whole handler of the blocking variants, every step on
 * the calling thread. The job's response is set when it returns. */
static void job_handle(srv_worker *w, const srv_request *req, srv_job *job) {
    srv_metrics_handler_begin(&w->metrics);
    if (srv_correct_decode(w, req, job) == 0) {
        if (srv_io_wait_for(&w->io_wait, w->cfg->io_delay_ms) != 0)
            job_fail(job, 503, "server shutting down", NULL);
        else if (job_run(w, job) == 0)
            job_encode(w, job);
    }
    srv_metrics_handler_end(&w->metrics);
}

/* Loop thread. Sends the job's response (or drops it if the client left). */
static void job_respond(srv_conn *c) {
    srv_job *job = &c->job;
    if (!job->body) {
        srv_conn_close(c);
        return;
    }
    srv_respond(c, job->status, job->body, strlen(job->body), NULL);
    free(job->body);
    job->body = NULL;
}

/* Loop thread. Common end of the pool's trip for both pool variants. */
static void after_pool(uv_work_t *req, int status) {
    srv_conn *c = container_of(req, srv_conn, work);
    srv_worker *w = c->w;
    c->work_pending = 0;
    if (c->closing) {
        srv_conn_release(c); /* the result is dropped with the connection */
        return;
    }
    if (status < 0) job_fail(&c->job, 503, "request cancelled", NULL);
    else if (w->cfg->variant == SRV_ASYNC_TOTHREAD && c->job.status == 0)
        job_encode(w, &c->job);
    srv_conn_handler_end(c);
    job_respond(c);
}

/* Pool thread: the whole sync handler. */
static void sync_work(uv_work_t *req) {
    srv_conn *c = container_of(req, srv_conn, work);
    srv_pool_started(c->w);
    job_handle(c->w, &c->req, &c->job);
}

/* Pool thread: only the model call of async_tothread. */
static void tothread_work(uv_work_t *req) {
    srv_conn *c = container_of(req, srv_conn, work);
    srv_pool_started(c->w);
    job_run(c->w, &c->job);
}

/* Loop thread. */
static void submit(srv_conn *c, uv_work_cb work) {
    c->work_pending = 1;
    int rc = srv_pool_submit(c->w, &c->work, work, after_pool);
    if (rc) {
        c->work_pending = 0;
        job_fail(&c->job, 503, uv_strerror(rc), NULL);
        srv_conn_handler_end(c);
        job_respond(c);
    }
}

/* Loop thread: the non-blocking wait of async_tothread or async_toprocess
 * is over. */
static void on_delay(uv_timer_t *t) {
    srv_conn *c = container_of(t, srv_conn, delay);
    if (c->w->cfg->variant == SRV_ASYNC_TOPROCESS) srv_procpool_submit(c);
    else submit(c, tothread_work);
}

void srv_correct_from_process(srv_conn *c, int rc, const agent_result *result) {
    c->work_pending = 0;
    if (c->closing) {
        srv_conn_release(c); /* the result is dropped with the connection */
        return;
    }
    if (rc == SRV_PROC_DIED)
        job_fail(&c->job, 502, "the model process running this request died; another "
                               "was started", NULL);
    else if (rc == SRV_PROC_NONE)
        job_fail(&c->job, 503, "no model process is running: they kept dying before "
                               "answering (see the server's log)", NULL);
    else if (rc == GPT_ELEARNER)
        job_fail(&c->job, 422, gpt_strerror(rc), field_extra("learner_id"));
    else if (rc)
        job_fail(&c->job, 500, gpt_strerror(rc), NULL);
    else {
        c->job.result = *result;
        job_encode(c->w, &c->job);
    }
    srv_conn_handler_end(c);
    job_respond(c);
}

/* Loop thread. */
void srv_handle_correct(srv_conn *c) {
    srv_worker *w = c->w;
    switch (w->cfg->variant) {
    case SRV_SYNC:
        submit(c, sync_work);
        return;
    case SRV_ASYNC_BLOCKING:
        /* Nothing else on this loop moves until this returns, not even a
         * signal or the end of the grace period. */
        job_handle(w, &c->req, &c->job);
        job_respond(c);
        return;
    case SRV_ASYNC_TOTHREAD:
    case SRV_ASYNC_TOPROCESS: /* the same, but for where the model runs */
        srv_conn_handler_begin(c);
        if (srv_correct_decode(w, &c->req, &c->job) != 0) {
            srv_conn_handler_end(c);
            job_respond(c);
            return;
        }
        if (w->cfg->io_delay_ms > 0)
            uv_timer_start(&c->delay, on_delay, (uint64_t)w->cfg->io_delay_ms, 0);
        else
            on_delay(&c->delay); /* no wait: off to the model at once */
        return;
    }
}
