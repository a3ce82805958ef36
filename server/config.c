/* config.c - defaults and names shared by the flags and the handlers. */
#include "internal.h"

#include <errno.h>
#include <string.h>

static const char *const variant_names[] = {
    [SRV_SYNC] = "sync",
    [SRV_ASYNC_BLOCKING] = "async_blocking",
    [SRV_ASYNC_TOTHREAD] = "async_tothread",
    [SRV_ASYNC_TOPROCESS] = "async_toprocess",
};

void srv_config_default(srv_config *cfg, const char *default_weights) {
    *cfg = (srv_config){
        .variant = SRV_SYNC,
        .threads = 40, /* anyio's default capacity limiter */
        .workers = 1,
        .processes = 0, /* main.c: the CPUs available */
        .host = "127.0.0.1",
        .port = 8000,
        .weights = default_weights,
        .io_delay_ms = 0,
        .max_conns = 1024,
        .max_body = 64 * 1024,
        .max_header = 8 * 1024,
        .idle_timeout_ms = 5000,
        .request_timeout_ms = 10000,
        .grace_ms = 10000,
        .detect_blocking_ms = 0,
    };
}

const char *srv_variant_name(srv_variant v) {
    if ((unsigned)v >= sizeof variant_names / sizeof variant_names[0])
        return "unknown";
    return variant_names[v];
}

int srv_variant_parse(const char *name, srv_variant *out) {
    for (size_t i = 0; i < sizeof variant_names / sizeof variant_names[0]; i++) {
        if (strcmp(name, variant_names[i]) == 0) {
            *out = (srv_variant)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *srv_strerror(int rc) {
    if (rc <= GPT_ERR_BASE) return gpt_strerror(rc);
    if (rc == -ECHILD) return "a worker process failed";
    return uv_strerror(rc); /* libuv codes are negated errno values */
}
