/* supervise.c - --workers N: N processes serving one listening socket.
 *
 * The parent only forks, forwards SIGTERM/SIGINT and reaps, like uvicorn's
 * supervisor. It waits for signals with sigtimedwait() on a blocked mask
 * rather than in handlers, so there is nothing async-signal-unsafe to get
 * wrong. Workers inherit SIGTERM and SIGINT blocked (the caller blocks them
 * before it announces the socket, and this keeps them blocked), so one that
 * arrives while a worker is still loading its model waits for the worker's
 * loop, which unblocks them once it handles them.
 */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds past the workers' grace period before they are killed. */
#define SUPERVISE_KILL_SLACK_S 5

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Main thread of the parent. Sends SIGTERM to every live worker and
 * returns when they must be gone: past the grace period, plus slack. */
static double stop_workers(const srv_config *cfg, const pid_t *pids, int n) {
    for (int i = 0; i < n; i++)
        if (pids[i] > 0) kill(pids[i], SIGTERM);
    return now_s() + cfg->grace_ms / 1000.0 + SUPERVISE_KILL_SLACK_S;
}

/* Main thread of the parent. */
int srv_supervise(const srv_config *cfg, int listen_fd) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);

    int n = cfg->workers;
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    int alive = 0, failed = 0, stopping = 0;
    double kill_at = 0;
    if (!pids) failed = 1;
    pid_t parent = getpid();
    for (int i = 0; pids && i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            /* A supervisor killed outright must not leave workers behind. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) raise(SIGTERM);
            /* The caller's mask, but SIGTERM and SIGINT stay blocked
             * until srv_worker_run() has handlers for them. */
            sigset_t child = old;
            sigaddset(&child, SIGTERM);
            sigaddset(&child, SIGINT);
            sigprocmask(SIG_SETMASK, &child, NULL);
            free(pids);
            int rc = srv_worker_run(cfg, listen_fd);
            exit(rc ? 1 : 0);
        }
        if (pid < 0) {
            fprintf(stderr, "miniserve: fork: %s\n", strerror(errno));
            failed = 1;
            break;
        }
        pids[i] = pid;
        alive++;
    }
    /* Only the workers accept; a parent copy would keep the port open
     * after they have stopped. */
    close(listen_fd);
    if (failed && alive > 0) {
        stopping = 1;
        kill_at = stop_workers(cfg, pids, n);
    }

    while (alive > 0) {
        struct timespec tick = {0, 200 * 1000000L};
        siginfo_t info;
        int sig = sigtimedwait(&set, &info, &tick);
        if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
            stopping = 1;
            kill_at = stop_workers(cfg, pids, n);
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int i = 0; i < n; i++) {
                if (pids[i] != pid) continue;
                pids[i] = 0;
                alive--;
                int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                if (!ok || !stopping) {
                    fprintf(stderr, "miniserve: worker %d %s %d\n", (int)pid,
                            WIFEXITED(status) ? "exited with" : "killed by signal",
                            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                    failed = 1;
                }
                if (!stopping) {
                    /* One worker gone unasked: stop the rest too. */
                    stopping = 1;
                    kill_at = stop_workers(cfg, pids, n);
                }
            }
        }
        if (stopping && alive > 0 && now_s() > kill_at) {
            for (int i = 0; i < n; i++)
                if (pids[i] > 0) kill(pids[i], SIGKILL);
            failed = 1;
            kill_at = now_s() + 3600;
        }
    }
    free(pids);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return failed ? -ECHILD : 0;
}
