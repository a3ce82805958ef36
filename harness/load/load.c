/* load.c - the load generator: HTTP/1.1 requests on keep-alive
 * connections driven by a libuv loop, responses read by http-parser, all
 * on the calling thread.
 *
 * Why not libcurl, which the rest of the harness uses: the generator shares
 * the CPUs with the server it measures, so every cycle it spends is taken
 * from the measurement. A profile of `harness load` on libcurl's multi
 * interface against nginx (50 connections) put 57% of the generator's CPU
 * in libcurl and the allocations it makes per transfer, about 13 us a
 * request, more than wrk's whole cost per request (8.5 us); epoll through
 * curl's socket interface did not change it. Here a request is one
 * formatted write and one parse on a connection that stays open, through
 * two Debian libraries the server already uses.
 *
 * A request's latency runs from when it was started (closed loop) or due
 * (open loop) to its whole response, on the monotonic clock. Failures are
 * counted by class as curl would have named them: could not connect, timed
 * out, cut short (read/write), a response that is not 2xx. */
#include "load/load.h"

#include <errno.h>
#include <http_parser.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <pthread.h>
#include <stdatomic.h>

volatile sig_atomic_t hs_stop;

double hs_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double hs_cpu_seconds(int who) {
    struct rusage ru;
    if (getrusage(who, &ru)) return -1;
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

/* 1 if pid has exited; the zombie is left for the caller to reap. */
static int has_exited(pid_t pid) {
    siginfo_t info = {0};
    if (pid <= 0) return 0;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return 1;
    return info.si_pid == pid;
}

static size_t error_total(const hs_load_errors *e) {
    return e->connect + e->timeout + e->io + e->other + e->http;
}

/* The progress line: done of total, in flight and errors over every
 * thread of the load. */
static void progress(const char *label, long total, long done, long in_flight, long errors,
                     int exited, double t0, int final) {
    static double last;
    static int tty = -1;
    if (!label) return;
    double now = hs_now();
    if (tty < 0) tty = isatty(STDERR_FILENO);
    if (!final && now - last < (tty ? 0.25 : 2.0)) return;
    last = now;
    double el = now - t0;
    fprintf(stderr, "%s%-16s %6ld/%ld done  %7.1f req/s  %3ld in flight  %ld errors%s%s",
            tty ? "\r" : "", label, done, total, el > 0 ? done / el : 0.0, in_flight, errors,
            exited ? "  (server exited)" : "", tty && !final ? "" : "\n");
}

/* --- the target: http://host[:port][/path], resolved once --- */

typedef struct {
    struct sockaddr_storage addr;
    char authority[300]; /* host[:port], the Host header */
    const char *path;    /* into the URL; "/" when it has none */
} target;

static int target_parse(const char *url, target *t) {
    memset(t, 0, sizeof *t);
    if (strncmp(url, "http://", 7) != 0) return -EPROTONOSUPPORT;
    const char *auth = url + 7, *slash = strchr(auth, '/');
    size_t alen = slash ? (size_t)(slash - auth) : strlen(auth);
    if (alen == 0 || alen >= sizeof t->authority) return -EINVAL;
    memcpy(t->authority, auth, alen);
    t->path = slash ? slash : "/";
    char host[300], port[16] = "80";
    const char *colon = NULL;
    if (t->authority[0] == '[') { /* [v6]:port */
        const char *close = strchr(t->authority, ']');
        if (!close) return -EINVAL;
        snprintf(host, sizeof host, "%.*s", (int)(close - t->authority - 1), t->authority + 1);
        if (close[1] == ':') colon = close + 1;
    } else {
        colon = strrchr(t->authority, ':');
        snprintf(host, sizeof host, "%.*s",
                 (int)(colon ? (size_t)(colon - t->authority) : alen), t->authority);
    }
    if (colon) snprintf(port, sizeof port, "%s", colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -EHOSTUNREACH;
    /* One address for every connection, IPv4 first: "localhost" resolves
     * to ::1 first on Debian, and most test servers listen on 127.0.0.1. */
    const struct addrinfo *use = res;
    for (const struct addrinfo *a = res; a; a = a->ai_next)
        if (a->ai_family == AF_INET) {
            use = a;
            break;
        }
    memcpy(&t->addr, use->ai_addr, use->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* --- one connection, one request at a time --- */

typedef enum { CONN_CLOSED, CONN_CONNECTING, CONN_OPEN, CONN_CLOSING } conn_state;

typedef struct load_run load_run;

/* A meeting point for the threads of one load: each arrives once; the
 * last to arrive runs a step, then all go on. Unlike a barrier, it can be
 * called off (a thread that could not be created), and then nobody waits. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived, k, released, off;
} load_gate;

/* Arrives at g; the last one runs fn(arg) (may be NULL) before all go. */
static void gate_arrive(load_gate *g, void (*fn)(void *), void *arg) {
    pthread_mutex_lock(&g->mu);
    if (++g->arrived == g->k) {
        if (fn && !g->off) fn(arg);
        g->released = 1;
        pthread_cond_broadcast(&g->cv);
    }
    while (!g->released && !g->off) pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void gate_call_off(load_gate *g) {
    pthread_mutex_lock(&g->mu);
    g->off = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* What the threads of one load share (--loadgen-threads): a common start,
 * the end hook run once behind a gate, a stop for all, and counts for the
 * one progress line. */
typedef struct {
    load_gate ready;          /* every thread set up: t0 is taken */
    load_gate ended;          /* every thread's last request is done */
    double t0;
    atomic_int abort;         /* a thread could not start: all stop */
    atomic_long done, in_flight, errors;
    long total;               /* over all threads */
} load_shared;

typedef struct {
    uv_tcp_t tcp;
    uv_connect_t connecting;
    uv_write_t write_req;
    uv_timer_t timeout;
    http_parser parser;
    load_run *run;
    conn_state state;
    int busy;           /* a request is under way on it */
    int complete, keep; /* its response is whole; the server keeps the connection */
    int new_conn;       /* this request opened the connection */
    int got_byte;
    int writing;        /* a uv_write is under way: its request and buffer are libuv's */
    int retried;        /* sent again on a new connection once */
    long seq;           /* the request's number */
    double started, connected, first_byte, intended;
    char *req;          /* the request's bytes */
    size_t req_cap;
    char rbuf[16384];
} load_conn;

/* What a finished request counts as. */
typedef enum { END_OK, END_CONNECT, END_TIMEOUT, END_IO } end_kind;

struct load_run {
    const hs_load_config *cfg;
    hs_load_result *out;
    target tgt;
    uv_loop_t loop;
    uv_timer_t tick;     /* every 50 ms: a stop asked for, the server's exit, progress */
    int arrival_fd;      /* the open loop's next arrival: a timerfd, to the
                          * nanosecond, so the loop sleeps until it (libuv's
                          * own timers count whole milliseconds) */
    uv_poll_t arrival;   /* watches it; initialised only with the fd */
    load_conn *conns;
    long n_conns;
    long sent, in_flight;
    long *idle;          /* the open loop's free connections, a stack */
    long n_idle;
    double *when;        /* the open loop's schedule, seconds from t0 */
    long next;           /* its next arrival */
    double t0, last_done;
    double *done_at;     /* each record's completion, for merging threads */
    load_shared *shared; /* NULL: the only thread */
    long body_offset, body_stride; /* request j's body: offset + j * stride */
    int shows_progress;
    int passed_ready;    /* met the other threads at the start */
    int finishing;       /* the loop is closing its handles */
    int rc;              /* a failure of the generator itself */
};

static http_parser_settings parser_settings;

static int on_body(http_parser *p, const char *at, size_t len) {
    load_conn *c = p->data;
    (void)at;
    c->run->out->body_bytes += len;
    return 0;
}

static int on_message_complete(http_parser *p) {
    load_conn *c = p->data;
    /* a 1xx (100 Continue, 103 Early Hints) is not the answer: the final
     * response follows on the same connection */
    if (p->status_code / 100 == 1 && p->status_code != 101) return 0;
    c->complete = 1;
    c->keep = http_should_keep_alive(p);
    return 0;
}

static void on_closed(uv_handle_t *h);
static void request_done(load_conn *c, end_kind kind);

static void conn_close(load_conn *c) {
    if (c->state == CONN_CLOSED || c->state == CONN_CLOSING) return;
    c->state = CONN_CLOSING;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    load_conn *c = h->data;
    (void)suggested;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    load_conn *c = s->data;
    if (nread == 0) return;
    if (!c->busy) { /* the server closed (or spoke on) an idle connection */
        conn_close(c);
        return;
    }
    if (nread > 0) {
        c->run->out->bytes_read += (size_t)nread;
        if (!c->got_byte) c->got_byte = 1, c->first_byte = hs_now();
        size_t used = http_parser_execute(&c->parser, &parser_settings, buf->base, (size_t)nread);
        if (c->complete) {
            if (used != (size_t)nread) c->keep = 0; /* bytes past the response */
            request_done(c, END_OK);
        } else if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
            request_done(c, END_IO);
        }
        return;
    }
    /* A kept-alive connection the server closed just as this request went
     * out (its idle timeout, a request limit): sent once more on a new
     * connection, as libcurl does, and not counted as a failure. */
    if (!c->got_byte && !c->new_conn && !c->retried) {
        c->retried = 1;
        conn_close(c); /* on_closed opens a new one for this busy request */
        return;
    }
    /* the connection ended: that completes a response read to the close */
    if (nread == UV_EOF) http_parser_execute(&c->parser, &parser_settings, NULL, 0);
    c->keep = 0;
    request_done(c, c->complete ? END_OK : END_IO);
}

static void on_written(uv_write_t *w, int status) {
    load_conn *c = w->data;
    c->writing = 0;
    if (status < 0 && c->busy && c->state == CONN_OPEN) request_done(c, END_IO);
}

/* The request's bytes: the request line and headers, and the body. */
static int format_request(load_conn *c) {
    const hs_load_config *cfg = c->run->cfg;
    int post = !strcmp(cfg->method, "POST");
    long k = c->run->body_offset + c->seq * c->run->body_stride; /* as on one thread */
    const char *body = post ? cfg->bodies[(size_t)k % cfg->n_bodies] : "";
    size_t blen = strlen(body), need = strlen(cfg->url) + sizeof c->run->tgt.authority + blen + 160;
    if (need > c->req_cap) {
        char *grown = realloc(c->req, need);
        if (!grown) return -ENOMEM;
        c->req = grown, c->req_cap = need;
    }
    int n = post ? snprintf(c->req, c->req_cap,
                            "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            c->run->tgt.path, c->run->tgt.authority, blen, body)
                 : snprintf(c->req, c->req_cap, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
                            c->run->tgt.path, c->run->tgt.authority);
    return n;
}

static void send_request(load_conn *c) {
    int n = format_request(c);
    if (n < 0) {
        c->run->rc = -ENOMEM;
        request_done(c, END_IO);
        return;
    }
    uv_buf_t b = uv_buf_init(c->req, (unsigned)n);
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
        request_done(c, END_IO);
    else
        c->writing = 1;
}

static void on_connected(uv_connect_t *req, int status) {
    load_conn *c = req->data;
    if (c->state != CONN_CONNECTING) return; /* closed meanwhile (a timeout) */
    if (status < 0) {
        c->keep = 0;
        request_done(c, END_CONNECT);
        return;
    }
    c->state = CONN_OPEN;
    c->connected = hs_now();
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        request_done(c, END_IO);
        return;
    }
    send_request(c);
}

static void conn_open(load_conn *c) {
    c->new_conn = 1;
    c->connected = 0;
    int rc = uv_tcp_init(&c->run->loop, &c->tcp);
    if (rc) { /* nothing to close; the generator itself has failed */
        c->state = CONN_CLOSED;
        c->run->rc = rc;
        request_done(c, END_CONNECT);
        return;
    }
    c->state = CONN_CONNECTING;
    c->tcp.data = c;
    c->connecting.data = c;
    rc = uv_tcp_connect(&c->connecting, &c->tcp, (const struct sockaddr *)&c->run->tgt.addr,
                        on_connected);
    if (rc) {
        c->keep = 0;
        request_done(c, END_CONNECT);
    }
}

static void on_timeout(uv_timer_t *t) {
    load_conn *c = t->data;
    if (!c->busy) return;
    c->keep = 0;
    request_done(c, END_TIMEOUT);
}

/* Starts request seq on c, due at intended (the open loop; else 0). */
static void request_begin(load_conn *c, long seq, double intended) {
    load_run *r = c->run;
    c->seq = seq, c->intended = intended;
    c->busy = 1, c->complete = 0, c->keep = 1, c->new_conn = 0, c->got_byte = 0, c->retried = 0;
    r->in_flight++;
    if (r->shared) atomic_fetch_add(&r->shared->in_flight, 1);
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    c->started = hs_now();
    uv_timer_start(&c->timeout, on_timeout, (uint64_t)(r->cfg->timeout_s * 1000), 0);
    if (c->state == CONN_OPEN) send_request(c);
    else if (c->state == CONN_CLOSED) conn_open(c);
    /* CONN_CLOSING: on_closed opens it again for this request */
}

static void next_request(load_conn *c);
static void maybe_finish(load_run *r);
static int stopping(const load_run *r);

static void on_closed(uv_handle_t *h) {
    load_conn *c = h->data;
    c->state = CONN_CLOSED;
    c->writing = 0; /* its write was cancelled before this callback */
    if (c->busy && !c->run->finishing) conn_open(c);
}

/* Records c's request as ended by kind, and hands c its next one. */
static void request_done(load_conn *c, end_kind kind) {
    load_run *r = c->run;
    hs_load_result *out = r->out;
    if (!c->busy) return;
    c->busy = 0;
    r->in_flight--;
    uv_timer_stop(&c->timeout);
    double done = hs_now();
    int status = kind == END_OK ? (int)c->parser.status_code : 0;
    switch (kind) {
    case END_OK:
        if (status < 200 || status > 299) out->errors.http++;
        break;
    case END_CONNECT: out->errors.connect++; break;
    case END_TIMEOUT: out->errors.timeout++; break;
    case END_IO: out->errors.io++; break;
    }
    /* A dead server fails the rest in microseconds, sooner than the tick:
     * each failure asks. */
    if (kind != END_OK && !out->server_exited && has_exited(r->cfg->watch_pid))
        out->server_exited = 1;
    /* connections it opened: made, not merely tried (as libcurl counts) */
    int opened = c->new_conn && c->connected >= c->started;
    out->connections_opened += (size_t)opened;
    if (out->phases)
        out->phases[out->n] = (hs_phase){opened ? c->connected - c->started : 0,
                                         c->got_byte ? c->first_byte - c->started : 0,
                                         done - c->started, opened};
    if (r->when) { /* open loop */
        double lag = c->started - c->intended;
        out->late_1ms += lag > 1e-3;
        out->lag_s[out->n] = lag;
        out->service_s[out->n] = done - c->started;
        out->samples[out->n++] = (hs_sample){done - c->intended, status};
    } else {
        out->samples[out->n++] = (hs_sample){done - c->started, status};
    }
    if (r->done_at) r->done_at[out->n - 1] = done;
    if (r->shared) {
        atomic_fetch_add(&r->shared->done, 1);
        atomic_fetch_sub(&r->shared->in_flight, 1);
        if (status < 200 || status > 299) atomic_fetch_add(&r->shared->errors, 1);
    }
    r->last_done = done;
    /* A server may answer before it has read the whole request (an early
     * 4xx): the connection then cannot carry the next one. */
    if (!c->keep || kind != END_OK || c->writing) conn_close(c);
    next_request(c);
    maybe_finish(r);
}

/* --- the two loops --- */

/* Closed loop: the next request on the connection that just finished.
 * Open loop: the connection goes back on the free stack. */
static void next_request(load_conn *c) {
    load_run *r = c->run;
    if (r->finishing || r->rc) return;
    if (r->when) {
        /* an open connection on top, to be used first; a closed one below */
        long k = c - r->conns;
        if (c->state == CONN_OPEN || r->n_idle == 0) {
            r->idle[r->n_idle++] = k;
        } else {
            memmove(r->idle + 1, r->idle, (size_t)r->n_idle * sizeof *r->idle);
            r->idle[0] = k;
            r->n_idle++;
        }
        return;
    }
    if (r->sent < r->cfg->total && !stopping(r)) request_begin(c, r->sent++, 0);
}

static void close_handle(uv_handle_t *h) {
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* A stop asked for (a signal), or the load called off (a thread that did
 * not start). */
static int stopping(const load_run *r) {
    return hs_stop || (r->shared && atomic_load(&r->shared->abort));
}

/* When nothing is left to send or wait for: the end hook, then every
 * handle closed, so that uv_run returns. */
static void maybe_finish(load_run *r) {
    int more = r->when ? r->next < r->cfg->total : r->sent < r->cfg->total;
    int stop = stopping(r);
    if (r->finishing || (r->in_flight > 0 && !stop) || (more && !stop && !r->rc)) return;
    r->finishing = 1;
    /* The end hook runs once, when every thread's last request is done and
     * before any closes its connections. */
    if (!r->shared) {
        if (r->cfg->on_end) r->cfg->on_end(r->cfg->end_arg);
    } else {
        gate_arrive(&r->shared->ended, r->cfg->on_end, r->cfg->end_arg);
    }
    for (long i = 0; i < r->n_conns; i++) {
        load_conn *c = &r->conns[i];
        c->busy = 0;
        if (c->state == CONN_OPEN || c->state == CONN_CONNECTING) conn_close(c);
        close_handle((uv_handle_t *)&c->timeout);
    }
    close_handle((uv_handle_t *)&r->tick);
    if (r->arrival_fd >= 0) close_handle((uv_handle_t *)&r->arrival);
}

static void show_progress(const load_run *r, int final) {
    if (!r->shows_progress) return;
    const load_shared *sh = r->shared;
    progress(r->cfg->label, sh ? sh->total : r->cfg->total,
             sh ? atomic_load(&sh->done) : (long)r->out->n,
             sh ? atomic_load(&sh->in_flight) : r->in_flight,
             sh ? atomic_load(&sh->errors) : (long)error_total(&r->out->errors),
             r->out->server_exited, r->t0, final);
}

static void on_tick(uv_timer_t *t) {
    load_run *r = t->data;
    hs_load_result *out = r->out;
    if (!out->server_exited && has_exited(r->cfg->watch_pid)) out->server_exited = 1;
    show_progress(r, 0);
    if (stopping(r)) {
        out->interrupted = 1;
        maybe_finish(r);
    }
}

static void schedule_arrival(load_run *r);

/* Every arrival whose time has come: sent on a free connection, or
 * dropped when max_in_flight are in flight; never delayed. */
static void on_arrival(load_run *r) {
    double now = hs_now();
    for (; r->next < r->cfg->total && r->t0 + r->when[r->next] <= now && !stopping(r) &&
           !r->finishing;
         r->next++) {
        if (r->n_idle == 0) {
            r->out->dropped++;
            continue;
        }
        load_conn *c = &r->conns[r->idle[--r->n_idle]];
        request_begin(c, r->next, r->t0 + r->when[r->next]);
    }
    schedule_arrival(r);
    maybe_finish(r);
}

static void on_arrival_due(uv_poll_t *h, int status, int events) {
    load_run *r = h->data;
    uint64_t expirations;
    (void)status, (void)events;
    if (read(r->arrival_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) {
        r->rc = -errno;
        maybe_finish(r);
        return;
    }
    on_arrival(r);
}

/* Arms the timerfd for the next arrival, at its absolute time on the
 * monotonic clock hs_now() reads (one already due fires at once). */
static void schedule_arrival(load_run *r) {
    struct itimerspec at = {{0, 0}, {0, 0}};
    if (!r->finishing && r->next < r->cfg->total) {
        double due = r->t0 + r->when[r->next], sec = floor(due);
        at.it_value.tv_sec = (time_t)sec;
        at.it_value.tv_nsec = (long)((due - sec) * 1e9);
        if (at.it_value.tv_sec == 0 && at.it_value.tv_nsec == 0) at.it_value.tv_nsec = 1;
    }
    if (timerfd_settime(r->arrival_fd, TFD_TIMER_ABSTIME, &at, NULL) != 0) {
        r->rc = -errno;
        maybe_finish(r);
    }
}

/* On failure nothing is returned: the records made so far are freed. */
static void drop_records(hs_load_result *out) {
    free(out->samples), free(out->phases), free(out->service_s), free(out->lag_s);
    out->samples = NULL, out->phases = NULL, out->service_s = NULL, out->lag_s = NULL;
    out->n = 0;
}

/* One thread's share of a load. when: its arrivals (an open loop), NULL
 * to compute them from cfg; shared: NULL for a load of one thread. Its
 * request number j is the load's body_offset + j * body_stride, so POST
 * bodies cycle as on one thread. */
typedef struct {
    hs_load_config cfg;
    const target *tgt;
    const double *when;
    load_shared *shared;
    long body_offset, body_stride;
    int shows_progress;
    hs_load_result out;
    double *done_at;      /* each record's completion (threads only) */
    double started;       /* its first request, monotonic */
    int rc;
} load_part;

static void take_t0(void *arg) { ((load_shared *)arg)->t0 = hs_now() + 0.001; }

static int part_run(load_part *p) {
    const hs_load_config *cfg = &p->cfg;
    hs_load_result *out = &p->out;
    memset(out, 0, sizeof *out);
    int open = cfg->rate > 0;
    long n = cfg->total;
    load_run *r = calloc(1, sizeof *r);
    int rc = -ENOMEM;
    if (!r) goto gone;
    r->cfg = cfg, r->out = out, r->shared = p->shared, r->shows_progress = p->shows_progress;
    r->tgt = *p->tgt;
    r->body_offset = p->body_offset, r->body_stride = p->body_stride;
    long want = open ? cfg->max_in_flight : cfg->concurrency;
    r->n_conns = want < n ? want : n;
    if (r->n_conns < 1) r->n_conns = 1;
    r->conns = calloc((size_t)r->n_conns, sizeof *r->conns);
    out->samples = calloc((size_t)n, sizeof *out->samples);
    if (cfg->record_phases) out->phases = calloc((size_t)n, sizeof *out->phases);
    if (p->shared) r->done_at = p->done_at = calloc((size_t)n, sizeof *r->done_at);
    if (open) {
        r->when = malloc((size_t)n * sizeof *r->when);
        r->idle = malloc((size_t)r->n_conns * sizeof *r->idle);
        out->service_s = calloc((size_t)n, sizeof *out->service_s);
        out->lag_s = calloc((size_t)n, sizeof *out->lag_s);
    }
    if (!r->conns || !out->samples || (cfg->record_phases && !out->phases) ||
        (p->shared && !r->done_at) ||
        (open && (!r->when || !r->idle || !out->service_s || !out->lag_s)))
        goto out;
    if (open && p->when) memcpy(r->when, p->when, (size_t)n * sizeof *r->when);
    else if (open && (rc = hs_arrivals(cfg->rate, n, cfg->arrivals, cfg->seed, r->when))) goto out;
    if ((rc = uv_loop_init(&r->loop))) goto out;
    for (long i = 0; i < r->n_conns; i++) {
        load_conn *c = &r->conns[i];
        c->run = r;
        c->tcp.data = c;
        uv_timer_init(&r->loop, &c->timeout);
        c->timeout.data = c;
        if (open) r->idle[r->n_conns - 1 - i] = i; /* the first on top */
    }
    uv_timer_init(&r->loop, &r->tick);
    r->tick.data = r->arrival.data = r;
    r->arrival_fd = -1;
    if (open) {
        int polled = 0;
        r->arrival_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        rc = r->arrival_fd < 0 ? -errno : uv_poll_init(&r->loop, &r->arrival, r->arrival_fd);
        if (rc == 0) polled = 1, rc = uv_poll_start(&r->arrival, UV_READABLE, on_arrival_due);
        if (rc) { /* close what is open, then fail */
            if (polled) uv_close((uv_handle_t *)&r->arrival, NULL);
            for (long i = 0; i < r->n_conns; i++) uv_close((uv_handle_t *)&r->conns[i].timeout, NULL);
            uv_close((uv_handle_t *)&r->tick, NULL);
            uv_run(&r->loop, UV_RUN_DEFAULT);
            uv_loop_close(&r->loop);
            if (r->arrival_fd >= 0) close(r->arrival_fd);
            goto out;
        }
    }
    r->n_idle = open ? r->n_conns : 0;

    /* Threads start together: an open loop's schedule runs from one t0. */
    if (p->shared) gate_arrive(&p->shared->ready, take_t0, p->shared);
    r->passed_ready = 1;
    double cpu0 = hs_cpu_seconds(RUSAGE_THREAD);
    double now = hs_now();
    r->t0 = open && p->shared ? p->shared->t0 : now;
    r->last_done = p->started = now;
    uv_timer_start(&r->tick, on_tick, 50, 50);
    if (open) {
        on_arrival(r);
    } else {
        for (long i = 0; i < r->n_conns && r->sent < n; i++)
            request_begin(&r->conns[i], r->sent++, 0);
        maybe_finish(r); /* a share of no requests */
    }
    uv_run(&r->loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&r->loop);
    if (r->arrival_fd >= 0) close(r->arrival_fd);
    if (rc == 0) rc = r->rc;
    /* Requests that could not connect or were cut short may mean the
     * server died; its watched process (a wrapper, say) can take a moment
     * longer to exit than the last request took to fail, so it is given
     * 100 ms to show it. */
    if (!out->server_exited && cfg->watch_pid > 0 && (out->errors.connect || out->errors.io))
        for (int i = 0; i < 20 && !(out->server_exited = has_exited(cfg->watch_pid)); i++)
            usleep(5000);
    if (rc) goto out;
    out->wall_s = r->last_done - r->t0;
    double cpu1 = hs_cpu_seconds(RUSAGE_THREAD);
    out->cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    if (stopping(r) || out->n + out->dropped < (size_t)n) out->interrupted = 1;
    show_progress(r, 1);
out:
    for (long i = 0; r->conns && i < r->n_conns; i++) free(r->conns[i].req);
    free(r->conns), free(r->idle), free(r->when);
gone:
    /* A thread that failed before its loop still meets the others at
     * both gates, or they would wait for it. */
    if (p->shared && !(r && r->finishing)) {
        if (!(r && r->passed_ready)) gate_arrive(&p->shared->ready, take_t0, p->shared);
        gate_arrive(&p->shared->ended, NULL, NULL);
    }
    free(r);
    if (rc) {
        drop_records(out);
        free(p->done_at), p->done_at = NULL;
    }
    return rc;
}

static void *part_thread(void *arg) {
    load_part *p = arg;
    p->rc = part_run(p);
    return NULL;
}

/* The threads' records as one load's: in completion order, their counts
 * summed, the wall time from the first thread's start to the last
 * completion (an open loop: from the common t0). */
static int merge(load_part *parts, int n_parts, const hs_load_config *cfg, double open_t0,
                 hs_load_result *out) {
    size_t n = 0;
    for (int i = 0; i < n_parts; i++) n += parts[i].out.n;
    int open = cfg->rate > 0;
    out->samples = calloc(n ? n : 1, sizeof *out->samples);
    if (cfg->record_phases) out->phases = calloc(n ? n : 1, sizeof *out->phases);
    if (open) {
        out->service_s = calloc(n ? n : 1, sizeof *out->service_s);
        out->lag_s = calloc(n ? n : 1, sizeof *out->lag_s);
    }
    if (!out->samples || (cfg->record_phases && !out->phases) ||
        (open && (!out->service_s || !out->lag_s))) {
        drop_records(out);
        return -ENOMEM;
    }
    double t0 = parts[0].started;
    for (int i = 1; i < n_parts; i++)
        if (parts[i].started < t0) t0 = parts[i].started;
    if (open) t0 = open_t0;
    size_t at[HS_LOAD_MAX_THREADS] = {0};
    double last = t0, cpu = 0;
    int cpu_known = 1;
    for (size_t k = 0; k < n; k++) { /* the earliest next completion of any thread */
        int best = -1;
        for (int i = 0; i < n_parts; i++)
            if (at[i] < parts[i].out.n &&
                (best < 0 || parts[i].done_at[at[i]] < parts[best].done_at[at[best]]))
                best = i;
        const hs_load_result *o = &parts[best].out;
        size_t j = at[best]++;
        out->samples[k] = o->samples[j];
        if (out->phases) out->phases[k] = o->phases[j];
        if (open) out->service_s[k] = o->service_s[j], out->lag_s[k] = o->lag_s[j];
        if (parts[best].done_at[j] > last) last = parts[best].done_at[j];
    }
    out->n = n;
    for (int i = 0; i < n_parts; i++) {
        const hs_load_result *o = &parts[i].out;
        out->connections_opened += o->connections_opened;
        out->bytes_read += o->bytes_read, out->body_bytes += o->body_bytes;
        out->errors.connect += o->errors.connect, out->errors.timeout += o->errors.timeout;
        out->errors.io += o->errors.io, out->errors.other += o->errors.other;
        out->errors.http += o->errors.http;
        out->interrupted |= o->interrupted, out->server_exited |= o->server_exited;
        out->dropped += o->dropped, out->late_1ms += o->late_1ms;
        if (o->cpu_s < 0) cpu_known = 0;
        cpu += o->cpu_s;
    }
    out->cpu_s = cpu_known ? cpu : -1;
    out->wall_s = last - t0;
    return 0;
}

/* n split into k shares as even as can be: share i. */
static long share(long n, int k, int i) { return n / k + (i < n % k); }

int hs_load_run(const hs_load_config *cfg, hs_load_result *out) {
    memset(out, 0, sizeof *out);
    int open = cfg->rate > 0;
    long n = cfg->total;
    if (n <= 0 || (open ? cfg->max_in_flight <= 0 : cfg->concurrency <= 0)) return -EINVAL;
    if (!strcmp(cfg->method, "POST") && cfg->n_bodies == 0) return -EINVAL;
    int k = cfg->threads > 1 ? cfg->threads : 1;
    if (k > HS_LOAD_MAX_THREADS) return -EINVAL;
    parser_settings.on_message_complete = on_message_complete; /* before any thread reads it */
    parser_settings.on_body = on_body;
    target tgt;
    int rc = target_parse(cfg->url, &tgt); /* once, for every thread */
    if (rc) return rc;
    /* no thread without a connection of its own */
    long conns = open ? cfg->max_in_flight : cfg->concurrency;
    if (k > conns) k = (int)conns;
    if (k > n) k = (int)n;
    if (k == 1) {
        load_part one = {.cfg = *cfg, .tgt = &tgt, .body_stride = 1, .shows_progress = 1};
        rc = part_run(&one);
        *out = one.out;
        out->threads = 1;
        return rc;
    }
    /* Each thread has its share of the connections and of the requests;
     * in an open loop, every k-th arrival of the one schedule, from the
     * one start, and its share of max_in_flight. */
    load_shared shared = {.total = n};
    load_part *parts = calloc((size_t)k, sizeof *parts);
    double *when = open ? malloc((size_t)n * sizeof *when) : NULL;
    double **sub = calloc((size_t)k, sizeof *sub);
    rc = -ENOMEM;
    if (!parts || !sub || (open && !when)) goto out;
    if (open && (rc = hs_arrivals(cfg->rate, n, cfg->arrivals, cfg->seed, when))) goto out;
    rc = -ENOMEM;
    for (int i = 0; i < k; i++) {
        load_part *p = &parts[i];
        p->cfg = *cfg;
        p->cfg.total = share(n, k, i);
        p->cfg.concurrency = share(cfg->concurrency, k, i);
        p->cfg.max_in_flight = share(cfg->max_in_flight, k, i);
        p->tgt = &tgt, p->shared = &shared, p->shows_progress = i == 0;
        p->body_offset = i, p->body_stride = k;
        if (open) {
            if (!(sub[i] = malloc((size_t)p->cfg.total * sizeof *sub[i]))) goto out;
            for (long j = 0; j < p->cfg.total; j++) sub[i][j] = when[i + j * k];
            p->when = sub[i];
        }
    }
    load_gate *gates[2] = {&shared.ready, &shared.ended};
    for (int g = 0; g < 2; g++) {
        pthread_mutex_init(&gates[g]->mu, NULL);
        pthread_cond_init(&gates[g]->cv, NULL);
        gates[g]->k = k;
    }
    pthread_t tid[HS_LOAD_MAX_THREADS];
    int started = 0;
    for (; started < k; started++)
        if (pthread_create(&tid[started], NULL, part_thread, &parts[started])) break;
    if (started < k) { /* the others stop, and nobody waits for the missing */
        atomic_store(&shared.abort, 1);
        gate_call_off(&shared.ready), gate_call_off(&shared.ended);
    }
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    for (int g = 0; g < 2; g++) {
        pthread_mutex_destroy(&gates[g]->mu);
        pthread_cond_destroy(&gates[g]->cv);
    }
    rc = started < k ? -EAGAIN : 0;
    for (int i = 0; i < k && !rc; i++) rc = parts[i].rc;
    if (!rc) rc = merge(parts, k, cfg, shared.t0, out);
    out->threads = k;
out:
    for (int i = 0; parts && i < k; i++) {
        free(parts[i].done_at);
        hs_load_result *o = &parts[i].out;
        free(o->samples), free(o->phases), free(o->service_s), free(o->lag_s);
        if (sub) free(sub[i]);
    }
    free(parts), free(sub), free(when);
    return rc;
}
