/* main.c - miniserve's command line: flags, socket, then serve. */
#include "server.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data_files.h"
#include "minigpt.h"

static void usage(FILE *f, const srv_config *d) {
    fprintf(f,
        "usage: miniserve [options]\n"
        "\n"
        "HTTP/1.1 server for the Mini-GPT verb-correction agent.\n"
        "  POST /correct  {\"sentence\": \"...\", \"learner_id\": \"...\"|null}\n"
        "  GET  /healthz  variant, worker pid, model\n"
        "  GET  /metrics  request counts, handler concurrency, pool queue, loop lag\n"
        "  GET  /debug/blocks  event-loop block reports (with --detect-blocking)\n"
        "\n"
        "options:\n"
        "  --variant NAME           how /correct runs (default %s):\n"
        "                             sync            whole handler on a pool thread\n"
        "                             async_blocking  whole handler on the event loop\n"
        "                             async_tothread  only the model call on the pool\n"
        "                             async_toprocess only the model call, in one of\n"
        "                                             --processes model processes\n"
        "  --threads N              pool threads per worker, 1..1024 (default %d)\n"
        "  --workers N              processes sharing the socket, 1..64 (default %d)\n"
        "  --processes N            async_toprocess: model processes per worker,\n"
        "                           each loading the model once at start-up, 1..64\n"
        "                           (default: the CPUs available to this process)\n"
        "  --host ADDR              numeric IPv4/IPv6 address (default %s)\n"
        "  --port N                 0 picks a free port (default %d)\n"
        "  --weights PATH           Mini-GPT weights (default %s)\n"
        "  --io-delay-ms N          extra I/O wait per /correct: a blocking wait in\n"
        "                           sync and async_blocking, a timer in async_tothread\n"
        "                           and async_toprocess\n"
        "                           (default %d)\n"
        "  --max-conns N            open connections per worker; more get 503\n"
        "                           (default %d)\n"
        "  --max-body BYTES         request body limit, 413 above (default %zu)\n"
        "  --max-header BYTES       request line + headers limit, 431 above\n"
        "                           (default %zu)\n"
        "  --idle-timeout-ms N      close keep-alive connections idle this long\n"
        "                           (default %d)\n"
        "  --request-timeout-ms N   a request must arrive within this, or it gets\n"
        "                           408; a client that does not take its response\n"
        "                           within this is disconnected (default %d)\n"
        "  --grace-ms N             time for in-flight requests after SIGTERM or\n"
        "                           SIGINT; then they are dropped and the process\n"
        "                           exits. Not under async_blocking, whose loop sees\n"
        "                           the signal and the deadline only between\n"
        "                           handlers: each one started runs to its end,\n"
        "                           I/O delay included (default %d)\n"
        "  --detect-blocking[=MS]   report each time the event loop goes MS ms or\n"
        "                           more (default 10) without polling, with the\n"
        "                           stack that blocked it: on stderr, counts in\n"
        "                           /metrics, reports at GET /debug/blocks. Time\n"
        "                           spent waiting for a core is reported apart, as\n"
        "                           starvation (default: off)\n"
        "  -h, --help               this text\n"
        "\n"
        "Errors come with a JSON body, {\"error\": \"...\", \"status\": N}:\n"
        "  400 a malformed request, or a /correct body that is not JSON\n"
        "  404 no such path, or /debug/blocks without --detect-blocking\n"
        "  405 a method the path does not take (with Allow)\n"
        "  408 a request not received within --request-timeout-ms\n"
        "  413 a body over --max-body; 431 a request line and headers over\n"
        "      --max-header\n"
        "  422 a body that is not a JSON object or holds \\u0000, or a sentence\n"
        "      or learner_id the agent cannot take (with \"field\")\n"
        "  501 a Transfer-Encoding other than chunked; 505 HTTP above 1.x\n"
        "  500 the model failed; 502 async_toprocess's model process died\n"
        "  503 over --max-conns, out of memory, shutting down, or no model\n"
        "      process left\n"
        "\n"
        "With --workers N, /healthz and /metrics describe the worker that answered.\n"
        "The first line on stdout is \"listening on http://HOST:PORT\"; logs go to\n"
        "stderr. Exit status: 0 after a clean shutdown, 1 if serving failed, 2 for\n"
        "bad flags.\n",
        srv_variant_name(d->variant), d->threads, d->workers, d->host, d->port,
        d->weights, d->io_delay_ms, d->max_conns, d->max_body, d->max_header,
        d->idle_timeout_ms, d->request_timeout_ms, d->grace_ms);
}

static void die_usage(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "miniserve: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry 'miniserve --help'.\n");
    exit(2);
}

/* Parses a whole decimal integer in [lo, hi] or exits 2 naming the flag. */
static long parse_int(const char *flag, const char *s, long lo, long hi) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        char range[64];
        snprintf(range, sizeof range, "%s: expected an integer in %ld..%ld", s, lo, hi);
        die_usage("--%s %s", flag, range);
    }
    return v;
}

static pthread_t main_thread;

/* Any thread other than the main one, until srv_worker_run() (or the
 * supervisor's wait) takes over. OpenBLAS starts its threads before main(),
 * with nothing blocked, so the kernel hands a process-directed SIGTERM to
 * one of them once the main thread blocks it. This puts the signal back on
 * the main thread, where it stays pending until it is unblocked or waited
 * for. pthread_kill() is async-signal-safe. */
static void redirect_to_main(int sig) {
    int saved = errno;
    pthread_kill(main_thread, sig);
    errno = saved;
}

/* Main thread, before anything tells the world we are listening. From here
 * on a SIGTERM or SIGINT is held, not fatal, until the worker's loop has
 * handlers for it (srv_worker_run) or the supervisor waits for it. */
static void hold_stop_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = redirect_to_main;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

/* The CPUs this process may run on: --processes' default. */
static int cpus_available(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int n = CPU_COUNT(&set);
    return n < 1 ? 1 : n > 64 ? 64 : n;
}

int main(int argc, char **argv) {
    /* One of async_toprocess's model processes, started by a worker
     * (procpool.c): not a command for users, so not in --help. */
    if (argc == 3 && strcmp(argv[1], "--model-process") == 0)
        return srv_model_process_main(argv[2]);
    srv_config cfg;
    srv_config_default(&cfg, mg_data_file(MG_DEFAULT_WEIGHTS));
    srv_config defaults = cfg;

    enum { O_VARIANT = 256, O_THREADS, O_WORKERS, O_HOST, O_PORT, O_WEIGHTS,
           O_DELAY, O_CONNS, O_BODY, O_HEADER, O_IDLE, O_REQUEST, O_GRACE, O_PROCESSES,
           O_DETECT };
    static const struct option opts[] = {
        {"variant", required_argument, NULL, O_VARIANT},
        {"threads", required_argument, NULL, O_THREADS},
        {"workers", required_argument, NULL, O_WORKERS},
        {"processes", required_argument, NULL, O_PROCESSES},
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"weights", required_argument, NULL, O_WEIGHTS},
        {"io-delay-ms", required_argument, NULL, O_DELAY},
        {"max-conns", required_argument, NULL, O_CONNS},
        {"max-body", required_argument, NULL, O_BODY},
        {"max-header", required_argument, NULL, O_HEADER},
        {"idle-timeout-ms", required_argument, NULL, O_IDLE},
        {"request-timeout-ms", required_argument, NULL, O_REQUEST},
        {"grace-ms", required_argument, NULL, O_GRACE},
        {"detect-blocking", optional_argument, NULL, O_DETECT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* "--detect-blocking 10" would leave "10" as a stray argument (an
     * optional value must follow '='); say so instead. */
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--detect-blocking") == 0 && argv[i + 1][0] >= '0' &&
            argv[i + 1][0] <= '9')
            die_usage("--detect-blocking %s: write --detect-blocking=%s", argv[i + 1],
                      argv[i + 1]);
    opterr = 0; /* our own messages, with exit status 2 */
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        const char *name = optind > 1 && optind <= argc ? argv[optind - 1] : "?";
        switch (opt) {
        case 'h': usage(stdout, &defaults); return 0;
        case O_VARIANT:
            if (srv_variant_parse(optarg, &cfg.variant))
                die_usage("--variant %s: expected sync, async_blocking, "
                          "async_tothread or async_toprocess%s", optarg, "");
            break;
        case O_THREADS: cfg.threads = (int)parse_int("threads", optarg, 1, 1024); break;
        case O_WORKERS: cfg.workers = (int)parse_int("workers", optarg, 1, 64); break;
        case O_PROCESSES: cfg.processes = (int)parse_int("processes", optarg, 1, 64); break;
        case O_HOST: cfg.host = optarg; break;
        case O_PORT: cfg.port = (int)parse_int("port", optarg, 0, 65535); break;
        case O_WEIGHTS: cfg.weights = optarg; break;
        case O_DELAY: cfg.io_delay_ms = (int)parse_int("io-delay-ms", optarg, 0, 600000); break;
        case O_CONNS: cfg.max_conns = (int)parse_int("max-conns", optarg, 1, 1000000); break;
        case O_BODY: cfg.max_body = (size_t)parse_int("max-body", optarg, 1, 64 << 20); break;
        case O_HEADER: cfg.max_header = (size_t)parse_int("max-header", optarg, 64, 1 << 20); break;
        case O_IDLE: cfg.idle_timeout_ms = (int)parse_int("idle-timeout-ms", optarg, 1, 3600000); break;
        case O_REQUEST: cfg.request_timeout_ms = (int)parse_int("request-timeout-ms", optarg, 1, 3600000); break;
        case O_GRACE: cfg.grace_ms = (int)parse_int("grace-ms", optarg, 0, 3600000); break;
        case O_DETECT:
            cfg.detect_blocking_ms =
                optarg ? (int)parse_int("detect-blocking", optarg, 1, 60000) : 10;
            break;
        case ':': die_usage("%s: missing value%s", name, ""); break;
        default: die_usage("%s: unknown option%s", name, ""); break;
        }
    }
    if (optind < argc) die_usage("unexpected argument '%s'%s", argv[optind], "");
    if (cfg.processes && cfg.variant != SRV_ASYNC_TOPROCESS)
        die_usage("--processes: only async_toprocess has model processes, not --variant "
                  "%s%s", srv_variant_name(cfg.variant), "");
    if (!cfg.processes) cfg.processes = cpus_available();

    /* Check the weights once here so a bad path fails before we listen. */
    gpt_model *m;
    int rc = gpt_load(cfg.weights, &m);
    if (rc) {
        fprintf(stderr, "miniserve: cannot load weights %s: %s\n", cfg.weights,
                gpt_strerror(rc));
        return 1;
    }
    gpt_free(m);

    /* A client that resets must not kill us on the next write. */
    signal(SIGPIPE, SIG_IGN);
    hold_stop_signals();

    int fd;
    char url[128];
    rc = srv_listen(&cfg, &fd, url, sizeof url);
    if (rc) {
        fprintf(stderr, "miniserve: cannot listen on %s port %d: %s\n", cfg.host,
                cfg.port, rc == -EINVAL ? "not a numeric IP address" : strerror(-rc));
        return 1;
    }
    printf("listening on %s\n", url);
    fflush(stdout);

    rc = cfg.workers > 1 ? srv_supervise(&cfg, fd) : srv_worker_run(&cfg, fd);
    if (rc) {
        fprintf(stderr, "miniserve: %s\n", srv_strerror(rc));
        return 1;
    }
    return 0;
}
