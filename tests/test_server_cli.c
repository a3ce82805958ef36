/* test_server_cli.c - --help tells the truth; bad flags exit 2 with a
 * message; an unreadable weights file fails at start-up, before listening. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "server_harness.h"

/* Runs miniserve with args; returns its exit status, with stdout and
 * stderr (truncated) in out and err. Bounded by SERVER_WAIT_MS. */
static int run(const char *const *args, char *out, size_t out_size, char *err,
               size_t err_size) {
    int po[2], pe[2];
    CHECK(pipe(po) == 0 && pipe(pe) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        const char *argv[32];
        int n = 0;
        argv[n++] = MINISERVE_BIN;
        for (int i = 0; args[i] && n < 31; i++) argv[n++] = args[i];
        argv[n] = NULL;
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    int open_fds = 2;
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    while (open_fds > 0 && server_now_ms() < deadline) {
        struct pollfd f[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
        if (poll(f, 2, 100) <= 0) continue;
        char tmp[4096];
        for (int i = 0; i < 2; i++) {
            if (!(f[i].revents & (POLLIN | POLLHUP)) || f[i].fd < 0) continue;
            ssize_t k = read(f[i].fd, tmp, sizeof tmp);
            char *dst = i ? err : out;
            size_t *len = i ? &ne : &no;
            size_t cap = i ? err_size : out_size;
            if (k <= 0) {
                close(i ? pe[0] : po[0]);
                if (i) pe[0] = -1;
                else po[0] = -1;
                open_fds--;
                continue;
            }
            size_t take = (size_t)k < cap - 1 - *len ? (size_t)k : cap - 1 - *len;
            memcpy(dst + *len, tmp, take);
            *len += take;
        }
        if (po[0] < 0 && pe[0] < 0) break;
    }
    out[no] = '\0';
    err[ne] = '\0';
    if (po[0] >= 0) close(po[0]);
    if (pe[0] >= 0) close(pe[0]);
    server_proc p = {.pid = pid};
    return server_signal_wait(&p, 0, SERVER_WAIT_MS);
}

static char out[16384], err[16384];

static void bad(const char *const *args, const char *needle) {
    CHECK_EQ_INT(run(args, out, sizeof out, err, sizeof err), 2);
    if (!strstr(err, needle)) fprintf(stderr, "stderr was: %s\n", err);
    CHECK(strstr(err, needle) != NULL);
    CHECK_EQ_STR(out, "");
}

int main(void) {
    const char *help[] = {"--help", NULL};
    CHECK_EQ_INT(run(help, out, sizeof out, err, sizeof err), 0);
    const char *flags[] = {"--variant", "sync", "async_blocking", "async_tothread",
                           "--threads", "(default 40)", "--workers", "--host",
                           "--port", "--weights", "--io-delay-ms", "--max-conns",
                           "--max-body", "--max-header", "--idle-timeout-ms",
                           "--request-timeout-ms", "--grace-ms", "/correct",
                           "/healthz", "/metrics", "listening on",
                           "--detect-blocking[=MS]", "/debug/blocks",
                           /* every status the server sends */
                           "400 ", "404 ", "405 ", "408 ", "413 ", "422 ", "431 ",
                           "500 ", "501 ", "502 ", "503 ", "505 ", NULL};
    for (int i = 0; flags[i]; i++) {
        if (!strstr(out, flags[i])) fprintf(stderr, "--help lacks %s\n", flags[i]);
        CHECK(strstr(out, flags[i]) != NULL);
    }

    bad((const char *[]){"--bogus", NULL}, "--bogus: unknown option");
    bad((const char *[]){"--threads", NULL}, "missing value");
    bad((const char *[]){"--threads", "0", NULL}, "--threads 0");
    bad((const char *[]){"--threads", "4x", NULL}, "--threads 4x");
    bad((const char *[]){"--workers", "-1", NULL}, "--workers");
    bad((const char *[]){"--port", "70000", NULL}, "--port 70000");
    bad((const char *[]){"--variant", "fast", NULL}, "--variant fast");
    bad((const char *[]){"stray", NULL}, "unexpected argument 'stray'");
    bad((const char *[]){"--detect-blocking=0", NULL}, "expected an integer in 1..60000");
    bad((const char *[]){"--detect-blocking=ten", NULL}, "--detect-blocking ten");
    bad((const char *[]){"--detect-blocking", "10", NULL},
        "write --detect-blocking=10");

    const char *weights[] = {"--port", "0", "--weights", "/nonexistent/w.bin", NULL};
    CHECK_EQ_INT(run(weights, out, sizeof out, err, sizeof err), 1);
    CHECK(strstr(err, "/nonexistent/w.bin") != NULL);
    CHECK(strstr(out, "listening") == NULL);

    const char *host[] = {"--port", "0", "--weights", MINISERVE_TEST_WEIGHTS,
                          "--host", "localhost", NULL};
    CHECK_EQ_INT(run(host, out, sizeof out, err, sizeof err), 1);
    CHECK(strstr(err, "localhost") != NULL);
    return 0;
}
