/* spawn.c - starting the server under test, waiting for it, stopping it.
 * Runs on the harness's main thread, plus one thread per server that copies
 * its stdout into its log. */
#include "run/run.h"

#include "load/load.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Copies the server's stdout into its log until the server closes it. */
static void *drain_stdout(void *arg) {
    hs_server *srv = arg;
    char buf[4096];
    ssize_t n;
    while ((n = read(srv->out_fd, buf, sizeof buf)) > 0 ||
           (n < 0 && errno == EINTR))
        if (n > 0 && write(srv->log_fd, buf, (size_t)n) < 0) break;
    return NULL;
}

void hs_log_tail(const char *path, int lines, char *out, size_t size) {
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char buf[8192];
    fseek(f, 0, SEEK_END);
    long end = ftell(f), from = end > (long)sizeof buf - 1 ? end - (long)sizeof buf + 1 : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
    const char *p = buf + n;
    int seen = 0;
    while (p > buf && seen < lines)
        if (*--p == '\n') seen++;
    if (*p == '\n') p++;
    snprintf(out, size, "%s", p);
}

void hs_describe_status(int status, char *out, size_t size) {
    if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "stopped (status 0x%x)", status);
}

int hs_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Reads the first stdout line within timeout_s. Returns its length, 0 on
 * EOF, -ETIMEDOUT, or a negative errno. */
static int read_first_line(int fd, double timeout_s, char *line, size_t size) {
    size_t len = 0;
    double deadline = hs_now() + timeout_s;
    while (len + 1 < size) {
        int ms = (int)((deadline - hs_now()) * 1000);
        if (ms <= 0) return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, ms);
        if (hs_stop) return -EINTR;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -errno;
        if (r == 0) return -ETIMEDOUT;
        char c;
        ssize_t n = read(fd, &c, 1); /* byte by byte: the rest is the log's */
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) return 0;
        if (c == '\n') break;
        line[len++] = c;
    }
    line[len] = '\0';
    return (int)len + 1;
}

static void fail_with_log(hs_server *srv, const char *log_path, char *err,
                          size_t err_size, const char *what) {
    char tail[2048], st[128] = "";
    if (srv->reaped) hs_describe_status(srv->status, st, sizeof st);
    hs_log_tail(log_path, 10, tail, sizeof tail);
    snprintf(err, err_size, "%s%s%s\n--- last lines of %s ---\n%s", what,
             st[0] ? ": server " : "", st, log_path, tail[0] ? tail : "(empty)");
}

int hs_server_start(char *const argv[], int port, const char *log_path,
                    double timeout_s, hs_server *srv, char *err, size_t err_size) {
    int out[2] = {-1, -1}, exec_err[2] = {-1, -1};
    memset(srv, 0, sizeof *srv);
    srv->out_fd = srv->log_fd = -1;
    srv->log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (srv->log_fd < 0) {
        snprintf(err, err_size, "%s: %s", log_path, strerror(errno));
        return -errno;
    }
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(exec_err, O_CLOEXEC) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        /* Own process group: a Ctrl-C at the terminal reaches the harness,
         * which stops servers in order, not the servers directly. And die
         * with the harness rather than outlive it. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        dup2(out[1], STDOUT_FILENO);
        dup2(srv->log_fd, STDERR_FILENO);
        execvp(argv[0], argv);
        int e = errno;
        if (write(exec_err[1], &e, sizeof e) < 0) _exit(127);
        _exit(127);
    }
    srv->pid = pid;
    close(out[1]), out[1] = -1;
    close(exec_err[1]), exec_err[1] = -1;
    srv->out_fd = out[0], out[0] = -1;

    /* exec_err closes on a successful exec; otherwise it carries errno. */
    int e = 0;
    ssize_t n = read(exec_err[0], &e, sizeof e);
    close(exec_err[0]), exec_err[0] = -1;
    if (n == (ssize_t)sizeof e) {
        waitpid(pid, &srv->status, 0);
        srv->reaped = 1, srv->pid = 0;
        snprintf(err, err_size, "cannot run %s: %s", argv[0], strerror(e));
        goto fail;
    }

    if (port == 0) {
        char line[512];
        int r = read_first_line(srv->out_fd, timeout_s, line, sizeof line);
        if (r <= 0) {
            /* Closed stdout need not mean exited: only look, never wait
             * here, or a server that closes stdout and runs on would hang
             * us. hs_server_stop below ends it either way. */
            if (r == 0 && waitpid(pid, &srv->status, WNOHANG) == pid) srv->reaped = 1;
            fail_with_log(srv, log_path, err, err_size,
                          r == -ETIMEDOUT ? "no \"listening on\" line within the start-up timeout"
                          : r == -EINTR   ? "interrupted while waiting for the server to start"
                                          : "server closed its output before saying where it listens");
            goto fail;
        }
        /* Our own dprintf below is the log's copy of the line. */
        dprintf(srv->log_fd, "%s\n", line);
        if (sscanf(line, "listening on http://%63[^:]:%d", srv->host, &srv->port) != 2 ||
            srv->port <= 0 || srv->port > 65535) {
            fail_with_log(srv, log_path, err, err_size,
                          "first output line is not \"listening on http://HOST:PORT\"");
            goto fail;
        }
    } else {
        snprintf(srv->host, sizeof srv->host, "127.0.0.1");
        srv->port = port;
    }
    snprintf(srv->base_url, sizeof srv->base_url, "http://%s:%d", srv->host, srv->port);
    if (pthread_create(&srv->drain, NULL, drain_stdout, srv) == 0) srv->draining = 1;
    return 0;
fail:
    if (out[0] >= 0) close(out[0]);
    if (out[1] >= 0) close(out[1]);
    if (exec_err[0] >= 0) close(exec_err[0]);
    if (exec_err[1] >= 0) close(exec_err[1]);
    hs_server_stop(srv, 2.0);
    return -1;
}

static size_t keep_body(char *ptr, size_t size, size_t nmemb, void *user) {
    char **body = user;
    size_t old = *body ? strlen(*body) : 0, add = size * nmemb;
    if (old + add > 65536) return 0;
    char *b = realloc(*body, old + add + 1);
    if (!b) return 0;
    memcpy(b + old, ptr, add);
    b[old + add] = '\0';
    *body = b;
    return add;
}

int hs_server_wait_healthy(hs_server *srv, const char *path, double timeout_s,
                           char **body, char *err, size_t err_size) {
    char url[512];
    snprintf(url, sizeof url, "%s%s", srv->base_url, path);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, err_size, "out of memory");
        return -ENOMEM;
    }
    double deadline = hs_now() + timeout_s;
    long status = 0;
    CURLcode cc = CURLE_OK;
    char *got = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    while (1) {
        free(got), got = NULL;
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (cc == CURLE_OK && status == 200) break;
        int st;
        if (waitpid(srv->pid, &st, WNOHANG) == srv->pid) {
            srv->reaped = 1, srv->status = st;
            snprintf(err, err_size, "server exited before %s answered", url);
            goto fail;
        }
        if (hs_stop) {
            snprintf(err, err_size, "interrupted while waiting for %s", url);
            goto fail;
        }
        if (hs_now() > deadline) {
            if (cc == CURLE_OK)
                snprintf(err, err_size, "%s answered %ld, not 200, for %.0f s", url, status, timeout_s);
            else
                snprintf(err, err_size, "%s did not answer within %.0f s: %s", url, timeout_s,
                         curl_easy_strerror(cc));
            goto fail;
        }
        usleep(100 * 1000);
    }
    curl_easy_cleanup(c);
    if (body) *body = got;
    else free(got);
    return 0;
fail:
    free(got);
    curl_easy_cleanup(c);
    return -1;
}

void hs_server_stop(hs_server *srv, double grace_s) {
    if (srv->pid > 0 && !srv->reaped) {
        kill(srv->pid, SIGTERM);
        double deadline = hs_now() + grace_s;
        while (!srv->reaped) {
            pid_t r = waitpid(srv->pid, &srv->status, WNOHANG);
            if (r == srv->pid) {
                srv->reaped = 1;
                break;
            }
            if (r < 0 && errno != EINTR) break; /* not ours to wait for */
            if (hs_now() > deadline) {
                srv->killed = 1;
                kill(-srv->pid, SIGKILL); /* its workers too */
                kill(srv->pid, SIGKILL);
                pid_t w;
                while ((w = waitpid(srv->pid, &srv->status, 0)) < 0 && errno == EINTR) {}
                if (w == srv->pid) srv->reaped = 1;
                break;
            }
            usleep(20 * 1000);
        }
    }
    /* Workers left behind by a parent that died are still in its group. */
    if (srv->pid > 0) kill(-srv->pid, SIGKILL);
    if (srv->draining) {
        pthread_join(srv->drain, NULL);
        srv->draining = 0;
    }
    if (srv->out_fd >= 0) close(srv->out_fd), srv->out_fd = -1;
    if (srv->log_fd >= 0) close(srv->log_fd), srv->log_fd = -1;
}
