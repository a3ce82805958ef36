/* respond.c - status line, headers and body, written from the loop.
 *
 * Every response is JSON with a Content-Length, written with one uv_write
 * from a single malloc'd buffer that the write callback frees. A response
 * to HEAD has the same headers, Content-Length included, and no body: the
 * client reads none, so one would be taken for the next response. Only the
 * loop thread writes: handlers on pool threads hand their body back
 * through the after-work callback.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *srv_status_reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

char *srv_error_json(int status, const char *message, void *extra) {
    cJSON *o = cJSON_CreateObject();
    cJSON *x = extra;
    char *out = NULL;
    if (o && cJSON_AddStringToObject(o, "error", message) &&
        cJSON_AddNumberToObject(o, "status", status)) {
        /* The caller's fields follow error and status. */
        while (x && x->child) {
            cJSON *item = cJSON_DetachItemViaPointer(x, x->child);
            cJSON_AddItemToObject(o, item->string, item);
        }
        out = cJSON_PrintUnformatted(o);
    }
    cJSON_Delete(o);
    cJSON_Delete(x);
    return out;
}

/* Loop thread. */
static void on_write(uv_write_t *req, int status) {
    srv_conn *c = container_of(req, srv_conn, write);
    free(c->wbuf);
    c->wbuf = NULL;
    if (c->closing) return;
    uv_timer_stop(&c->timer);
    if (status < 0) {
        srv_conn_close(c);
        return;
    }
    srv_conn_written(c);
}

/* Loop thread (one per process, so the cache needs no lock). RFC 9110
 * wants a Date on every response; formatting it once a second keeps it off
 * the hot path. */
static const char *http_date(void) {
    static char buf[64];
    static time_t at = (time_t)-1;
    time_t now = time(NULL);
    if (now != at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        at = now;
    }
    return buf;
}

void srv_respond(srv_conn *c, int status, const char *body, size_t len,
                 const char *allow) {
    if (c->closing) return;
    srv_worker *w = c->w;
    if (w->draining) c->req.keep_alive = 0;
    const char *conn_hdr = "";
    if (!c->req.keep_alive) conn_hdr = "Connection: close\r\n";
    else if (c->req.http_minor == 0) conn_hdr = "Connection: keep-alive\r\n";

    char head[256];
    int hlen = snprintf(head, sizeof head,
                        "HTTP/1.1 %d %s\r\n"
                        "Date: %s\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\n"
                        "%s%s%s%s\r\n",
                        status, srv_status_reason(status), http_date(), len + 1,
                        allow ? "Allow: " : "", allow ? allow : "",
                        allow ? "\r\n" : "", conn_hdr);
    /* The body ends with a newline, so curl output stays readable. */
    size_t blen = c->req.method == HTTP_HEAD ? 0 : len + 1;
    c->wbuf = malloc((size_t)hlen + len + 1);
    if (hlen < 0 || (size_t)hlen >= sizeof head || !c->wbuf) {
        srv_conn_close(c);
        return;
    }
    memcpy(c->wbuf, head, (size_t)hlen);
    memcpy(c->wbuf + hlen, body, len);
    c->wbuf[(size_t)hlen + len] = '\n';
    if (status >= 100 && status < 600) w->metrics.by_status[status]++;

    uv_buf_t b = uv_buf_init(c->wbuf, (unsigned)((size_t)hlen + blen));
    c->state = CONN_WRITING;
    /* A client that never reads must not hold the connection forever. */
    srv_conn_timeout(c, w->cfg->request_timeout_ms);
    if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        free(c->wbuf);
        c->wbuf = NULL;
        srv_conn_close(c);
    }
}

void srv_respond_error(srv_conn *c, int status, const char *message,
                       void *extra, const char *allow) {
    char *body = srv_error_json(status, message, extra);
    if (!body) {
        srv_conn_close(c);
        return;
    }
    srv_respond(c, status, body, strlen(body), allow);
    free(body);
}
