/* server.h - miniserve: the lab's HTTP/1.1 model server on libuv.
 *
 * This header is the whole public surface of server/. main.c turns flags
 * into an srv_config, srv_listen() binds the socket once, and then either
 * srv_worker_run() serves on it in this process or srv_supervise() forks
 * --workers processes that each run srv_worker_run() on the same socket.
 *
 * Data path inside a worker, one file per step:
 *   conn.c (accept, read, timeouts, close) -> parse.c (http_parser) ->
 *   dispatch.c (path and method) -> handler_correct.c / handler_info.c ->
 *   respond.c (status line, headers, write).
 *
 * Errors: functions return 0 or a negative errno value; srv_strerror()
 * turns it (or any libuv or model code) into a sentence.
 */
#ifndef MINISERVE_SERVER_H
#define MINISERVE_SERVER_H

#include <stddef.h>

/* How POST /correct runs, after the three FastAPI handler styles. */
typedef enum {
    SRV_SYNC,           /* def: the whole handler on a pool thread */
    SRV_ASYNC_BLOCKING, /* async def calling the model: all on the loop */
    SRV_ASYNC_TOTHREAD, /* async def + to_thread: only the model call leaves */
    SRV_ASYNC_TOPROCESS,/* async def + run_in_executor on a process pool: the
                           model call goes to another process */
} srv_variant;

typedef struct {
    srv_variant variant;
    int threads;            /* pool capacity per worker, 1..1024 */
    int workers;            /* processes sharing the socket, 1..64 */
    int processes;          /* async_toprocess: model processes per worker,
                               1..64 (default: the CPUs available) */
    const char *host;       /* numeric IPv4 or IPv6 address */
    int port;               /* 0: any free port */
    const char *weights;    /* Mini-GPT weights file */
    int io_delay_ms;        /* extra simulated I/O wait per /correct */
    int max_conns;          /* open connections per worker */
    size_t max_body;        /* request body limit, bytes (413 above) */
    size_t max_header;      /* request line + headers limit, bytes (431) */
    int idle_timeout_ms;    /* keep-alive connection with no request */
    int request_timeout_ms; /* first byte to complete request (408), and
                               each response write (then closed) */
    int grace_ms;           /* in-flight requests after SIGTERM/SIGINT; see
                               srv_worker_run() for what is bounded */
    int detect_blocking_ms; /* event-loop block threshold; 0: detector off */
} srv_config;

/* Fills cfg with the defaults that --help documents. */
void srv_config_default(srv_config *cfg, const char *default_weights);

/* "sync", "async_blocking", "async_tothread", "async_toprocess". */
const char *srv_variant_name(srv_variant v);
/* Returns 0 and sets *out, or -EINVAL for an unknown name. */
int srv_variant_parse(const char *name, srv_variant *out);

/* Creates a non-blocking listening TCP socket on cfg->host:cfg->port.
 * On success *fd is the socket and url (url_size bytes) holds
 * "http://HOST:PORT" with the port actually bound. */
int srv_listen(const srv_config *cfg, int *fd, char *url, size_t url_size);

/* Serves on listen_fd in this process until SIGTERM or SIGINT, then stops
 * accepting, closes idle connections and lets requests in flight finish
 * (with "Connection: close") for up to cfg->grace_ms. When the grace
 * period ends, the connections still open are closed without a response
 * and sync handlers' --io-delay-ms waits are cut short, so the function
 * returns 0 soon after it: once the model calls already running have
 * finished (milliseconds each). async_blocking is the exception: its
 * handler blocks the loop, which sees neither the signal nor the end of
 * the grace period until the handler, io delay included, has returned;
 * each such handler that has started runs to its end.
 *
 * SIGTERM and SIGINT are unblocked in the calling thread once the loop
 * handles them, so a caller that blocks them first (main.c does, before
 * printing the listening line) loses none that arrive during start-up:
 * they are served as soon as the loop runs. Returns a negative code if the
 * worker could not start (the model failed to load, for example); the
 * reason is logged to stderr. */
int srv_worker_run(const srv_config *cfg, int listen_fd);

/* Forks cfg->workers processes running srv_worker_run() on listen_fd and
 * waits. SIGTERM or SIGINT is passed on to every worker; workers still
 * alive a few seconds after their grace period are killed. Returns 0 if
 * every worker exited 0 after a signal, else -ECHILD. */
int srv_supervise(const srv_config *cfg, int listen_fd);

const char *srv_strerror(int rc);

/* `miniserve --model-process WEIGHTS` (model_process.c): the body of one
 * of async_toprocess's model processes, on fd 3. Returns the exit code. */
int srv_model_process_main(const char *weights);

#endif /* MINISERVE_SERVER_H */
