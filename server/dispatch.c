/* dispatch.c - routes a complete request by path, then by method. */
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

/* Loop thread. The query string is ignored. */
void srv_dispatch(srv_conn *c) {
    const char *url = c->req.url;
    size_t len = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        if (strlen(r->path) != len || memcmp(r->path, url, len) != 0) continue;
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
