/* procpool.c - async_toprocess's pool of model processes, seen from the
 * loop: seed 003's ProcessPoolExecutor, primed once at start-up.
 *
 * Each model process is this binary again (`miniserve --model-process`,
 * model_process.c), started with uv_spawn and holding one end of a
 * SOCK_SEQPACKET socketpair on its fd 3; the loop holds the other end
 * under a uv_poll. A request is one message, its result one message, so
 * nothing on the loop ever blocks on a process: sends are of one small
 * message to a process with nothing in flight, and results are read when
 * the socket says they are there.
 *
 * A process that dies (killed, crashed) takes its request with it: that
 * request gets a 502 with a JSON error, and a new process is started in
 * its place. A client that leaves while its job runs in a process does
 * not stop the job (a process cannot be interrupted mid-call, seed 003's
 * caveat): the result comes back, finds the connection closed, and is
 * dropped with it.
 *
 * Everything here runs on the loop thread.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A pool that cannot keep a process alive this many times in a row, each
 * dying before it answered once, gives up: its requests get 503. */
#define PROC_MAX_QUICK_DEATHS 5

static void spawn(srv_proc *p);
static void dispatch(srv_procpool *pp);

static void on_handle_closed(uv_handle_t *h) {
    srv_proc *p = h->data;
    if (--p->handles_open > 0) return;
    /* Both handles closed: the slot is free; start another unless the
     * worker is stopping or the pool gave up. */
    srv_procpool *pp = &p->w->procpool;
    if (!pp->stopping && !pp->gave_up) {
        pp->restarts++;
        spawn(p);
    }
}

/* The request p had in flight, if any, ends with err (a 502: the process
 * died) and p takes no more. */
static void lose(srv_proc *p) {
    srv_procpool *pp = &p->w->procpool;
    if (p->polling) {
        uv_poll_stop(&p->poll);
        p->polling = 0;
        uv_close((uv_handle_t *)&p->poll, on_handle_closed);
    }
    if (p->fd >= 0) close(p->fd), p->fd = -1;
    srv_conn *c = p->job;
    p->job = NULL;
    if (c) {
        pp->busy--;
        srv_metrics_model_end(&p->w->metrics);
        srv_correct_from_process(c, SRV_PROC_DIED, NULL);
    }
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int term_signal) {
    srv_proc *p = proc->data;
    srv_procpool *pp = &p->w->procpool;
    p->alive = 0;
    pp->alive--;
    /* Died before it answered once: a start-up failure, most likely. */
    pp->quick_deaths = p->answered ? 0 : pp->quick_deaths + 1;
    if (!pp->stopping && !pp->gave_up && pp->quick_deaths >= PROC_MAX_QUICK_DEATHS) {
        fprintf(stderr, "miniserve[%d]: %d model processes in a row died before answering; "
                        "starting no more (requests get 503, /healthz too)\n", (int)getpid(),
                pp->quick_deaths);
        pp->gave_up = 1;
    }
    if (!pp->stopping)
        fprintf(stderr, "miniserve[%d]: model process %d ended (%s %d)%s\n", (int)getpid(),
                (int)proc->pid, term_signal ? "signal" : "status",
                term_signal ? term_signal : (int)status,
                pp->gave_up ? "" : "; starting another");
    lose(p);
    uv_close((uv_handle_t *)&p->process, on_handle_closed);
    if (pp->gave_up) dispatch(pp); /* fails what waits */
}

/* Reads p's results: one message each. */
static void on_readable(uv_poll_t *h, int status, int events) {
    srv_proc *p = h->data;
    srv_procpool *pp = &p->w->procpool;
    (void)events;
    for (;;) {
        srv_model_reply rep;
        ssize_t n = status < 0 ? -1 : recv(p->fd, &rep, sizeof rep, MSG_DONTWAIT);
        if (n < 0 && status >= 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n != (ssize_t)sizeof rep || !p->job || rep.id != p->job_id) {
            /* EOF, an error, or a message we did not ask for: this
             * process is no longer to be trusted; its exit follows (or is
             * forced), and lose() ends its request. */
            if (p->alive) uv_process_kill(&p->process, SIGKILL);
            lose(p);
            return;
        }
        uint64_t trip = uv_hrtime() - p->sent_ns;
        uint64_t over = trip > rep.model_ns ? trip - rep.model_ns : 0;
        pp->trips++, pp->overhead_ns_sum += over;
        if (over > pp->overhead_ns_max) pp->overhead_ns_max = over;
        srv_conn *c = p->job;
        p->job = NULL;
        p->answered = 1;
        pp->busy--;
        srv_metrics_model_end(&p->w->metrics);
        srv_correct_from_process(c, rep.rc, &rep.result);
        dispatch(pp);
    }
}

/* Starts the model process of slot p. */
static void spawn(srv_proc *p) {
    srv_procpool *pp = &p->w->procpool;
    int sv[2];
    p->fd = -1, p->job = NULL, p->answered = 0, p->handles_open = 0;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        fprintf(stderr, "miniserve: socketpair: %s\n", strerror(errno));
        pp->gave_up = 1;
        return;
    }
    char *args[] = {pp->exe, "--model-process", (char *)p->w->cfg->weights, NULL};
    uv_stdio_container_t stdio[4] = {
        {.flags = UV_IGNORE}, {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = 2}, /* its errors in our log */
        {.flags = UV_INHERIT_FD, .data.fd = sv[1]},
    };
    uv_process_options_t o = {.exit_cb = on_exit_cb, .file = pp->exe, .args = args,
                              .stdio_count = 4, .stdio = stdio};
    p->process.data = p;
    int rc = uv_spawn(&p->w->loop, &p->process, &o);
    close(sv[1]);
    if (rc) {
        fprintf(stderr, "miniserve: cannot start a model process: %s\n", uv_strerror(rc));
        close(sv[0]);
        uv_close((uv_handle_t *)&p->process, NULL);
        pp->gave_up = 1;
        return;
    }
    p->alive = 1, pp->alive++;
    p->handles_open = 2; /* the process and the poll */
    p->fd = sv[0];
    p->poll.data = p;
    uv_poll_init(&p->w->loop, &p->poll, p->fd);
    uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT, on_readable);
    p->polling = 1;
}

/* Hands waiting requests to idle processes; fails them all once the pool
 * has given up. */
static void dispatch(srv_procpool *pp) {
    while (pp->head) {
        srv_proc *idle = NULL;
        for (int i = 0; i < pp->n && !idle; i++)
            if (pp->procs[i].alive && pp->procs[i].polling && !pp->procs[i].job)
                idle = &pp->procs[i];
        if (!idle && !pp->gave_up) return;
        srv_conn *c = pp->head;
        pp->head = c->proc_next;
        if (!pp->head) pp->tail = NULL;
        c->proc_next = NULL;
        pp->queued--;
        if (c->closing || pp->gave_up) { /* left while it waited, or no process */
            srv_correct_from_process(c, c->closing ? 0 : SRV_PROC_NONE, NULL);
            continue;
        }
        srv_model_request req = {.id = ++pp->next_id, .has_learner = c->job.has_learner};
        memcpy(req.sentence, c->job.sentence, sizeof req.sentence);
        memcpy(req.learner_id, c->job.learner_id, sizeof req.learner_id);
        if (send(idle->fd, &req, sizeof req, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof req) {
            /* a process with nothing in flight has room for one message:
             * this one is broken */
            if (idle->alive) uv_process_kill(&idle->process, SIGKILL);
            lose(idle);
            srv_correct_from_process(c, SRV_PROC_DIED, NULL);
            continue;
        }
        idle->job = c, idle->job_id = req.id, idle->sent_ns = uv_hrtime();
        pp->busy++;
        if (pp->busy > pp->busy_max) pp->busy_max = pp->busy;
        srv_metrics_model_begin(&idle->w->metrics);
    }
}

void srv_procpool_submit(srv_conn *c) {
    srv_procpool *pp = &c->w->procpool;
    c->work_pending = 1; /* the connection outlives a close until the result is back */
    c->proc_next = NULL;
    if (pp->tail) pp->tail->proc_next = c;
    else pp->head = c;
    pp->tail = c;
    pp->queued++;
    dispatch(pp);
}

int srv_procpool_start(srv_worker *w) {
    srv_procpool *pp = &w->procpool;
    ssize_t len = readlink("/proc/self/exe", pp->exe, sizeof pp->exe - 1);
    if (len <= 0) return -errno;
    pp->exe[len] = '\0';
    pp->n = w->cfg->processes;
    pp->procs = calloc((size_t)pp->n, sizeof *pp->procs);
    if (!pp->procs) return -ENOMEM;
    for (int i = 0; i < pp->n; i++) {
        pp->procs[i].w = w;
        pp->procs[i].index = i;
        spawn(&pp->procs[i]);
    }
    return pp->gave_up ? -ECHILD : 0;
}

void srv_procpool_stop(srv_worker *w) {
    srv_procpool *pp = &w->procpool;
    pp->stopping = 1;
    /* Closing our ends ends each process (EOF on its socket), after the
     * call it is in, if any; its exit callback closes its handle. */
    for (int i = 0; i < pp->n; i++) {
        srv_proc *p = &pp->procs[i];
        if (p->alive) lose(p);
    }
    dispatch(pp);
}

void srv_procpool_free(srv_worker *w) {
    free(w->procpool.procs);
    w->procpool.procs = NULL;
}
