/* conn.c - one TCP connection: accept, read, timeouts, keep-alive, close.
 *
 * A connection handles one request at a time, which is what keeps
 * pipelined responses in order: when the parser completes a request it
 * pauses, and the bytes behind it wait in rbuf until the response has been
 * written. Reading goes on meanwhile (so a disconnect is noticed) until
 * rbuf is full.
 *
 * Lifetime: the struct owns three handles (tcp, timer, delay) and may be
 * referenced by pool work. srv_conn_close() closes the handles; the struct
 * is freed by srv_conn_release() once all three close callbacks and the
 * pending after-work callback, if any, have run.
 *
 * Everything in this file runs on the loop thread.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void conn_parse(srv_conn *c);

/* Loop thread. Reads land directly in the free tail of rbuf. */
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    srv_conn *c = h->data;
    (void)hint;
    if (c->state == CONN_LINGER) c->rlen = 0; /* dropped anyway */
    buf->base = c->rbuf + c->rlen;
    buf->len = SRV_READ_BUF - c->rlen;
}

static void read_start(srv_conn *c) {
    if (c->reading || c->closing || c->peer_eof) return;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
        c->reading = 1;
}

static void read_stop(srv_conn *c) {
    if (!c->reading) return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
}

/* Loop thread. */
static void on_close(uv_handle_t *h) {
    srv_conn *c = h->data;
    c->handles_open--;
    srv_conn_release(c);
}

void srv_conn_close(srv_conn *c) {
    if (c->closing) return;
    c->closing = 1;
    c->reading = 0;
    uv_close((uv_handle_t *)&c->tcp, on_close);
    uv_close((uv_handle_t *)&c->timer, on_close);
    uv_close((uv_handle_t *)&c->delay, on_close);
}

void srv_conn_handler_begin(srv_conn *c) {
    c->handler_open = 1;
    srv_metrics_handler_begin(&c->w->metrics);
}

void srv_conn_handler_end(srv_conn *c) {
    if (!c->handler_open) return;
    c->handler_open = 0;
    srv_metrics_handler_end(&c->w->metrics);
}

void srv_conn_release(srv_conn *c) {
    if (!c->closing || c->handles_open > 0 || c->work_pending) return;
    srv_worker *w = c->w;
    /* A handler that was waiting on the loop (async_tothread's delay) ends
     * with its connection. */
    srv_conn_handler_end(c);
    if (c->prev) c->prev->next = c->next;
    else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    w->n_conns--;
    free(c->job.body);
    free(c->req.url);
    free(c->req.body);
    free(c->wbuf);
    free(c);
    srv_worker_conn_gone(w);
}

/* Loop thread. Whether the client has sent bytes the loop has not read
 * yet. */
static int input_waiting(srv_conn *c) {
    uv_os_fd_t fd;
    int n = 0;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0) return 0;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* Loop thread. What a timeout means depends on where the connection is. */
static void on_timeout(uv_timer_t *t) {
    srv_conn *c = container_of(t, srv_conn, timer);
    /* libuv runs expired timers before it polls, so a loop that was
     * blocked for longer than the timeout comes back to this callback
     * before the read callback of data that arrived meanwhile: the client
     * was not idle or slow, the loop was. Read first; judge later. */
    if ((c->state == CONN_IDLE || c->state == CONN_READING) && input_waiting(c)) {
        srv_conn_timeout(c, c->state == CONN_IDLE ? c->w->cfg->idle_timeout_ms
                                                  : c->w->cfg->request_timeout_ms);
        return;
    }
    if (c->state == CONN_READING) {
        /* Headers or body dribbled in too slowly: answer, then close. */
        c->req.keep_alive = 0;
        c->state = CONN_HANDLING;
        srv_respond_error(c, 408, "request not received in time", NULL, NULL);
        return;
    }
    /* Idle keep-alive, a client not reading its response, or lingering. */
    srv_conn_close(c);
}

void srv_conn_timeout(srv_conn *c, int ms) {
    if (c->closing) return;
    uv_timer_start(&c->timer, on_timeout, (uint64_t)ms, 0);
}

/* Loop thread. The peer got everything; after our FIN we keep reading and
 * dropping its input until it closes too or SRV_LINGER_MS pass. */
static void on_shutdown(uv_shutdown_t *req, int status) {
    srv_conn *c = container_of(req, srv_conn, shutdown);
    if (c->closing) return;
    if (status < 0 || c->peer_eof) {
        srv_conn_close(c);
        return;
    }
    srv_conn_timeout(c, SRV_LINGER_MS);
    read_start(c);
}

static void conn_finish(srv_conn *c) {
    c->state = CONN_LINGER;
    uv_timer_stop(&c->timer);
    if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
        srv_conn_close(c);
}

/* Loop thread. */
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    srv_conn *c = s->data;
    (void)buf;
    if (n == 0) return; /* EAGAIN */
    if (n == UV_ENOBUFS) {
        read_stop(c);
        return;
    }
    if (n < 0) {
        int waiting = c->state == CONN_HANDLING || c->state == CONN_WRITING;
        if (n == UV_EOF && waiting) {
            /* Maybe only a half-close: answer what we have, then close. */
            c->peer_eof = 1;
            read_stop(c);
            return;
        }
        srv_conn_close(c);
        return;
    }
    if (c->state == CONN_LINGER) {
        c->rlen = 0;
        return;
    }
    c->rlen += (size_t)n;
    if (c->state == CONN_IDLE || c->state == CONN_READING) conn_parse(c);
    else if (c->rlen == SRV_READ_BUF) read_stop(c);
}

/* Loop thread. Feeds buffered input to the parser; dispatches a request
 * once it is complete, answers a malformed one. */
static void conn_parse(srv_conn *c) {
    if (c->rlen == 0) return;
    if (c->state == CONN_IDLE) {
        c->state = CONN_READING;
        srv_conn_timeout(c, c->w->cfg->request_timeout_ms);
    }
    /* Always all of rbuf from its start: parse.c tells a folded header
     * line from a value cut by a read by where a piece lies in rbuf. */
    size_t n = http_parser_execute(&c->parser, &srv_parser_settings, c->rbuf,
                                   c->rlen);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (n > c->rlen) n = c->rlen;
    c->parsed_line_end = srv_ends_line(c->rbuf, n, c->parsed_line_end);
    memmove(c->rbuf, c->rbuf + n, c->rlen - n);
    c->rlen -= n;

    if (c->req.complete) {
        uv_timer_stop(&c->timer);
        c->state = CONN_HANDLING;
        if (c->rlen == SRV_READ_BUF) read_stop(c);
        srv_dispatch(c);
        return;
    }
    if (e != HPE_OK) {
        int status = c->req.error_status ? c->req.error_status : 400;
        const char *msg = c->req.error_msg ? c->req.error_msg
                                           : http_errno_description(e);
        if (e == HPE_HEADER_OVERFLOW) {
            status = 431;
            msg = "request line and headers too large";
        }
        /* The stream cannot be resynchronised after a parse error. */
        c->req.keep_alive = 0;
        c->rlen = 0;
        uv_timer_stop(&c->timer);
        c->state = CONN_HANDLING;
        srv_respond_error(c, status, msg, NULL, NULL);
    }
}

void srv_conn_written(srv_conn *c) {
    if (c->closing) return;
    if (!c->req.keep_alive || c->w->draining) {
        conn_finish(c);
        return;
    }
    srv_request_reset(c);
    c->state = CONN_IDLE;
    read_start(c);
    conn_parse(c);
    if (c->closing) return;
    if (c->peer_eof && (c->state == CONN_IDLE || c->state == CONN_READING)) {
        /* Nothing more will come; a partial request cannot complete. */
        srv_conn_close(c);
        return;
    }
    if (c->state == CONN_IDLE) srv_conn_timeout(c, c->w->cfg->idle_timeout_ms);
}

/* Loop thread. Beyond --max-conns, or when a connection struct cannot be
 * allocated, we answer 503 on the worker's one spare handle: accept, one
 * non-blocking write of a fixed response, close. It must be accepted:
 * libuv (1.44) stops watching the listener while a connection it has
 * reported is not taken, until uv_accept() is called. If the spare is
 * still closing, the connection waits in libuv for the close callback,
 * which accepts it then; nothing is allocated on this path. */
#define BUSY_BODY "{\"error\":\"too many connections\",\"status\":503}\n"
static const char busy_response[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: %d\r\n"
    "Connection: close\r\n"
    "\r\n" BUSY_BODY;

static void on_spare_close(uv_handle_t *h) {
    srv_worker *w = container_of(h, srv_worker, spare);
    w->spare_busy = 0;
    if (w->accept_waiting) {
        w->accept_waiting = 0;
        if (!w->draining) srv_conn_accept(w);
    }
}

static void conn_reject(srv_worker *w) {
    if (w->spare_busy) {
        w->accept_waiting = 1;
        return;
    }
    uv_tcp_t *t = &w->spare;
    w->spare_busy = 1;
    uv_tcp_init(&w->loop, t);
    if (uv_accept((uv_stream_t *)&w->listener, (uv_stream_t *)t) == 0) {
        char msg[sizeof busy_response + 8];
        int n = snprintf(msg, sizeof msg, busy_response, (int)sizeof BUSY_BODY - 1);
        uv_buf_t b = uv_buf_init(msg, (unsigned)n);
        uv_try_write((uv_stream_t *)t, &b, 1);
        /* Counted here only: no request was read, so it is no request's
         * status in requests.by_status. */
        w->metrics.conns_rejected++;
    }
    uv_close((uv_handle_t *)t, on_spare_close);
}

void srv_conn_accept(srv_worker *w) {
    if (w->n_conns >= w->cfg->max_conns) {
        conn_reject(w);
        return;
    }
    srv_conn *c = calloc(1, sizeof *c);
    char *url = c ? malloc(w->cfg->max_header + 1) : NULL;
    if (!url) {
        free(c);
        conn_reject(w);
        return;
    }
    c->w = w;
    c->req.url = url;
    uv_tcp_init(&w->loop, &c->tcp);
    uv_timer_init(&w->loop, &c->timer);
    uv_timer_init(&w->loop, &c->delay);
    c->tcp.data = c->timer.data = c->delay.data = c;
    c->handles_open = 3;
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->n_conns++;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    srv_request_reset(c);
    if (uv_accept((uv_stream_t *)&w->listener, (uv_stream_t *)&c->tcp) != 0) {
        srv_conn_close(c);
        return;
    }
    w->metrics.conns_accepted++;
    uv_tcp_nodelay(&c->tcp, 1);
    c->state = CONN_IDLE;
    read_start(c);
    srv_conn_timeout(c, w->cfg->idle_timeout_ms);
}
