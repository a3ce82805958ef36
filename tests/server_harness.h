/* server_harness.h - start miniserve as a child and talk HTTP to it.
 *
 * Integration tests run the real binary on --port 0, read its "listening
 * on" line and use plain loopback sockets. Every wait has a timeout, so a
 * hung server fails a test instead of hanging it; the child gets SIGKILL
 * if the test process dies first (PR_SET_PDEATHSIG).
 */
#ifndef TEST_SERVER_HARNESS_H
#define TEST_SERVER_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* Upper bound for any single wait in these tests. */
#define SERVER_WAIT_MS 15000

typedef struct {
    pid_t pid;
    int port;
} server_proc;

/* Starts miniserve with "--port 0", "--weights MINISERVE_TEST_WEIGHTS"
 * unless args name other weights, and the NULL-terminated args; waits for
 * the listening line. Exits the test on failure. */
void server_start(server_proc *p, const char *const *args);
/* The same with the server's stderr written to log_path (NULL: inherited). */
void server_start_log(server_proc *p, const char *const *args, const char *log_path);
/* The same with another miniserve binary (a stripped copy, say). */
void server_start_bin(server_proc *p, const char *bin, const char *const *args,
                      const char *log_path);
/* Sends sig and waits up to timeout_ms for the exit. Returns the exit
 * status, 128 + signal if killed by one, or -1 if it had to be killed. */
int server_signal_wait(server_proc *p, int sig, int timeout_ms);
/* SIGTERM and wait; CHECKs a clean exit (0). */
void server_stop(server_proc *p);

/* A client connection with its own receive buffer (for pipelining). */
typedef struct {
    int fd;
    size_t len;
    char buf[1 << 17];
} server_conn;

typedef struct {
    int status;
    char headers[8192];  /* the raw header block, NUL-terminated */
    char body[1 << 16];  /* NUL-terminated */
    size_t body_len;
} server_resp;

/* Connects to 127.0.0.1:port; returns NULL if the connection failed. */
server_conn *server_connect(int port);
void server_close(server_conn *c);
/* Sends all bytes; CHECKs success. */
void server_send(server_conn *c, const char *data, size_t len);
void server_send_str(server_conn *c, const char *s);
/* Reads one response. Returns 0, -1 on EOF/reset before a whole response,
 * -2 on timeout. */
int server_read(server_conn *c, server_resp *r, int timeout_ms);
/* The same for the response to a HEAD request: headers only. */
int server_read_head(server_conn *c, server_resp *r, int timeout_ms);
/* Reads until c->buf holds at least n bytes: 0, -1 on EOF, -2 on timeout. */
int server_read_bytes(server_conn *c, size_t n, int timeout_ms);
/* Returns 1 if the server closes the connection (EOF or reset) within
 * timeout_ms with no more data, 0 on timeout, -1 if data arrived. */
int server_wait_close(server_conn *c, int timeout_ms);

/* One request on a fresh connection; returns the status (CHECKs that a
 * response came). body may be NULL. */
int server_request(int port, const char *method, const char *path,
                   const char *body, server_resp *r);
/* Formats a request with Content-Length (keep-alive). */
void server_format(char *out, size_t size, const char *method, const char *path,
                   const char *body);

/* Parses r's body as JSON; CHECKs that it is. Free with cJSON_Delete. */
cJSON *server_json(const server_resp *r);
/* Case-insensitive lookup of a header value into out; 0 if present. */
int server_header(const server_resp *r, const char *name, char *out, size_t size);
/* A number inside a JSON document by a dotted path ("handlers.max_running"),
 * CHECKed to exist. */
double server_json_number(const cJSON *root, const char *path);
/* GET /metrics and return one number from it. */
double server_metric(int port, const char *path);

/* Milliseconds on the monotonic clock. */
long long server_now_ms(void);
void server_sleep_ms(int ms);

#endif
