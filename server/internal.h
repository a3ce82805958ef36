/* internal.h - what the files of server/ share; not a public interface.
 *
 * Threads: a worker process has one loop thread and a libuv pool of
 * cfg->threads threads. Everything here belongs to the loop thread except:
 * the atomics in srv_metrics, the state list in srv_pool and srv_io_wait,
 * which pool threads use too under their own locks; and a connection's
 * req and job, which belong to the pool thread running its work while
 * c->work_pending is set (the loop reads or resets neither until the
 * after-work callback has cleared it).
 */
#ifndef MINISERVE_INTERNAL_H
#define MINISERVE_INTERNAL_H

#include <http_parser.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blockwatch.h"
#include "minigpt.h"
#include "server.h"

#define container_of(ptr, type, member)                                      \
    ((type *)((char *)(ptr)-offsetof(type, member)))

/* Unparsed input a connection may hold: enough for the pipelined requests
 * queued behind the one being handled; reading pauses when it is full. */
#define SRV_READ_BUF 16384
/* Event-loop lag is sampled every SRV_LAG_TICK_MS; /metrics summarises the
 * samples taken in the last SRV_LAG_WINDOW_S seconds. Ticks are at least
 * a tick apart (a blocked loop only makes them rarer), so the ring holds a
 * whole window, with a tenth to spare for the loop clock's rounding. */
#define SRV_LAG_TICK_MS 10
#define SRV_LAG_WINDOW_S 10
#define SRV_LAG_SAMPLES (SRV_LAG_WINDOW_S * 1100 / SRV_LAG_TICK_MS)
/* After the last response on a connection we keep reading (and dropping)
 * for this long, so unread input does not turn our close into a reset
 * that destroys the response before the client reads it. */
#define SRV_LINGER_MS 1000

typedef struct srv_worker srv_worker;

/* ---- metrics.c ---------------------------------------------------------- */

typedef struct {
    uint64_t at_ns;  /* uv_hrtime() when it was taken */
    uint64_t lag_ns; /* how late the tick was */
} srv_lag_sample;

typedef struct {
    size_t samples;  /* taken within the window */
    double max_ms;   /* 0 when there are none */
    double p99_ms;   /* nearest rank: the smallest value >= 99% of them */
} srv_lag_summary;

typedef struct {
    /* Written by pool threads and the loop. */
    atomic_int handlers_running;
    atomic_int handlers_max;
    atomic_int model_running;
    atomic_int model_max;
    atomic_int queued;
    atomic_int queued_max;
    /* Loop thread only. */
    uint64_t by_status[600];
    uint64_t conns_accepted;
    uint64_t conns_rejected;
    srv_lag_sample lag[SRV_LAG_SAMPLES]; /* ring of recent samples */
    size_t lag_count;                    /* valid samples, <= SRV_LAG_SAMPLES */
    size_t lag_next;
    uint64_t lag_max_ever_ns;
    uint64_t lag_prev_ns; /* hrtime of the previous tick */
    uint64_t start_ns;
} srv_metrics;

/* Handler and model-call gauges; any thread. */
void srv_metrics_handler_begin(srv_metrics *m);
void srv_metrics_handler_end(srv_metrics *m);
void srv_metrics_model_begin(srv_metrics *m);
void srv_metrics_model_end(srv_metrics *m);
/* Lag sampling, loop thread: start once, tick from the lag timer. */
void srv_metrics_lag_start(srv_metrics *m);
void srv_metrics_lag_tick(srv_metrics *m);
/* Loop thread. Adds one sample (what a tick does, with its clock reading
 * given, for tests). */
void srv_metrics_lag_record(srv_metrics *m, uint64_t now_ns, uint64_t lag_ns);
/* Loop thread. Summarises the samples taken in the SRV_LAG_WINDOW_S
 * seconds up to now_ns. */
void srv_metrics_lag_summary(const srv_metrics *m, uint64_t now_ns,
                             srv_lag_summary *out);
/* Returns the /metrics document (malloc'd, NUL-terminated) or NULL. */
char *srv_metrics_json(const srv_worker *w);

/* ---- pool.c ------------------------------------------------------------- */

/* One gpt_state per concurrent model call, reused through a free list. */
typedef struct {
    pthread_mutex_t lock;
    gpt_state **free;  /* states not in use, up to cap */
    int n_free;
    int cap;           /* pool threads + 1 for the loop's own model calls
                          (async_blocking): never more in use at once */
    int n_created;
} srv_pool;

int srv_pool_init(srv_pool *p, int threads);
void srv_pool_destroy(srv_pool *p);
/* Any thread; takes p->lock. NULL when out of memory. */
gpt_state *srv_pool_state_get(srv_pool *p, const gpt_model *m);
void srv_pool_state_put(srv_pool *p, gpt_state *s);
/* Loop thread: queues work on the libuv pool and counts it as queued until
 * the pool thread calls srv_pool_started(). */
int srv_pool_submit(srv_worker *w, uv_work_t *req, uv_work_cb work,
                    uv_after_work_cb after);
void srv_pool_started(srv_worker *w);

/* ---- conn.c ------------------------------------------------------------- */

typedef enum {
    CONN_IDLE,     /* between requests, nothing buffered */
    CONN_READING,  /* part of a request has arrived */
    CONN_HANDLING, /* a complete request is with its handler */
    CONN_WRITING,  /* its response is being written */
    CONN_LINGER,   /* last response sent; draining input before close */
} srv_conn_state;

/* nginx's check of a Host value (ngx_http_validate_host), fed a byte at a
 * time because values arrive in pieces (parse.c). */
typedef struct {
    int state;          /* in the name, in an IPv6 literal, or past them */
    size_t name_len;    /* bytes of the name so far: the port is not in it */
    int name_dot;       /* the name ends with a dot */
    int prev_dot;       /* the byte before was a dot */
    int space;          /* a space came: only more spaces may follow */
    int bad;
} srv_host_check;

/* The request being parsed or handled; the parser writes it. */
typedef struct {
    int method;         /* enum http_method */
    char *url;          /* NUL-terminated, max_header bytes allocated */
    size_t url_len;
    char *body;         /* NUL-terminated, grown up to max_body */
    size_t body_len;
    size_t body_cap;
    int keep_alive;
    int complete;
    int http_minor;     /* 0 for HTTP/1.0 */
    /* The header being parsed, kept only as far as needed to recognise
     * Expect, Host and Transfer-Encoding (names and values may arrive in
     * pieces). */
    char hname[20], hvalue[16];
    size_t hname_len, hvalue_len;
    int in_value;
    int hkind;          /* parse.c's header_kind, known at the first value piece */
    int value_cut;      /* the last value piece ended where the input did */
    int expect_continue;
    /* What on_headers_complete() checks, as nginx does. */
    int hosts;          /* Host headers seen */
    srv_host_check host;
    int te_headers;     /* Transfer-Encoding headers seen */
    int te_chunked;     /* its value is "chunked", in any case */
    int error_status;   /* set by a parser callback that failed */
    const char *error_msg;
} srv_request;

/* /correct's state while it runs: decoded input, result, response. */
typedef struct {
    char sentence[GPT_MAX_CONTEXT + 1];
    char learner_id[AGENT_MAX_LEARNER_ID + 1];
    int has_learner;
    agent_result result;
    int status;         /* response status, 0 until decided */
    char *body;         /* response body (malloc'd), owned until sent */
} srv_job;

typedef struct srv_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;   /* idle, request and write timeouts */
    uv_timer_t delay;   /* --io-delay-ms in async_tothread */
    uv_work_t work;     /* the pool call of the current request */
    uv_write_t write;
    uv_shutdown_t shutdown;
    srv_worker *w;
    struct srv_conn *prev, *next; /* the worker's list of connections */
    srv_conn_state state;
    int closing;
    int handles_open;   /* of tcp, timer, delay: freed at 0 */
    int work_pending;   /* pool work whose after-callback has not run */
    int handler_open;   /* counted in handlers_running by the loop; see
                           srv_conn_handler_begin() */
    int peer_eof;
    int reading;
    struct srv_conn *proc_next; /* async_toprocess: waiting for a model process */
    char *wbuf;         /* response being written */
    http_parser parser;
    srv_request req;
    srv_job job;
    size_t rlen;        /* bytes in rbuf, all unparsed */
    /* Whether the bytes parsed before rbuf's start end a line, whitespace
     * aside: what parse.c's fold check cannot see in rbuf once a read
     * boundary falls between a line end and the fold's whitespace. It
     * describes the byte stream, not a request, so a request's reset
     * leaves it. */
    int parsed_line_end;
    char rbuf[SRV_READ_BUF];
} srv_conn;

/* Loop thread. Accepts one connection from the listener, or refuses it
 * with 503 when over cfg->max_conns or out of memory. */
void srv_conn_accept(srv_worker *w);
/* Loop thread. Closes now; handles are freed in their close callbacks and
 * the struct once pool work for it has come back too. Idempotent. */
void srv_conn_close(srv_conn *c);
/* Loop thread. The response has been written: go on with the next request
 * or close, as keep-alive and shutdown decide. */
void srv_conn_written(srv_conn *c);
/* Loop thread. (Re)starts the connection's timeout; what it does when it
 * fires depends on the state then (408, or close). */
void srv_conn_timeout(srv_conn *c, int ms);
/* Loop thread. Count c's handler in handlers_running from begin to end,
 * for a handler that the loop itself starts and ends across several
 * callbacks (async_tothread). Ending is a no-op when none is open, so
 * every path that may end one can call it. */
void srv_conn_handler_begin(srv_conn *c);
void srv_conn_handler_end(srv_conn *c);
/* Loop thread. Frees c if it is closed, its handles are closed and no pool
 * work refers to it; the after-work callback calls it too. */
void srv_conn_release(srv_conn *c);

/* ---- parse.c ------------------------------------------------------------ */

extern const http_parser_settings srv_parser_settings;
/* Resets c->req for the next request on the connection. */
void srv_request_reset(srv_conn *c);
/* Whether bytes s[0..n), whitespace aside, end a line; all whitespace (or
 * none) leaves the answer for the bytes before them, before. */
int srv_ends_line(const char *s, size_t n, int before);

/* ---- dispatch.c / handlers --------------------------------------------- */

/* The --io-delay-ms wait of sync and async_blocking, which the end of the
 * grace period cuts short. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    int abandon;         /* set once, by srv_io_wait_abandon() */
} srv_io_wait;

int srv_io_wait_init(srv_io_wait *iw);
void srv_io_wait_destroy(srv_io_wait *iw);
/* Any thread; takes iw->lock unless ms is 0. Waits ms milliseconds;
 * returns 0 after the whole wait (at once for 0), -ECANCELED at once or as
 * soon as waits have been abandoned. */
int srv_io_wait_for(srv_io_wait *iw, int ms);
/* Loop thread; takes iw->lock. Ends every wait, now and later. */
void srv_io_wait_abandon(srv_io_wait *iw);

/* Loop thread. Routes the complete request in c->req to its handler. */
void srv_dispatch(srv_conn *c);
void srv_handle_correct(srv_conn *c);
/* Any thread (reads req's body, writes job). Returns 0 if the body is a
 * valid correction request (job->sentence and learner_id set), else -1
 * with the job's response set: 400 for a body that is not JSON, 422 for
 * anything else wrong. Its own function so that tests/fuzz/ can call it. */
int srv_correct_decode(const srv_worker *w, const srv_request *req, srv_job *job);
void srv_handle_healthz(srv_conn *c);
void srv_handle_metrics(srv_conn *c);
void srv_handle_debug_blocks(srv_conn *c);
/* Builds the body of /healthz once per worker; NULL when out of memory. */
char *srv_healthz_json(const srv_worker *w);

/* async_toprocess (procpool.c, model_process.c): a request to a model
 * process and its result, one SOCK_SEQPACKET message each. */
typedef struct {
    uint64_t id;
    int has_learner;
    char sentence[GPT_MAX_CONTEXT + 1];
    char learner_id[AGENT_MAX_LEARNER_ID + 1];
} srv_model_request;

typedef struct {
    uint64_t id;
    int rc;                /* agent_correct()'s */
    uint64_t model_ns;     /* how long agent_correct() took in the process */
    agent_result result;
} srv_model_reply;

/* srv_correct_from_process()'s rc besides agent_correct()'s own. */
#define SRV_PROC_DIED (-100000) /* the process running it died: 502 */
#define SRV_PROC_NONE (-100001) /* no model process can be started: 503 */

typedef struct srv_proc {
    uv_process_t process;
    uv_poll_t poll;       /* on fd, our end of its socketpair */
    int fd;               /* -1 once closed */
    struct srv_worker *w;
    int index;
    int alive;            /* running: its exit not yet seen */
    int polling;          /* poll started and not closed */
    int handles_open;     /* of process and poll; the slot restarts at 0 */
    int answered;         /* it has returned a result */
    struct srv_conn *job; /* in flight, or NULL */
    uint64_t job_id;
    uint64_t sent_ns;     /* uv_hrtime() when its request was sent */
} srv_proc;

typedef struct {
    srv_proc *procs;
    int n;
    int alive, busy, busy_max, queued;
    uint64_t restarts;
    /* What a round trip to a process costs beyond the model call: from
     * the request sent to its result read, less the call's own time. */
    uint64_t trips, overhead_ns_sum, overhead_ns_max;
    int quick_deaths;     /* in a row, each before answering once */
    int gave_up;          /* no more processes: requests get 503 */
    int stopping;
    struct srv_conn *head, *tail; /* waiting for an idle process */
    uint64_t next_id;
    char exe[4096];       /* this binary, run again as each process */
} srv_procpool;

/* Loop thread. Starts cfg->processes model processes; 0 or a negative
 * errno. Stop closes their sockets (each ends after its call in flight);
 * free after the loop has ended. */
int srv_procpool_start(struct srv_worker *w);
void srv_procpool_stop(struct srv_worker *w);
void srv_procpool_free(struct srv_worker *w);
/* Loop thread. Queues c's decoded job for the next idle process; its end
 * comes through srv_correct_from_process(). */
void srv_procpool_submit(srv_conn *c);
/* Loop thread (handler_correct.c). A model process answered c's job with
 * rc and result (NULL unless rc is 0), or it died (SRV_PROC_DIED), or none
 * could run it (SRV_PROC_NONE): respond, or drop the result if c closed. */
void srv_correct_from_process(srv_conn *c, int rc, const agent_result *result);

/* ---- respond.c ---------------------------------------------------------- */

/* Loop thread. Writes status + body (copied) as JSON; allow, if not NULL,
 * becomes an Allow header. Closes the connection after it if the request
 * asked so, the status implies it, or the worker is draining. */
void srv_respond(srv_conn *c, int status, const char *body, size_t len,
                 const char *allow);
/* Loop thread. Writes {"error": message, "status": status} plus the
 * fields of extra (a cJSON object or NULL, consumed); allow as in
 * srv_respond(). */
void srv_respond_error(srv_conn *c, int status, const char *message,
                       void *extra, const char *allow);
/* Any thread: the JSON error body, malloc'd; NULL when out of memory. */
char *srv_error_json(int status, const char *message, void *extra);
/* Any thread: "OK", "Not Found", ... */
const char *srv_status_reason(int status);

/* ---- worker.c ----------------------------------------------------------- */

struct srv_worker {
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_tcp_t spare;     /* accepts the connections we refuse (conn.c) */
    int spare_busy;     /* spare is open or closing */
    int accept_waiting; /* a refused connection waits for the spare */
    uv_signal_t sigterm, sigint;
    uv_timer_t lag_timer;
    uv_timer_t grace_timer;
    uv_work_t pool_start;  /* starts libuv's pool before serving */
    const srv_config *cfg;
    gpt_model *model;
    gpt_info info;
    srv_pool pool;
    srv_io_wait io_wait;
    srv_metrics metrics;
    srv_conn *conns;    /* open connections, newest first */
    int n_conns;
    int draining;
    int stopped;
    char *healthz;
    size_t healthz_len;
    blockwatch *blockwatch; /* NULL unless --detect-blocking */
    srv_procpool procpool;  /* async_toprocess's model processes */
};

/* Loop thread. A connection has been freed: finish a drain if it was the
 * last one. */
void srv_worker_conn_gone(srv_worker *w);

#endif /* MINISERVE_INTERNAL_H */
