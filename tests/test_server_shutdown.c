/* test_server_shutdown.c - SIGTERM with requests in flight, the grace
 * period, and --workers: two processes both serving, stopped together. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "server_harness.h"

static server_resp r;

static const char correct_req[] =
    "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 31\r\n\r\n"
    "{\"sentence\": \"She go to home.\"}";

/* Waits until /metrics shows n handlers open (bounded). Each call is a new
 * connection, so with --workers it waits until one worker shows n. */
static void wait_running(int port, int n) {
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    while (server_metric(port, "handlers.running") < n) {
        CHECK(server_now_ms() < deadline);
        server_sleep_ms(10);
    }
}

/* Three requests in flight when SIGTERM arrives all get their 200, with
 * Connection: close; an idle keep-alive connection is simply closed; the
 * process exits 0. The 2 s I/O wait keeps them in flight from the moment
 * /metrics shows them until the signal lands, however slow the machine,
 * and is well inside the 10 s grace period. */
static void in_flight(const char *variant) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--io-delay-ms", "2000",
                          "--grace-ms", "10000", NULL};
    server_start(&p, args);
    server_conn *idle = server_connect(p.port);
    CHECK(idle);
    server_send_str(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_EQ_INT(server_read(idle, &r, SERVER_WAIT_MS), 0);

    server_conn *c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = server_connect(p.port);
        CHECK(c[i]);
        server_send_str(c[i], correct_req);
    }
    wait_running(p.port, 3);
    kill(p.pid, SIGTERM);
    for (int i = 0; i < 3; i++) {
        char v[32];
        CHECK_EQ_INT(server_read(c[i], &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
        CHECK(server_header(&r, "Connection", v, sizeof v) == 0);
        CHECK_EQ_STR(v, "close");
        CHECK_EQ_INT(server_wait_close(c[i], SERVER_WAIT_MS), 1);
        server_close(c[i]);
    }
    CHECK_EQ_INT(server_wait_close(idle, SERVER_WAIT_MS), 1);
    server_close(idle);
    CHECK_EQ_INT(server_signal_wait(&p, 0, SERVER_WAIT_MS), 0);
    /* Nobody listens any more. */
    CHECK(server_connect(p.port) == NULL);
    fprintf(stderr, "ok: graceful shutdown under %s\n", variant);
}

/* A request longer than the grace period is cut off, and the process
 * exits 0 soon after the grace period: the 20 s I/O wait on the pool is
 * ended with it rather than waited out. 10 s is a bound far from both the
 * 200 ms grace and the 20 s wait, not a timing. */
static void grace_over(const char *variant, const char *workers) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--workers", workers,
                          "--io-delay-ms", "20000", "--grace-ms", "200", NULL};
    server_start(&p, args);
    server_conn *c = server_connect(p.port);
    CHECK(c);
    server_send_str(c, correct_req);
    /* With two workers each /metrics may come from either; wait_running
     * asks until the one with the request answers. */
    wait_running(p.port, 1);
    long long t0 = server_now_ms();
    CHECK_EQ_INT(server_signal_wait(&p, SIGTERM, 10000), 0);
    fprintf(stderr, "ok: %s --workers %s with a 20 s I/O wait exited %lld ms "
            "after SIGTERM\n", variant, workers, server_now_ms() - t0);
    CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
}

static void two_workers(void) {
    server_proc p;
    const char *args[] = {"--workers", "2", "--threads", "2", NULL};
    server_start(&p, args);
    int pids[2] = {0, 0};
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    for (int tries = 0; !pids[1]; tries++) {
        CHECK(server_now_ms() < deadline);
        CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
        cJSON *j = server_json(&r);
        int pid = (int)server_json_number(j, "pid");
        cJSON_Delete(j);
        CHECK(pid != p.pid); /* the parent only supervises */
        if (!pids[0]) pids[0] = pid;
        else if (pid != pids[0]) pids[1] = pid;
        /* Both serve /correct too. */
        CHECK_EQ_INT(server_request(p.port, "POST", "/correct",
                                    "{\"sentence\": \"He go.\"}", &r), 200);
    }
    fprintf(stderr, "ok: workers %d and %d both served\n", pids[0], pids[1]);

    /* A request in flight in one worker survives SIGTERM to the parent. */
    server_proc q;
    const char *qargs[] = {"--workers", "2", "--threads", "2", "--io-delay-ms", "2000", NULL};
    server_start(&q, qargs);
    server_conn *c = server_connect(q.port);
    CHECK(c);
    server_send_str(c, correct_req);
    wait_running(q.port, 1); /* a worker has it */
    kill(q.pid, SIGTERM);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_close(c);
    CHECK_EQ_INT(server_signal_wait(&q, 0, SERVER_WAIT_MS), 0);

    /* SIGINT (Ctrl-C) stops them as SIGTERM does. */
    CHECK_EQ_INT(server_signal_wait(&p, SIGINT, SERVER_WAIT_MS), 0);
    /* The workers are gone with the parent. */
    for (int i = 0; i < 2; i++) CHECK(kill(pids[i], 0) == -1 && errno == ESRCH);
}

/* A worker that dies unasked takes the service down visibly: the
 * supervisor stops the other worker and exits 1 rather than limp on. */
static void worker_killed(void) {
    server_proc p;
    const char *args[] = {"--workers", "2", "--threads", "2", NULL};
    server_start(&p, args);
    CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
    cJSON *j = server_json(&r);
    int pid = (int)server_json_number(j, "pid");
    cJSON_Delete(j);
    CHECK(pid != p.pid);
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK_EQ_INT(server_signal_wait(&p, 0, SERVER_WAIT_MS), 1);
    CHECK(server_connect(p.port) == NULL);
}

/* A stop signal that arrives as soon as the listening line has been read,
 * before the worker's loop runs or while --workers are still starting,
 * still ends in a clean exit 0 rather than death by the signal. */
static void signal_at_once(const char *workers) {
    const char *args[] = {"--workers", workers, "--threads", "2", NULL};
    for (int i = 0; i < 10; i++) {
        server_proc p;
        server_start(&p, args);
        int sig = i % 2 ? SIGINT : SIGTERM;
        CHECK_EQ_INT(server_signal_wait(&p, sig, SERVER_WAIT_MS), 0);
    }
    fprintf(stderr, "ok: immediate stop signals with --workers %s\n", workers);
}

int main(void) {
    signal_at_once("1");
    signal_at_once("2");
    in_flight("sync");
    in_flight("async_tothread");
    grace_over("sync", "1");
    grace_over("async_tothread", "1");
    grace_over("sync", "2");
    two_workers();
    worker_killed();
    return 0;
}
