/* sockserve_main.c - `sockserve blocking|loop PORT`: seed 004's two socket
 * servers (sockserve.h), for lab00. */
#include "sockserve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f) {
    fprintf(f, "usage: sockserve blocking|loop PORT\n"
               "  seed 004's socket servers on 127.0.0.1:PORT, answering GET with the\n"
               "  seed's HTML page and anything else with its 400, then closing:\n"
               "  blocking  one connection at a time (accept, read once, answer, close)\n"
               "  loop      a libuv event loop, every connection open at once\n"
               "  Each request is logged to stdout as the seed's servers do.\n");
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) return usage(stdout);
    if (argc != 3) return usage(stderr);
    char *end;
    errno = 0;
    long port = strtol(argv[2], &end, 10);
    if (errno || end == argv[2] || *end || port < 1 || port > 65535) {
        fprintf(stderr, "sockserve: PORT is 1 to 65535, not \"%s\"\n", argv[2]);
        return 2;
    }
    if (!strcmp(argv[1], "blocking")) return sock_serve_blocking((int)port) ? 1 : 0;
    if (!strcmp(argv[1], "loop")) return sock_serve_loop((int)port) ? 1 : 0;
    fprintf(stderr, "sockserve: the mode is blocking or loop, not \"%s\"\n", argv[1]);
    return 2;
}
