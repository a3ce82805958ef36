/* test_server_concurrency.c - the variants' defining property, read from
 * /metrics rather than timed: after 20 concurrent /correct requests,
 * async_blocking never ran two handlers at once, while sync and
 * async_tothread did. A 20 ms --io-delay-ms keeps each handler open long
 * enough that overlap does not depend on the machine's speed. */
#include <string.h>

#include "check.h"
#include "server_harness.h"

#define N_CLIENTS 20

static server_resp r;

/* Sends N_CLIENTS requests on N_CLIENTS connections before reading any
 * response; CHECKs all 200. */
static void burst(int port) {
    server_conn *c[N_CLIENTS];
    char req[1024];
    for (int i = 0; i < N_CLIENTS; i++) {
        c[i] = server_connect(port);
        CHECK(c[i]);
    }
    for (int i = 0; i < N_CLIENTS; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"sentence\": \"She go to school %d.\", \"learner_id\": \"c%d\"}", i, i);
        server_format(req, sizeof req, "POST", "/correct", body);
        server_send_str(c[i], req);
    }
    for (int i = 0; i < N_CLIENTS; i++) {
        CHECK_EQ_INT(server_read(c[i], &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
        server_close(c[i]);
    }
}

static int max_handlers(const char *variant, const char *delay) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--io-delay-ms", delay, NULL};
    server_start(&p, args);
    burst(p.port);
    CHECK_EQ_INT(server_metric(p.port, "requests.by_status.200"), N_CLIENTS);
    CHECK_EQ_INT(server_metric(p.port, "handlers.running"), 0);
    CHECK_EQ_INT(server_metric(p.port, "pool.threads"), 40);
    int max = (int)server_metric(p.port, "handlers.max_running");
    int model_max = (int)server_metric(p.port, "model_calls.max_running");
    server_stop(&p);
    fprintf(stderr, "%s, io delay %s ms: at most %d handlers and %d model calls at once\n",
            variant, delay, max, model_max);
    CHECK(model_max <= max || strcmp(variant, "async_tothread") == 0);
    return max;
}

/* GET /metrics on a new connection; returns the parsed document. */
static cJSON *metrics(int port) {
    CHECK_EQ_INT(server_request(port, "GET", "/metrics", NULL, &r), 200);
    return server_json(&r);
}

/* One /correct held open by a 2 s --io-delay-ms on connection A, and
 * GET /metrics on new connections until one shows A's handler started.
 * Off the loop (sync, async_tothread) that answer comes while A's handler
 * is still running; on the loop (async_blocking) the loop could not read
 * the request until A's handler had ended and its response was written.
 * Only the order of events is checked, not how long anything took: an
 * answer that came 2 s or more after A was sent (a machine too busy to
 * run this test's own steps in time, seen once under ASan with another
 * test beside it) says nothing about the order, so the case is tried
 * again on a fresh server, at most 3 times. Returns 1 if it judged. */
static int healthz_while_correct_once(const char *variant) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--io-delay-ms", "2000", NULL};
    server_start(&p, args);
    char req[1024];
    server_format(req, sizeof req, "POST", "/correct", "{\"sentence\": \"She go.\"}");
    server_conn *a = server_connect(p.port);
    CHECK(a);
    long long sent = server_now_ms();
    server_send_str(a, req);
    int blocking = strcmp(variant, "async_blocking") == 0;
    cJSON *m;
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    for (;;) {
        m = metrics(p.port);
        /* /metrics reads handlers.running before handlers.max_running, so
         * an answer made just as A's handler began can say 0 and 1 (seen
         * once under ASan, 7 ms after A was sent): off the loop, ask again
         * until A's 2 s are over. */
        int started = server_json_number(m, "handlers.max_running") >= 1;
        int running_now = server_json_number(m, "handlers.running") >= 1;
        if (started && (blocking || running_now || server_now_ms() - sent >= 2000)) break;
        cJSON_Delete(m); /* answered before the loop read A: ask again */
        CHECK(server_now_ms() < deadline);
        server_sleep_ms(5);
    }
    long long answered = server_now_ms();
    int running = (int)server_json_number(m, "handlers.running");
    cJSON_Delete(m);
    if (!blocking && running != 1 && answered - sent >= 2000) {
        fprintf(stderr, "%s: /metrics answered %lld ms after A was sent, after A's 2 s "
                "wait: inconclusive, trying again\n", variant, answered - sent);
        server_close(a);
        server_stop(&p);
        return 0;
    }
    if (blocking) {
        CHECK_EQ_INT(running, 0);
        /* A's response was written before /metrics was even read. */
        CHECK_EQ_INT(server_read(a, &r, 0), 0);
        CHECK_EQ_INT(r.status, 200);
        /* A loop blocked for 2 s shows a lag of that order. */
        CHECK(server_metric(p.port, "loop_lag_ms.max_ever") >= 1000);
    } else {
        if (running != 1) { /* say how A's request ended */
            int got = server_read(a, &r, SERVER_WAIT_MS);
            fprintf(stderr, "%s: handlers.running %d, /metrics answered %lld ms after A was "
                    "sent; A's response: %s, status %d, body %.200s\n", variant, running,
                    answered - sent, got == 0 ? "read" : "none", got == 0 ? r.status : 0,
                    got == 0 ? r.body : "");
        }
        CHECK_EQ_INT(running, 1);
        CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
        CHECK_EQ_INT(server_read(a, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
    }
    server_close(a);
    server_stop(&p);
    fprintf(stderr, "ok: /metrics %s a running /correct under %s\n",
            blocking ? "waited for" : "overtook", variant);
    return 1;
}

static void healthz_while_correct(const char *variant) {
    int judged = 0;
    for (int attempt = 0; attempt < 3 && !judged; attempt++)
        judged = healthz_while_correct_once(variant);
    CHECK(judged);
}

int main(void) {
    healthz_while_correct("sync");
    healthz_while_correct("async_blocking");
    healthz_while_correct("async_tothread");
    CHECK_EQ_INT(max_handlers("async_blocking", "0"), 1);
    CHECK_EQ_INT(max_handlers("async_blocking", "20"), 1);
    CHECK(max_handlers("sync", "20") > 1);
    CHECK(max_handlers("async_tothread", "20") > 1);
    return 0;
}
