/* server_harness.c - see server_harness.h. */
#include "server_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef MINISERVE_BIN
#error "MINISERVE_BIN must name the miniserve binary"
#endif
#ifndef MINISERVE_TEST_WEIGHTS
#error "MINISERVE_TEST_WEIGHTS must name the weights the tests serve"
#endif

long long server_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void server_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

void server_start(server_proc *p, const char *const *args) {
    server_start_log(p, args, NULL);
}

void server_start_log(server_proc *p, const char *const *args, const char *log_path) {
    server_start_bin(p, MINISERVE_BIN, args, log_path);
}

void server_start_bin(server_proc *p, const char *bin, const char *const *args,
                      const char *log_path) {
    int pipefd[2];
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = "0";
    int has_weights = 0;
    for (int i = 0; args && args[i]; i++)
        if (strcmp(args[i], "--weights") == 0) has_weights = 1;
    if (!has_weights) {
        argv[n++] = "--weights";
        argv[n++] = MINISERVE_TEST_WEIGHTS;
    }
    for (int i = 0; args && args[i] && n < 63; i++) argv[n++] = args[i];
    argv[n] = NULL;

    signal(SIGPIPE, SIG_IGN);
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipefd[1], STDOUT_FILENO);
        if (log_path) {
            FILE *log = fopen(log_path, "w");
            if (!log) _exit(126);
            dup2(fileno(log), STDERR_FILENO);
        }
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "execv %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    p->pid = pid;
    p->port = 0;

    char line[256];
    size_t len = 0;
    long long deadline = server_now_ms() + SERVER_WAIT_MS;
    while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
        struct pollfd pfd = {pipefd[0], POLLIN, 0};
        int left = (int)(deadline - server_now_ms());
        CHECK(left > 0 && poll(&pfd, 1, left) == 1);
        ssize_t k = read(pipefd[0], line + len, sizeof line - 1 - len);
        CHECK(k > 0);
        len += (size_t)k;
    }
    line[len] = '\0';
    close(pipefd[0]); /* nothing else is printed on stdout */
    const char *colon = strrchr(line, ':');
    CHECK(strncmp(line, "listening on http://127.0.0.1:", 30) == 0 && colon);
    p->port = atoi(colon + 1);
    CHECK(p->port > 0);
}

int server_signal_wait(server_proc *p, int sig, int timeout_ms) {
    int status;
    kill(p->pid, sig);
    long long deadline = server_now_ms() + timeout_ms;
    while (server_now_ms() < deadline) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
        server_sleep_ms(10);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    return -1;
}

void server_stop(server_proc *p) {
    CHECK_EQ_INT(server_signal_wait(p, SIGTERM, SERVER_WAIT_MS), 0);
}

server_conn *server_connect(int port) {
    server_conn *c = calloc(1, sizeof *c);
    CHECK(c);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(c->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        free(c);
        return NULL;
    }
    return c;
}

void server_close(server_conn *c) {
    if (!c) return;
    close(c->fd);
    free(c);
}

void server_send(server_conn *c, const char *data, size_t len) {
    while (len > 0) {
        ssize_t k = send(c->fd, data, len, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        CHECK(k > 0);
        data += k;
        len -= (size_t)k;
    }
}

void server_send_str(server_conn *c, const char *s) { server_send(c, s, strlen(s)); }

/* Reads more bytes into c->buf. Returns bytes read, 0 on EOF or reset,
 * -2 on timeout. */
static int fill(server_conn *c, long long deadline) {
    int left = (int)(deadline - server_now_ms());
    if (left < 0) left = 0; /* a zero timeout still looks once */
    struct pollfd pfd = {c->fd, POLLIN, 0};
    int pr = poll(&pfd, 1, left);
    if (pr == 0) return -2;
    CHECK(pr == 1);
    CHECK(c->len < sizeof c->buf);
    ssize_t k = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (k <= 0) return 0;
    c->len += (size_t)k;
    return (int)k;
}

int server_header(const server_resp *r, const char *name, char *out, size_t size) {
    size_t n = strlen(name);
    for (const char *line = strstr(r->headers, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') v++;
            size_t vl = strcspn(v, "\r\n");
            if (vl >= size) vl = size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Reads one response; a response to HEAD (head) has no body whatever its
 * Content-Length says. */
static int read_response(server_conn *c, server_resp *r, int timeout_ms, int head) {
    long long deadline = server_now_ms() + timeout_ms;
    char *end;
    memset(r, 0, offsetof(server_resp, body) + 1);
    r->body[0] = '\0';
    while (!(c->len >= 4 && (end = memmem(c->buf, c->len, "\r\n\r\n", 4)))) {
        int k = fill(c, deadline);
        if (k <= 0) return k == -2 ? -2 : -1;
    }
    size_t hlen = (size_t)(end - c->buf) + 4;
    CHECK(hlen < sizeof r->headers);
    memcpy(r->headers, c->buf, hlen);
    r->headers[hlen] = '\0';
    CHECK(sscanf(r->headers, "HTTP/1.1 %d", &r->status) == 1);
    char cl[32];
    CHECK(server_header(r, "Content-Length", cl, sizeof cl) == 0);
    size_t blen = head ? 0 : (size_t)atol(cl);
    CHECK(blen < sizeof r->body);
    while (c->len < hlen + blen) {
        int k = fill(c, deadline);
        if (k <= 0) return k == -2 ? -2 : -1;
    }
    memcpy(r->body, c->buf + hlen, blen);
    r->body[blen] = '\0';
    r->body_len = blen;
    memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen);
    c->len -= hlen + blen;
    return 0;
}

int server_read(server_conn *c, server_resp *r, int timeout_ms) {
    return read_response(c, r, timeout_ms, 0);
}

int server_read_head(server_conn *c, server_resp *r, int timeout_ms) {
    return read_response(c, r, timeout_ms, 1);
}

int server_read_bytes(server_conn *c, size_t n, int timeout_ms) {
    long long deadline = server_now_ms() + timeout_ms;
    while (c->len < n) {
        int k = fill(c, deadline);
        if (k <= 0) return k == -2 ? -2 : -1;
    }
    return 0;
}

int server_wait_close(server_conn *c, int timeout_ms) {
    long long deadline = server_now_ms() + timeout_ms;
    if (c->len > 0) return -1;
    int k = fill(c, deadline);
    if (k == -2) return 0;
    return k == 0 ? 1 : -1;
}

void server_format(char *out, size_t size, const char *method, const char *path,
                   const char *body) {
    int n;
    if (body)
        n = snprintf(out, size,
                     "%s %s HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, strlen(body), body);
    else
        n = snprintf(out, size, "%s %s HTTP/1.1\r\nHost: test\r\n\r\n", method, path);
    CHECK(n > 0 && (size_t)n < size);
}

int server_request(int port, const char *method, const char *path,
                   const char *body, server_resp *r) {
    char req[1 << 16];
    server_conn *c = server_connect(port);
    CHECK(c);
    server_format(req, sizeof req, method, path, body);
    server_send_str(c, req);
    CHECK_EQ_INT(server_read(c, r, SERVER_WAIT_MS), 0);
    server_close(c);
    return r->status;
}

cJSON *server_json(const server_resp *r) {
    cJSON *j = cJSON_Parse(r->body);
    if (!j) fprintf(stderr, "not JSON: %s\n", r->body);
    CHECK(j);
    return j;
}

double server_json_number(const cJSON *root, const char *path) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *o = root;
    for (char *save, *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
        o = cJSON_GetObjectItemCaseSensitive(o, tok);
    if (!cJSON_IsNumber(o)) fprintf(stderr, "no number at %s\n", path);
    CHECK(cJSON_IsNumber(o));
    return o->valuedouble;
}

double server_metric(int port, const char *path) {
    static server_resp r;
    CHECK_EQ_INT(server_request(port, "GET", "/metrics", NULL, &r), 200);
    cJSON *j = server_json(&r);
    double v = server_json_number(j, path);
    cJSON_Delete(j);
    return v;
}
