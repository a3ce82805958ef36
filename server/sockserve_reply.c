/* sockserve_reply.c - seed 004's handle_get, shared by both servers: log
 * the request, split the first line, answer 200 with the seed's HTML for
 * "GET x y", else the seed's bare 400. The bytes are the seed's: no
 * Content-Length, the end of the body is the connection closing. */
#include "sockserve.h"

#include <stdio.h>
#include <string.h>

static const char ok_header[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
static const char bad_header[] = "HTTP/1.1 400 Bad Request\n\n";

/* Python's bytes.split() whitespace (not NUL). */
static int is_space(char c) { return c && strchr(" \t\n\r\v\f", c); }

/* How many whitespace-separated tokens line has (at most 4 counted), and
 * whether the first is "GET": bytes.split() on the first line. */
static int tokens(const char *line, size_t n, int *get) {
    int count = 0;
    *get = 0;
    for (size_t i = 0; i < n && count < 4;) {
        while (i < n && is_space(line[i])) i++;
        if (i == n) break;
        size_t start = i;
        while (i < n && !is_space(line[i])) i++;
        if (count++ == 0) *get = i - start == 3 && !memcmp(line + start, "GET", 3);
    }
    return count;
}

void sock_reply(const char *data, size_t n, const char *ip, int port, const char **header,
                size_t *header_len, const char **body, size_t *body_len, char *body_buf,
                size_t body_size) {
    /* print(f'Request from {client_address}: {request_data.decode()}') */
    printf("Request from ('%s', %d): %.*s\n", ip, port, (int)n, data);
    size_t line = 0;
    while (line + 1 < n && !(data[line] == '\r' && data[line + 1] == '\n')) line++;
    if (line + 1 >= n) line = n; /* no CRLF: the whole read is the line */
    int get;
    if (tokens(data, line, &get) == 3 && get) {
        *header = ok_header, *header_len = sizeof ok_header - 1;
        int len = snprintf(body_buf, body_size, "<html><body><h1>Hello %s</h1></body></html>", ip);
        *body = body_buf, *body_len = len > 0 ? (size_t)len : 0;
    } else {
        *header = bad_header, *header_len = sizeof bad_header - 1;
        *body = NULL, *body_len = 0;
    }
}
