/* model_process.c - one of async_toprocess's model processes: `miniserve
 * --model-process WEIGHTS`, started by the loop (procpool.c) with its end
 * of a SOCK_SEQPACKET socketpair on fd 3. It loads the model once, runs
 * one correction to warm its buffers (the pool is primed at start-up, as
 * seed 003 advises for process pools), then answers one request message
 * with one result message until the socket closes.
 *
 * SIGTERM and SIGINT are ignored: they reach the whole process group when
 * the server is stopped, and the server decides when its processes end
 * (by closing the socket, once the call in flight is done). If the server
 * itself is killed, the socket closes too, and so does this process. */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MODEL_FD 3

int srv_model_process_main(const char *weights) {
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the server */
    if (getppid() == 1) return 1;     /* it died before we asked */
    gpt_model *m;
    int rc = gpt_load(weights, &m);
    if (rc) {
        fprintf(stderr, "miniserve model process %d: cannot load %s: %s\n", (int)getpid(),
                weights, gpt_strerror(rc));
        return 1;
    }
    gpt_state *st = gpt_state_new(m);
    if (!st) {
        gpt_free(m);
        return 1;
    }
    agent_result warm;
    agent_correct(m, st, "She go.", NULL, &warm);
    for (;;) {
        srv_model_request req;
        ssize_t n = recv(MODEL_FD, &req, sizeof req, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof req) break; /* 0: the server closed it; else broken */
        srv_model_reply rep = {.id = req.id};
        req.sentence[sizeof req.sentence - 1] = '\0';
        req.learner_id[sizeof req.learner_id - 1] = '\0';
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rep.rc = agent_correct(m, st, req.sentence, req.has_learner ? req.learner_id : NULL,
                               &rep.result);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        rep.model_ns = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
        if (send(MODEL_FD, &rep, sizeof rep, MSG_NOSIGNAL) != (ssize_t)sizeof rep) break;
    }
    gpt_state_free(st);
    gpt_free(m);
    return 0;
}
