/* parse.c - http_parser callbacks that fill a connection's srv_request.
 *
 * http_parser (Debian's libhttp-parser) does the HTTP grammar; these
 * callbacks copy the URL and body out of the read buffer and enforce
 * the body limit: a body over cfg->max_body gives 413 (from Content-Length
 * before any of it is read when it is declared). The header limit is the
 * library's own count of every byte of the request line and headers, which
 * srv_worker_run() sets to cfg->max_header; going over it is
 * HPE_HEADER_OVERFLOW, which conn.c answers with 431.
 *
 * Where http-parser lets through what nginx refuses, and telling it apart
 * needs no grammar of our own, these callbacks refuse it as nginx does
 * (tests/http_edge/cases.json is the comparison): whitespace in a header
 * name, a folded header line, a missing, repeated or malformed Host, an
 * HTTP major version above 1 (505), and a Transfer-Encoding that is
 * repeated, on HTTP/1.0, or not "chunked" (501).
 *
 * All of these run on the loop thread, inside http_parser_execute(), which
 * conn.c always calls on c->rbuf and its c->rlen bytes.
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

enum header_kind { H_OTHER, H_EXPECT, H_HOST, H_TRANSFER_ENCODING };

static int header_kind(const srv_request *r) {
    static const struct { const char *name; int kind; } known[] = {
        {"expect", H_EXPECT}, {"host", H_HOST},
        {"transfer-encoding", H_TRANSFER_ENCODING}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (r->hname_len == strlen(known[i].name) &&
            strncasecmp(r->hname, known[i].name, r->hname_len) == 0)
            return known[i].kind;
    return H_OTHER;
}

/* Whether the kept value is word, in any case, its trailing whitespace
 * left off (http-parser keeps it; nginx does not). */
static int value_is(const srv_request *r, const char *word) {
    size_t n = r->hvalue_len;
    while (n > 0 && (r->hvalue[n - 1] == ' ' || r->hvalue[n - 1] == '\t')) n--;
    return n == strlen(word) && strncasecmp(r->hvalue, word, n) == 0;
}

enum host_state { HOST_NAME, HOST_LITERAL, HOST_PORT };

/* One byte of the Host value, judged as ngx_http_validate_host() judges
 * it: no "..", "/", control byte or space anywhere, and a name (what comes
 * before a port; an IPv6 literal in brackets is one) that is not empty
 * once one trailing dot is left off. nginx drops trailing spaces before
 * judging, so a space only counts when something follows it. */
static void host_byte(srv_host_check *h, unsigned char ch) {
    if (ch == ' ') {
        h->space = 1;
        return;
    }
    if (h->space || (ch == '.' && h->prev_dot)) h->bad = 1;
    h->prev_dot = ch == '.';
    int in_name = h->state != HOST_PORT;
    switch (ch) {
    case '.': break;
    case ':':
        if (h->state == HOST_NAME) {
            h->state = HOST_PORT;
            in_name = 0;
        }
        break;
    case '[':
        if (h->state == HOST_NAME && h->name_len == 0) h->state = HOST_LITERAL;
        break;
    case ']':
        if (h->state == HOST_LITERAL) h->state = HOST_PORT; /* ']' is the name's */
        break;
    default:
        if (ch == '/' || ch <= ' ' || ch == 0x7f) h->bad = 1;
    }
    if (in_name) {
        h->name_len++;
        h->name_dot = ch == '.';
    }
}

static int host_ok(const srv_host_check *h) {
    return !h->bad && h->name_len > (h->name_dot ? 1u : 0u);
}

/* Called when a header's name and value are both complete. */
static void header_done(srv_request *r) {
    if (r->hkind == H_EXPECT && value_is(r, "100-continue")) r->expect_continue = 1;
    if (r->hkind == H_TRANSFER_ENCODING) r->te_chunked = value_is(r, "chunked");
    r->hname_len = r->hvalue_len = 0;
    r->in_value = 0;
    r->hkind = H_OTHER;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    if (c->req.in_value) header_done(&c->req);
    /* "Host : x". http-parser takes the space into the name; RFC 9112
     * (5.1) says to answer 400, as nginx does. */
    if (memchr(at, ' ', len)) return fail(c, 400, "whitespace in a header name");
    keep(c->req.hname, sizeof c->req.hname, &c->req.hname_len, at, len);
    return 0;
}

/* Whether this value piece continues the header on a new line (obs-fold),
 * which nginx refuses. http-parser passes a folded line as one more piece
 * of the value (or as its first, after an empty value), so a piece is
 * folded if the bytes before it, whitespace aside, end a line; or if it
 * follows a piece of the same value that ended before the end of its
 * input, which only a line end makes it do. A piece that merely goes on
 * where a read stopped starts at the top of rbuf; what came before rbuf's
 * top, conn.c remembers (a fold after an empty value whose whitespace
 * begins a read). */
int srv_ends_line(const char *s, size_t n, int before) {
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return n > 0 ? s[n - 1] == '\n' : before;
}

static int folded(const srv_conn *c, const char *at) {
    if (c->req.in_value && !c->req.value_cut) return 1;
    return srv_ends_line(c->rbuf, (size_t)(at - c->rbuf), c->parsed_line_end);
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    srv_conn *c = p->data;
    srv_request *r = &c->req;
    /* An empty value comes as an empty piece at the start of the next
     * line: no fold. */
    if (len > 0 && folded(c, at)) return fail(c, 400, "folded header line");
    if (!r->in_value) {
        r->in_value = 1;
        r->hkind = header_kind(r);
        if (r->hkind == H_HOST && ++r->hosts > 1)
            return fail(c, 400, "more than one Host header");
        if (r->hkind == H_TRANSFER_ENCODING && ++r->te_headers > 1)
            return fail(c, 400, "more than one Transfer-Encoding header");
    }
    r->value_cut = at + len == c->rbuf + c->rlen;
    keep(r->hvalue, sizeof r->hvalue, &r->hvalue_len, at, len);
    if (r->hkind == H_HOST)
        for (size_t i = 0; i < len; i++) host_byte(&r->host, (unsigned char)at[i]);
    return 0;
}

/* What nginx checks once the headers are in (ngx_http_process_request_
 * header), with its statuses; http-parser itself refuses a Content-Length
 * beside Transfer-Encoding. */
static int check_headers(srv_conn *c, const http_parser *p) {
    const srv_request *r = &c->req;
    int version = p->http_major * 1000 + p->http_minor;
    if (p->http_major > 1) return fail(c, 505, "HTTP version not supported");
    if (r->hosts && !host_ok(&r->host)) return fail(c, 400, "invalid Host header");
    if (!r->hosts && version >= 1001)
        return fail(c, 400, "HTTP/1.1 request without a Host header");
    if (r->te_headers && version < 1001)
        return fail(c, 400, "Transfer-Encoding in a request before HTTP/1.1");
    if (r->te_headers && !r->te_chunked)
        return fail(c, 501, "Transfer-Encoding other than chunked");
    return 0;
}

static int on_headers_complete(http_parser *p) {
    srv_conn *c = p->data;
    c->req.method = (int)p->method;
    c->req.http_minor = p->http_minor;
    if (c->req.in_value) header_done(&c->req);
    if (check_headers(c, p) != 0) return -1;
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
    r->hkind = H_OTHER;
    r->value_cut = 0;
    r->expect_continue = 0;
    r->hosts = 0;
    memset(&r->host, 0, sizeof r->host);
    r->te_headers = 0;
    r->te_chunked = 0;
    free(c->job.body);
    memset(&c->job, 0, sizeof c->job);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
}
