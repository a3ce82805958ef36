/* dispatch.c - routes a complete request by path, then by method. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    int method;           /* enum http_method */
    const char *allow;    /* the Allow header of a 405 */
    void (*handle)(srv_conn *c);
} route;

static const route routes[] = {
    {"/correct", HTTP_POST, "POST", srv_handle_correct},
    {"/healthz", HTTP_GET, "GET", srv_handle_healthz},
    {"/metrics", HTTP_GET, "GET", srv_handle_metrics},
};

/* Loop thread. 405 carries the Allow header and repeats it in the body. */
static void method_not_allowed(srv_conn *c, const char *allow) {
    cJSON *extra = cJSON_CreateObject();
    if (extra) cJSON_AddStringToObject(extra, "allow", allow);
    char *body = srv_error_json(405, "method not allowed", extra);
    if (!body) {
        srv_conn_close(c);
        return;
    }
    srv_respond(c, 405, body, strlen(body), allow);
    free(body);
}

/* Loop thread. The query string is ignored. */
void srv_dispatch(srv_conn *c) {
    const char *url = c->req.url;
    size_t len = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        if (strlen(r->path) != len || memcmp(r->path, url, len) != 0) continue;
        if (c->req.method != r->method) {
            method_not_allowed(c, r->allow);
            return;
        }
        r->handle(c);
        return;
    }
    srv_respond_error(c, 404, "no such path", NULL);
}
