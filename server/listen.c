/* listen.c - the listening socket, made once before any worker starts. */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Main thread, before fork. */
int srv_listen(const srv_config *cfg, int *fd, char *url, size_t url_size) {
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = 0;
    int s = -1;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)cfg->port);
        len = sizeof *a4;
    } else if (inet_pton(AF_INET6, cfg->host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)cfg->port);
        len = sizeof *a6;
    } else {
        return -EINVAL;
    }

    s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    int one = 1;
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s, (struct sockaddr *)&ss, len) < 0 || listen(s, 1024) < 0 ||
        getsockname(s, (struct sockaddr *)&ss, &len) < 0) {
        rc = -errno;
        goto out;
    }
    int port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
    if (ss.ss_family == AF_INET6)
        snprintf(url, url_size, "http://[%s]:%d", cfg->host, port);
    else
        snprintf(url, url_size, "http://%s:%d", cfg->host, port);
    *fd = s;
    s = -1;
out:
    if (s >= 0) close(s);
    return rc;
}
