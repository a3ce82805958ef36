/* sockserve.h - seed 004's two socket servers in C, for lab00: a blocking
 * one (accept, read once, answer, close, one connection at a time) and an
 * event-loop one on libuv (a connection at a time per callback, many open).
 * Both answer as the seed's Python servers do, byte for byte, and log each
 * request to stdout as they do, because printing is part of their cost. */
#ifndef SOCKSERVE_H
#define SOCKSERVE_H

#include <stddef.h>

/* The seed's listen() backlog: Python's socket.listen() default,
 * min(SOMAXCONN, 128). */
#define SOCK_BACKLOG 128
/* The seed reads once, recv(1024): what arrived by then is the request. */
#define SOCK_READ_MAX 1024

/* The seed's answer to the bytes of one read, from a client at ip:port,
 * after logging them as the seed does ("Request from ('ip', port): ...").
 * header and body point at static text or at body_buf (size at least
 * 128); a bad request line gets the seed's 400 and no body. */
void sock_reply(const char *data, size_t n, const char *ip, int port, const char **header,
                size_t *header_len, const char **body, size_t *body_len, char *body_buf,
                size_t body_size);

/* A socket listening on 127.0.0.1:port with the seed's backlog, or a
 * negative errno. */
int sock_listen(int port);

/* Serves 127.0.0.1:port until killed. Each returns only on a start-up
 * failure: a negative errno, said on stderr. */
int sock_serve_blocking(int port);
int sock_serve_loop(int port);

#endif
