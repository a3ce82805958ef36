/* test_server_connections.c - keep-alive, pipelining, Connection: close,
 * slow and vanishing clients, and the connection limit. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "server_harness.h"

static server_resp r;

static const char correct_body[] = "{\"sentence\": \"She go to school.\"}";

static void keep_alive(int port) {
    char req[1024];
    server_conn *c = server_connect(port);
    CHECK(c);
    for (int i = 0; i < 3; i++) {
        server_format(req, sizeof req, "POST", "/correct", correct_body);
        server_send_str(c, req);
        CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
        char v[32];
        CHECK(server_header(&r, "Connection", v, sizeof v) != 0);
        server_format(req, sizeof req, "GET", "/healthz", NULL);
        server_send_str(c, req);
        CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
    }
    server_close(c);
}

/* Four requests in one write; the slow one first. Responses must come in
 * request order. */
static void pipelining(int port) {
    char req[4096];
    size_t n = 0;
    server_format(req + n, sizeof req - n, "POST", "/correct", correct_body);
    n = strlen(req);
    server_format(req + n, sizeof req - n, "GET", "/nope", NULL);
    n = strlen(req);
    server_format(req + n, sizeof req - n, "POST", "/correct", "{\"sentence\": \"\"}");
    n = strlen(req);
    server_format(req + n, sizeof req - n, "GET", "/healthz", NULL);
    n = strlen(req);
    server_format(req + n, sizeof req - n, "POST", "/correct", "{\"sentence\": \"He go.\", \"learner_id\": \"p5\"}");
    n = strlen(req);
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send(c, req, n);
    int want[] = {200, 404, 422, 200, 200};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, want[i]);
    }
    CHECK(strstr(r.body, "\"p5\"") != NULL);
    server_close(c);
}

static void connection_close(int port) {
    char v[32];
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send_str(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(server_header(&r, "Connection", v, sizeof v) == 0);
    CHECK_EQ_STR(v, "close");
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);

    /* HTTP/1.0 closes by default and keeps alive when asked. */
    c = server_connect(port);
    CHECK(c);
    server_send_str(c, "GET /healthz HTTP/1.0\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
    c = server_connect(port);
    CHECK(c);
    server_send_str(c, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK(server_header(&r, "Connection", v, sizeof v) == 0);
    CHECK_EQ_STR(v, "keep-alive");
    server_send_str(c, "GET /healthz HTTP/1.0\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_close(c);

    /* A half-closed client still gets its pipelined answers. */
    c = server_connect(port);
    CHECK(c);
    char req[1024];
    server_format(req, sizeof req, "POST", "/correct", correct_body);
    server_send_str(c, req);
    server_send_str(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    shutdown(c->fd, SHUT_WR);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
}

/* HEAD is answered like GET, Content-Length included, but with no body:
 * the requests behind it on the connection still line up with their
 * responses. /correct allows only POST. */
static void head_requests(int port) {
    char v[32];
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send_str(c, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                       "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                       "HEAD /correct HTTP/1.1\r\nHost: x\r\n\r\n"
                       "HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    int want[] = {200, 200, 405, 404};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(server_read_head(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, want[i]);
        CHECK(server_header(&r, "Content-Length", v, sizeof v) == 0);
        CHECK(atoi(v) > 0);
    }
    CHECK(server_header(&r, "Connection", v, sizeof v) != 0);
    /* The GET's response comes next and is the last thing sent. */
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    cJSON_Delete(server_json(&r));
    CHECK_EQ_INT(server_read_bytes(c, 1, 200), -2);
    /* The same one request at a time, as a client that waits would. */
    for (int i = 0; i < 2; i++) {
        server_send_str(c, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK_EQ_INT(server_read_head(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
    }
    server_send_str(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    cJSON_Delete(server_json(&r));
    CHECK_EQ_INT(c->len, 0);
    server_close(c);
}

/* A client that asks first gets "100 Continue" before it sends the body. */
static void expect_continue(int port) {
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char head[256];
    server_conn *c = server_connect(port);
    CHECK(c);
    snprintf(head, sizeof head,
             "POST /correct HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
             "Content-Length: %zu\r\n\r\n", strlen(correct_body));
    server_send_str(c, head);
    CHECK_EQ_INT(server_read_bytes(c, sizeof cont - 1, SERVER_WAIT_MS), 0);
    CHECK(memcmp(c->buf, cont, sizeof cont - 1) == 0);
    c->len -= sizeof cont - 1;
    memmove(c->buf, c->buf + sizeof cont - 1, c->len);
    server_send_str(c, correct_body);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_close(c);
}

/* The server runs with --request-timeout-ms 300 --idle-timeout-ms 300. */
static void slow_clients(int port) {
    /* Headers dribbled a byte at a time never complete: 408, then close. */
    server_conn *c = server_connect(port);
    CHECK(c);
    const char *part = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    server_send_str(c, part);
    int got = -2;
    for (int i = 0; i < 100 && got == -2; i++) {
        server_send_str(c, "a");
        got = server_read(c, &r, 50);
    }
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(r.status, 408);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);

    /* A body that never arrives: 408 too. */
    c = server_connect(port);
    CHECK(c);
    server_send_str(c, "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"sen");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 408);
    server_close(c);

    /* A connection that says nothing is closed without a response. */
    c = server_connect(port);
    CHECK(c);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);

    /* So is a keep-alive connection after its last request. */
    c = server_connect(port);
    CHECK(c);
    server_send_str(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
}

/* Waits until /metrics shows no handler running (bounded). */
static void wait_handlers_idle(int port) {
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    while (server_metric(port, "handlers.running") != 0 ||
           server_metric(port, "pool.queued") != 0) {
        CHECK(server_now_ms() < deadline);
        server_sleep_ms(20);
    }
}

/* The server runs with --io-delay-ms 100: clients leave mid-handler. Every
 * connection they leave behind is closed and freed: connections.open, as
 * seen from one /metrics request, comes back to what it was. */
static void vanishing_clients(int port) {
    char req[1024];
    int baseline = (int)server_metric(port, "connections.open");
    server_format(req, sizeof req, "POST", "/correct", correct_body);
    /* Mid-request: half the headers, then gone. */
    for (int i = 0; i < 5; i++) {
        server_conn *c = server_connect(port);
        CHECK(c);
        server_send(c, req, 20);
        server_close(c);
    }
    /* Mid-handler: the request is complete, the client leaves at once. */
    for (int i = 0; i < 10; i++) {
        server_conn *c = server_connect(port);
        CHECK(c);
        server_send_str(c, req);
        if (i % 2) {
            /* Reset instead of FIN. */
            struct linger l = {1, 0};
            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        server_close(c);
    }
    wait_handlers_idle(port);
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    while (server_metric(port, "connections.open") != baseline) {
        CHECK(server_now_ms() < deadline);
        server_sleep_ms(20);
    }
    CHECK_EQ_INT(server_request(port, "POST", "/correct", correct_body, &r), 200);
    CHECK_EQ_INT(server_request(port, "GET", "/healthz", NULL, &r), 200);
}

/* async_blocking with an I/O delay lets a /correct on one of the two
 * connections hold the loop while more clients connect. */
static void connection_limit(void) {
    server_proc p;
    const char *args[] = {"--max-conns", "2", "--variant", "async_blocking",
                          "--io-delay-ms", "500", NULL};
    server_start(&p, args);
    server_conn *a = server_connect(p.port), *b = server_connect(p.port);
    CHECK(a && b);
    server_send_str(a, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ_INT(server_read(a, &r, SERVER_WAIT_MS), 0);
    server_send_str(b, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ_INT(server_read(b, &r, SERVER_WAIT_MS), 0);
    server_conn *c = server_connect(p.port);
    CHECK(c);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 503);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
    /* Several at once are refused one after the other on the worker's one
     * spare handle, and each still gets its 503. They queue up while a's
     * /correct blocks the loop (when the loop gets there first; if not,
     * they are refused one by one, which must work as well). */
    char req[1024];
    server_format(req, sizeof req, "POST", "/correct", correct_body);
    server_send_str(a, req);
    server_sleep_ms(100);
    server_conn *extra[5];
    for (int i = 0; i < 5; i++) {
        extra[i] = server_connect(p.port);
        CHECK(extra[i]);
    }
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(server_read(extra[i], &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 503);
        CHECK_EQ_INT(server_wait_close(extra[i], SERVER_WAIT_MS), 1);
        server_close(extra[i]);
    }
    CHECK_EQ_INT(server_read(a, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    /* A freed slot is usable again. */
    server_close(a);
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    for (;;) {
        c = server_connect(p.port);
        CHECK(c);
        server_send_str(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
        server_close(c);
        if (r.status == 200) break;
        CHECK(server_now_ms() < deadline);
        server_sleep_ms(20);
    }
    /* The slot's own /metrics: six refused so far, perhaps more above,
     * and counted only there, as no request of theirs was read. */
    cJSON *m = server_json(&r);
    CHECK(server_json_number(m, "connections.rejected") >= 6);
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m, "requests"), "by_status");
    CHECK(cJSON_IsObject(by));
    CHECK(cJSON_GetObjectItemCaseSensitive(by, "503") == NULL);
    cJSON_Delete(m);
    server_close(b);
    server_stop(&p);
}

/* async_blocking's loop blocked for 400 ms by one request while another
 * keep-alive connection, idle timeout 100 ms, sends its next request:
 * when the loop comes back, that timer has expired, but the connection
 * was not idle, the loop was. The request must be answered, not dropped
 * with the connection. */
static void blocked_loop_not_idle(void) {
    server_proc p;
    const char *args[] = {"--variant", "async_blocking", "--io-delay-ms", "400",
                          "--idle-timeout-ms", "100", NULL};
    server_start(&p, args);
    char req[1024];
    server_conn *b = server_connect(p.port);
    CHECK(b);
    server_format(req, sizeof req, "GET", "/healthz", NULL);
    server_send_str(b, req);
    CHECK_EQ_INT(server_read(b, &r, SERVER_WAIT_MS), 0); /* b is now idle */
    server_conn *a = server_connect(p.port);
    CHECK(a);
    server_format(req, sizeof req, "POST", "/correct", correct_body);
    server_send_str(a, req);
    server_sleep_ms(50); /* a's handler now holds the loop for 400 ms */
    server_format(req, sizeof req, "GET", "/healthz", NULL);
    server_send_str(b, req);
    CHECK_EQ_INT(server_read(a, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(server_read(b, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_close(a);
    server_close(b);
    server_stop(&p);
}

int main(void) {
    blocked_loop_not_idle();
    const char *variants[] = {"sync", "async_blocking", "async_tothread"};
    for (int i = 0; i < 3; i++) {
        /* Default timeouts: a slow machine must not turn these into
         * timeouts. */
        server_proc p;
        const char *args[] = {"--variant", variants[i], "--threads", "4", NULL};
        server_start(&p, args);
        keep_alive(p.port);
        pipelining(p.port);
        connection_close(p.port);
        head_requests(p.port);
        expect_continue(p.port);
        server_stop(&p);

        const char *sargs[] = {"--variant", variants[i], "--threads", "4",
                               "--request-timeout-ms", "300",
                               "--idle-timeout-ms", "300", NULL};
        server_start(&p, sargs);
        slow_clients(p.port);
        server_stop(&p);

        const char *dargs[] = {"--variant", variants[i], "--threads", "4",
                               "--io-delay-ms", "100", NULL};
        server_start(&p, dargs);
        vanishing_clients(p.port);
        server_stop(&p);
        fprintf(stderr, "ok: connections under %s\n", variants[i]);
    }
    connection_limit();
    return 0;
}
