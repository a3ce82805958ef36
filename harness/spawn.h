/* spawn.h - starting the server under test, waiting for it, stopping it. */
#ifndef HARNESS_SPAWN_H
#define HARNESS_SPAWN_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char host[64];
    int port;
    char base_url[128];  /* http://host:port */
    int out_fd;          /* the server's stdout, copied to the log */
    int log_fd;          /* server_<variant>.log: its stderr and stdout */
    pthread_t drain;
    int draining;
    int reaped;          /* waited for; status below is valid */
    int status;          /* as from waitpid */
    int killed;          /* needed SIGKILL after the grace period */
} hs_server;

/* Starts argv in its own process group with stderr (and stdout after its
 * first line) in log_path. With port 0 the server must print
 * "listening on http://HOST:PORT" as its first stdout line within
 * timeout_s; otherwise it was told to listen on 127.0.0.1:port. Returns 0,
 * or a negative code with err saying why (program not found, exited early,
 * no listening line) and the log's last lines. */
int hs_server_start(char *const argv[], int port, const char *log_path,
                    double timeout_s, hs_server *srv, char *err, size_t err_size);

/* Polls GET base_url + path until it answers 200 or timeout_s passes or the
 * server exits. On success *body (if not NULL) is the malloc'd response. */
int hs_server_wait_healthy(hs_server *srv, const char *path, double timeout_s,
                           char **body, char *err, size_t err_size);

/* SIGTERM, then SIGKILL to its whole process group after grace_s. Reaps it
 * and closes the log. Safe to call on a server that already exited. */
void hs_server_stop(hs_server *srv, double grace_s);

/* A free TCP port on 127.0.0.1 at the moment of asking, or -1. */
int hs_free_port(void);

/* The last lines of a log file, for error messages. */
void hs_log_tail(const char *path, int lines, char *out, size_t size);

/* "exited with status N" / "killed by signal N" for a waitpid status. */
void hs_describe_status(int status, char *out, size_t size);

#endif
