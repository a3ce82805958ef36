/* dispatch.c - routes a complete request by path, then by method.
 *
 * The path is taken as nginx takes it before matching a location (checked
 * side by side in tests/http_edge/cases.json): from an origin-form or an
 * absolute-form target, %-decoded, with its dot segments resolved. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <string.h>

typedef struct {
    const char *path;
    int method;           /* enum http_method; HTTP_GET routes take HEAD too */
    const char *allow;    /* the Allow header of a 405 */
    void (*handle)(srv_conn *c);
} route;

/* A HEAD is handled as its GET; srv_respond() leaves the body out. */
static const route routes[] = {
    {"/correct", HTTP_POST, "POST", srv_handle_correct},
    {"/healthz", HTTP_GET, "GET, HEAD", srv_handle_healthz},
    {"/metrics", HTTP_GET, "GET, HEAD", srv_handle_metrics},
    {"/debug/blocks", HTTP_GET, "GET, HEAD", srv_handle_debug_blocks},
};

static int method_allowed(const route *r, int method) {
    return method == r->method || (r->method == HTTP_GET && method == HTTP_HEAD);
}

/* Where the path of the request target starts in url, and its length in
 * *len: an origin-form target ("/path?query") or an absolute-form one
 * ("http://host/path?query"; with no path, *len is 0 and no route
 * matches, as "/" matches none). NULL for the asterisk and authority
 * forms ("*", "host:443"), which nginx answers with 400 too. */
static char *target_path(char *url, size_t url_len, size_t *len) {
    struct http_parser_url u;
    if (url[0] == '/') {
        *len = strcspn(url, "?#");
        return url;
    }
    http_parser_url_init(&u);
    if (http_parser_parse_url(url, url_len, 0, &u) != 0 ||
        !(u.field_set & (1 << UF_SCHEMA)) || !(u.field_set & (1 << UF_HOST)))
        return NULL;
    *len = u.field_data[UF_PATH].len; /* 0 when it has none */
    return url + (u.field_set & (1 << UF_PATH) ? u.field_data[UF_PATH].off : url_len);
}

static int hex(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Rewrites path[0..len), which starts with '/', in place into the path
 * nginx matches its locations against: %XX decoded, runs of slashes made
 * one, "." and ".." segments resolved (one that was last leaves a
 * trailing slash). Returns the new length, or -1 where nginx answers 400:
 * a malformed %-escape, an encoded NUL, a ".." above the root. Writing
 * never overtakes reading, since both steps only shorten. */
static long normalize_path(char *path, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int ch = (unsigned char)path[i];
        if (ch == '%') {
            int hi = i + 2 < len ? hex(path[i + 1]) : -1;
            int lo = hi >= 0 ? hex(path[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) return -1;
            ch = hi * 16 + lo;
            i += 2;
        }
        path[n++] = (char)ch;
    }
    size_t w = 0, r = 0; /* the result so far has no trailing slash */
    while (r < n) {
        while (r < n && path[r] == '/') r++;
        size_t seg = r;
        while (r < n && path[r] != '/') r++;
        size_t seg_len = r - seg;
        int dot = seg_len == 1 && path[seg] == '.';
        int dotdot = seg_len == 2 && path[seg] == '.' && path[seg + 1] == '.';
        if (dotdot) {
            if (w == 0) return -1;
            while (path[--w] != '/') {}
        } else if (seg_len > 0 && !dot) {
            path[w++] = '/';
            memmove(path + w, path + seg, seg_len);
            w += seg_len;
        }
        if (r == n && (seg_len == 0 || dot || dotdot)) path[w++] = '/';
    }
    return (long)w;
}

/* Loop thread. Routes by the path as nginx would match it; the query
 * string is ignored. */
void srv_dispatch(srv_conn *c) {
    size_t target_len;
    char *path = target_path(c->req.url, c->req.url_len, &target_len);
    if (!path) {
        srv_respond_error(c, 400, "request target is neither a path nor an absolute URL",
                          NULL, NULL);
        return;
    }
    long len = normalize_path(path, target_len);
    if (len < 0) {
        srv_respond_error(c, 400, "bad path: a malformed %-escape, an encoded NUL "
                                  "or a .. above the root", NULL, NULL);
        return;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        if (strlen(r->path) != (size_t)len || memcmp(r->path, path, (size_t)len) != 0)
            continue;
        if (!method_allowed(r, c->req.method)) {
            /* The Allow header, repeated in the body. */
            cJSON *extra = cJSON_CreateObject();
            if (extra) cJSON_AddStringToObject(extra, "allow", r->allow);
            srv_respond_error(c, 405, "method not allowed", extra, r->allow);
            return;
        }
        r->handle(c);
        return;
    }
    srv_respond_error(c, 404, "no such path", NULL, NULL);
}
