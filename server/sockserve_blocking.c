/* sockserve_blocking.c - seed 004's server_sync.py in C: accept one
 * connection, read once, answer, close, then accept the next. While it
 * answers one client, the others wait in the kernel's accept queue (128
 * long); beyond that the kernel drops their SYNs. */
#include "sockserve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The listening socket on 127.0.0.1:port (the seed binds 0.0.0.0; the
 * lab's servers stay on loopback), or a negative errno. */
int sock_listen(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* No SO_REUSEADDR: Python sets none unless told, nor does the seed. */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, SOCK_BACKLOG)) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig) {
    (void)sig;
    stop_asked = 1;
}

int sock_serve_blocking(int port) {
    /* SIGTERM and SIGINT end the server with its log flushed (stdout is
     * block-buffered into a pipe, as the seed's Python print is): no
     * SA_RESTART, so the accept or read it waits in returns EINTR. */
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int lfd = sock_listen(port);
    if (lfd < 0) {
        fprintf(stderr, "sockserve: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(-lfd));
        return lfd;
    }
    printf("Starting server on 127.0.0.1 port %d\n", port);
    while (!stop_asked) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int c = accept(lfd, (struct sockaddr *)&peer, &len);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("sockserve: accept");
            continue;
        }
        char data[SOCK_READ_MAX], ip[INET_ADDRSTRLEN], body_buf[128];
        ssize_t n = recv(c, data, sizeof data, 0);
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        if (n < 0) { /* the seed's traceback, then close */
            fprintf(stderr, "Error: %s\n", strerror(errno));
            close(c);
            continue;
        }
        const char *header, *body;
        size_t hl, bl;
        sock_reply(data, (size_t)n, ip, ntohs(peer.sin_port), &header, &hl, &body, &bl,
                   body_buf, sizeof body_buf);
        /* client.send(header), client.send(body): two writes, as the seed */
        if (send(c, header, hl, MSG_NOSIGNAL) < 0 || (bl && send(c, body, bl, MSG_NOSIGNAL) < 0))
            fprintf(stderr, "Error: %s\n", strerror(errno));
        close(c);
    }
    fflush(stdout);
    close(lfd);
    return 0;
}
