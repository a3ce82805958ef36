/* fuzz_http.c - libFuzzer target: miniserve's request path, from the bytes
 * a client sends to the response it reads back.
 *
 * One worker (loop, pool, model) is made once, as srv_worker_run() makes
 * it but listening on an abstract AF_UNIX socket instead of TCP, so that
 * no port or TIME_WAIT is used up per input. Each input is one
 * connection: its bytes are written in pieces, and the loop runs until the
 * server has taken each piece before the next is written, so the parser
 * sees exactly those reads. Then the client half-closes and reads until
 * the server closes.
 *
 * Input: byte 0 picks the variant (sync, async_blocking, async_tothread),
 * byte 1 seeds where the rest is cut; the rest is what the client sends.
 *
 * It aborts (a finding) when a response is not well-formed HTTP/1.1 with
 * a Content-Length, when an error's JSON body does not carry its status,
 * on a 500, 502, 503 or 504 (none can happen to one client of an idle
 * server), or when the worker is left with a connection, a handler or a
 * model state still counted once the connection has closed. A hang is
 * libFuzzer's -timeout. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef FUZZ_WEIGHTS
#error "FUZZ_WEIGHTS: the weights file the worker loads"
#endif

#define die(...) (fprintf(stderr, "fuzz_http: " __VA_ARGS__), fputc('\n', stderr), abort())

static srv_worker *w;
static srv_config cfgs[3];
static struct sockaddr_un addr;
static socklen_t addr_len;

static void on_connection(uv_stream_t *listener, int status) {
    if (status == 0) srv_conn_accept(container_of(listener, srv_worker, listener));
}

/* The parts of srv_worker_run() a connection uses; no signals, timers or
 * block detector. Small limits, so that inputs of a few KB reach them. */
static void worker_make(void) {
    static const srv_variant variants[3] = {SRV_SYNC, SRV_ASYNC_BLOCKING, SRV_ASYNC_TOTHREAD};
    for (int i = 0; i < 3; i++) {
        srv_config_default(&cfgs[i], FUZZ_WEIGHTS);
        cfgs[i].variant = variants[i];
        cfgs[i].threads = 2;
        cfgs[i].max_header = 1024;
        cfgs[i].max_body = 2048;
    }
    setenv("UV_THREADPOOL_SIZE", "2", 1);
    http_parser_set_max_header_size((uint32_t)cfgs[0].max_header);
    signal(SIGPIPE, SIG_IGN);
    w = calloc(1, sizeof *w);
    if (!w) die("out of memory");
    w->cfg = &cfgs[0];
    int rc = gpt_load(FUZZ_WEIGHTS, &w->model);
    if (rc) die("cannot load %s: %s", FUZZ_WEIGHTS, gpt_strerror(rc));
    gpt_get_info(w->model, &w->info);
    if (srv_pool_init(&w->pool, cfgs[0].threads) || srv_io_wait_init(&w->io_wait) ||
        !(w->healthz = srv_healthz_json(w)) || uv_loop_init(&w->loop))
        die("cannot make the worker");
    w->healthz_len = strlen(w->healthz);
    srv_metrics_lag_start(&w->metrics);

    /* An abstract socket: a name no file and no other process shares. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    addr.sun_family = AF_UNIX;
    int n = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "fuzz_http.%d", (int)getpid());
    addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, addr_len) != 0) die("bind: %s", strerror(errno));
    uv_tcp_init(&w->loop, &w->listener);
    if (uv_tcp_open(&w->listener, fd) || uv_listen((uv_stream_t *)&w->listener, 16, on_connection))
        die("listen failed");
}

/* What the client has read back, grown as it comes. */
typedef struct {
    char *buf;
    size_t len, cap;
    int eof;
} client_input;

static void client_read(int fd, client_input *in) {
    for (;;) {
        if (in->cap - in->len < 4096) {
            in->cap = in->cap ? in->cap * 2 : 16384;
            if (!(in->buf = realloc(in->buf, in->cap))) die("out of memory");
        }
        ssize_t n = recv(fd, in->buf + in->len, in->cap - in->len, 0);
        if (n > 0) in->len += (size_t)n;
        else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            in->eof = 1; /* closed, or reset after the server's close */
            return;
        } else if (errno == EAGAIN) return;
    }
}

static srv_conn *server_conn(void) { return w->conns; }

/* Whether the server has nothing left to do with what it has been sent:
 * all read and parsed, no handler running, no response being written. */
static int server_settled(void) {
    srv_conn *c = server_conn();
    if (!c) return 0; /* not accepted yet (or gone, which the caller sees) */
    if (c->work_pending || c->state == CONN_HANDLING || c->state == CONN_WRITING) return 0;
    if (c->state == CONN_LINGER) return 1;
    uv_os_fd_t fd;
    int unread = 0;
    if (c->reading && uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) ioctl(fd, FIONREAD, &unread);
    return unread == 0 || !c->reading;
}

/* Runs the loop until the server has taken what was sent (or closed). It
 * blocks only while pool work is out: its end wakes the loop. */
static void settle(int fd, client_input *in, int accepted) {
    for (;;) {
        srv_conn *c = server_conn();
        uv_run(&w->loop, c && c->work_pending ? UV_RUN_ONCE : UV_RUN_NOWAIT);
        client_read(fd, in);
        if (accepted && !server_conn()) return;
        if (server_settled()) return;
    }
}

/* A small generator for where the pieces end: lengths of 1 to 64 bytes,
 * short ones more often, so that tokens and CRLFs are cut. */
static size_t next_piece(uint32_t *s, size_t left) {
    *s = *s * 1664525u + 1013904223u;
    size_t n = 1 + ((*s >> 16) % (((*s >> 8) & 1) ? 64 : 8));
    return n < left ? n : left;
}

static const char *find(const char *p, const char *end, const char *s) {
    size_t n = strlen(s);
    for (; p + n <= end; p++)
        if (memcmp(p, s, n) == 0) return p;
    return NULL;
}

/* Each response: "HTTP/1.1 NNN ...", headers, Content-Length, a body of
 * that length (none after a HEAD: the next response follows at once). */
static void check_responses(const char *p, const char *end) {
    while (p < end) {
        if (end - p < 13 || memcmp(p, "HTTP/1.1 ", 9) != 0) die("not a status line: %.40s", p);
        int status = atoi(p + 9);
        if (status < 100 || status > 599) die("status %d", status);
        if (status == 500 || (status >= 502 && status <= 504)) die("status %d", status);
        const char *head_end = find(p, end, "\r\n\r\n");
        if (!head_end) die("headers not ended");
        if (status < 200) { /* 100 Continue: no body, the response follows */
            p = head_end + 4;
            continue;
        }
        const char *cl = find(p, head_end, "\r\nContent-Length: ");
        if (!cl) die("no Content-Length");
        long len = strtol(cl + 18, NULL, 10);
        const char *body = head_end + 4;
        /* A HEAD's answer has no body: the stream ends, or the next
         * response starts, right after its headers. Every body here is a
         * JSON object, so neither can be mistaken for one. */
        int head = len > 0 && (body == end || (end - body >= 9 && !memcmp(body, "HTTP/1.1 ", 9)));
        if (len < 0 || (!head && len > end - body)) die("Content-Length %ld past the end", len);
        if (!head && len > 0) {
            cJSON *j = cJSON_ParseWithLength(body, (size_t)len);
            if (!cJSON_IsObject(j)) die("a body that is not a JSON object: %.*s", (int)len, body);
            if (status >= 400) {
                cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
                if (!cJSON_IsNumber(s) || s->valueint != status ||
                    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")))
                    die("error %d without its status and error in the body", status);
            }
            cJSON_Delete(j);
        }
        p = head ? body : body + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!w) worker_make();
    if (size < 2) return 0;
    w->cfg = &cfgs[data[0] % 3];
    uint32_t seed = data[1];
    data += 2, size -= 2;

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, addr_len) != 0)
        die("connect: %s", strerror(errno));
    client_input in = {0};
    settle(fd, &in, 0);

    int gone = 0; /* the server closed: what is left cannot be sent */
    for (size_t off = 0; off < size && !gone;) {
        size_t n = next_piece(&seed, size - off);
        ssize_t sent = send(fd, data + off, n, MSG_NOSIGNAL);
        if (sent > 0) off += (size_t)sent;
        else if (errno == EPIPE || errno == ECONNRESET) gone = 1;
        else if (errno != EAGAIN && errno != EINTR) die("send: %s", strerror(errno));
        settle(fd, &in, 1);
        if (!server_conn()) gone = 1;
    }
    shutdown(fd, SHUT_WR);
    /* Until the server closes. The loop may wait for an event only when
     * the server is not waiting for the client to read. */
    for (srv_conn *c; (c = server_conn());) {
        client_read(fd, &in);
        uv_run(&w->loop, c->state == CONN_WRITING ? UV_RUN_NOWAIT : UV_RUN_ONCE);
    }
    /* Its socket is closed: the rest of what it wrote, then the end. */
    while (!in.eof) client_read(fd, &in);
    close(fd);
    /* FUZZ_HTTP_SHOW=1: what the server answered, for looking into a finding. */
    if (getenv("FUZZ_HTTP_SHOW")) fprintf(stderr, "%.*s\n", (int)in.len, in.buf ? in.buf : "");
    check_responses(in.buf ? in.buf : "", in.buf ? in.buf + in.len : "");
    free(in.buf);

    if (w->n_conns != 0) die("%d connections left", w->n_conns);
    if (atomic_load(&w->metrics.handlers_running) != 0) die("a handler still counted as running");
    if (atomic_load(&w->metrics.model_running) != 0) die("a model call still counted as running");
    if (atomic_load(&w->metrics.queued) != 0) die("pool work still counted as queued");
    if (w->pool.n_free != w->pool.n_created) die("a model state not given back");
    return 0;
}
