/* parse.c - http_parser callbacks that fill a connection's srv_request.
 *
 * http_parser (Debian's libhttp-parser) does the HTTP grammar; these
 * callbacks only copy the URL and body out of the read buffer and enforce
 * the body limit: a body over cfg->max_body gives 413 (from Content-Length
 * before any of it is read when it is declared). The header limit is the
 * library's own count of every byte of the request line and headers, which
 * srv_worker_run() sets to cfg->max_header; going over it is
 * HPE_HEADER_OVERFLOW, which conn.c answers with 431. All of these run on
 * the loop thread, inside http_parser_execute() called from conn.c.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(srv_conn *c, int status, const char *msg) {
    c->req.error_status = status;
    c->req.error_msg = msg;
    return -1;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    /* Known from here, so that even an error response to a HEAD has no
     * body. */
    c->req.method = (int)p->method;
    /* The parser's own limit stops a longer request line first; this only
     * guards the url buffer, which holds max_header + 1 bytes. */
    if (len > c->w->cfg->max_header - c->req.url_len)
        return fail(c, 431, "request line and headers too large");
    memcpy(c->req.url + c->req.url_len, at, len);
    c->req.url_len += len;
    c->req.url[c->req.url_len] = '\0';
    return 0;
}

/* Appends at most what fits; the rest only matters for being too long. */
static void keep(char *dst, size_t cap, size_t *len, const char *at, size_t n) {
    for (size_t i = 0; i < n && *len < cap; i++) dst[(*len)++] = at[i];
}

/* Called when a header's name and value are both complete. */
static void header_done(srv_request *r) {
    if (r->hname_len == 6 && strncasecmp(r->hname, "expect", 6) == 0 &&
        r->hvalue_len == 12 && strncasecmp(r->hvalue, "100-continue", 12) == 0)
        r->expect_continue = 1;
    r->hname_len = r->hvalue_len = 0;
    r->in_value = 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    if (c->req.in_value) header_done(&c->req);
    keep(c->req.hname, sizeof c->req.hname, &c->req.hname_len, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    c->req.in_value = 1;
    keep(c->req.hvalue, sizeof c->req.hvalue, &c->req.hvalue_len, at, len);
    return 0;
}

static int on_headers_complete(http_parser *p) {
    srv_conn *c = p->data;
    c->req.method = (int)p->method;
    c->req.http_minor = p->http_minor;
    if (c->req.in_value) header_done(&c->req);
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > c->w->cfg->max_body)
        return fail(c, 413, "request body too large");
    if (c->req.expect_continue && p->http_minor >= 1) {
        /* curl waits for this before sending a body over 1 KiB. Nothing
         * else is being written now: the previous response is done before
         * the next request is parsed. */
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        uv_buf_t b = uv_buf_init((char *)cont, sizeof cont - 1);
        uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    srv_request *r = &c->req;
    if (len > c->w->cfg->max_body - r->body_len)
        return fail(c, 413, "request body too large");
    if (r->body_len + len + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + len + 1) cap *= 2;
        if (cap > c->w->cfg->max_body + 1) cap = c->w->cfg->max_body + 1;
        char *b = realloc(r->body, cap);
        if (!b) return fail(c, 503, "out of memory");
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, at, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return 0;
}

/* Pausing here makes http_parser_execute() return right after this
 * request, leaving any pipelined bytes behind it unparsed. */
static int on_message_complete(http_parser *p) {
    srv_conn *c = p->data;
    c->req.complete = 1;
    c->req.keep_alive = http_should_keep_alive(p) && !p->upgrade;
    http_parser_pause(p, 1);
    return 0;
}

const http_parser_settings srv_parser_settings = {
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void srv_request_reset(srv_conn *c) {
    srv_request *r = &c->req;
    r->method = -1;
    r->url_len = 0;
    r->url[0] = '\0';
    r->body_len = 0;
    if (r->body) r->body[0] = '\0';
    r->keep_alive = 0;
    r->complete = 0;
    r->http_minor = 1;
    r->error_status = 0;
    r->error_msg = NULL;
    r->hname_len = r->hvalue_len = 0;
    r->in_value = 0;
    r->expect_continue = 0;
    free(c->job.body);
    memset(&c->job, 0, sizeof c->job);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
}
