/* sockserve_loop.c - seed 004's server_async.py in C, on libuv: the loop
 * accepts every connection as it comes and reads each once; whichever
 * read completes is answered (two writes, as the seed's two sock_sendall)
 * and closed. One thread, many connections open at once. */
#include "sockserve.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* One client connection; freed in its close callback. */
typedef struct {
    uv_tcp_t tcp;
    uv_write_t header_req, body_req;
    char data[SOCK_READ_MAX];
    char body_buf[128];
    int writes; /* pending */
    char ip[INET_ADDRSTRLEN];
    int port;
} sock_conn;

static void on_close(uv_handle_t *h) { free(h->data); }

static void on_written(uv_write_t *req, int status) {
    sock_conn *c = req->data;
    if (status) fprintf(stderr, "Error: %s\n", uv_strerror(status));
    if (--c->writes == 0) uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    sock_conn *c = h->data;
    *buf = uv_buf_init(c->data, sizeof c->data);
}

/* The one read: answer what arrived, or close on an error. */
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    sock_conn *c = s->data;
    (void)buf;
    if (n == 0) return; /* EAGAIN */
    uv_read_stop(s);
    if (n < 0 && n != UV_EOF) {
        fprintf(stderr, "Error: %s\n", uv_strerror((int)n));
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    const char *header, *body;
    size_t hl, bl;
    sock_reply(c->data, n > 0 ? (size_t)n : 0, c->ip, c->port, &header, &hl, &body, &bl,
               c->body_buf, sizeof c->body_buf);
    uv_buf_t hb = uv_buf_init((char *)header, (unsigned)hl), bb = uv_buf_init((char *)body, (unsigned)bl);
    c->header_req.data = c->body_req.data = c;
    c->writes = 1 + (bl > 0);
    if (uv_write(&c->header_req, s, &hb, 1, on_written)) c->writes--;
    if (bl && uv_write(&c->body_req, s, &bb, 1, on_written)) c->writes--;
    if (c->writes == 0) uv_close((uv_handle_t *)s, on_close);
}

static void on_connection(uv_stream_t *server, int status) {
    if (status) {
        fprintf(stderr, "Error: %s\n", uv_strerror(status));
        return;
    }
    sock_conn *c = calloc(1, sizeof *c);
    if (!c) return;
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp)) {
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    struct sockaddr_in peer;
    int len = sizeof peer;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &len) == 0) {
        inet_ntop(AF_INET, &peer.sin_addr, c->ip, sizeof c->ip);
        c->port = ntohs(peer.sin_port);
    }
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* SIGTERM or SIGINT: the log flushed (stdout is block-buffered into a
 * pipe, as the seed's print is), then out. */
static void on_signal(uv_signal_t *s, int signum) {
    (void)signum;
    fflush(stdout);
    uv_stop(s->loop);
}

int sock_serve_loop(int port) {
    /* The socket made as the blocking server's (and the seed's, which
     * both share), then handed to the loop. */
    int fd = sock_listen(port);
    if (fd < 0) {
        fprintf(stderr, "sockserve: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(-fd));
        return fd;
    }
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_tcp_init(loop, &server);
    int rc = uv_tcp_open(&server, fd);
    if (!rc) rc = uv_listen((uv_stream_t *)&server, SOCK_BACKLOG, on_connection);
    if (rc) {
        fprintf(stderr, "sockserve: %s\n", uv_strerror(rc));
        return rc;
    }
    uv_signal_t term, intr;
    uv_signal_init(loop, &term), uv_signal_init(loop, &intr);
    uv_signal_start(&term, on_signal, SIGTERM), uv_signal_start(&intr, on_signal, SIGINT);
    printf("Starting server on 127.0.0.1 port %d\n", port);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0; /* stopped by a signal; the process exits, the loop's memory with it */
}
