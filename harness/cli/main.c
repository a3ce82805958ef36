/* main.c - the harness command line. */
#include "cli/cli.h"

#include "lab/lab.h"
#include "load/load.h"
#include "run/run.h"
#include "facts/facts.h"
#include "data_files.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HARNESS_SOURCE_DIR
#define HARNESS_SOURCE_DIR "."
#endif

static void usage(FILE *f, const hs_paths *p) {
    fprintf(f,
        "usage: harness COMMAND [ARGS]\n"
        "\n"
        "  run LAB [options]   start each variant's server, load it, and write an\n"
        "                      experiment folder: latencies_<variant>.json, manifest.json,\n"
        "                      latency_cdf.gp/.png, summary.md, server_<variant>.log,\n"
        "                      facts.json (every figure: latencies, the server's CPU and\n"
        "                      threads and their wait for a CPU, the load generator's\n"
        "                      CPU, the CPUs available, kernel TCP counters, request\n"
        "                      phases, the probe),\n"
        "                      phases_<variant>.json, probe_<variant>.json, and\n"
        "                      blocks_<variant>.json (its event-loop block reports, when\n"
        "                      the command has {detect_blocking_ms}: the lab's threshold)\n"
        "      --concurrency N   requests in flight at most (lab default)\n"
        "      --total N         recorded requests per variant\n"
        "      --warmup N        unrecorded requests sent first\n"
        "      --timeout S       per-request timeout in seconds\n"
        "      --variants A,B    run only these variants, in this order\n"
        "      --workers N       server worker processes ({workers}), at most %d\n"
        "      --threads N       pool threads per server worker ({threads})\n"
        "      --io-delay-ms N   extra I/O wait per request ({io_delay_ms})\n"
        "      --seed N          0: prompts in file order; else shuffled with N\n"
        "      --probe-rate R    bystander probes per second during the load (GET\n"
        "                        on the lab's health path, own connection; the lab\n"
        "                        file's load.probe_rate, else 20); 0 turns it off\n"
        "      --rate R          open loop: R arrivals per second, each request timed\n"
        "                        from its intended send time (wrk2's method), for\n"
        "                        --total N arrivals or --duration S seconds; not with\n"
        "                        --concurrency (the lab's concurrency then sizes only\n"
        "                        the warm-up)\n"
        "      --arrivals uniform|poisson   their spacing (uniform); --seed N seeds poisson\n"
        "      --max-in-flight M an arrival beyond M in flight is dropped and counted,\n"
        "                        never delayed (1000)\n"
        "      --loadgen-threads N  the load generator's event loops, a thread each,\n"
        "                        sharing the connections and requests (and each with\n"
        "                        its share of --max-in-flight; 1, at most 64)\n"
        "      --no-evidence     no /proc or kernel readings around the load, no\n"
        "                        request phases and no probe (only to measure what\n"
        "                        they cost: facts.json then holds those as null)\n"
        "      --out DIR         write here (new or empty folder) instead of\n"
        "                        experiments/<date>-<lab folder>[-N]/\n"
        "      --sweep NAME=V1,V2,...\n"
        "                        one complete run per value (at most %d, sorted\n"
        "                        ascending) of NAME: workers, concurrency, threads,\n"
        "                        io_delay_ms or rate (an open loop's arrivals per\n"
        "                        second, with --duration or --total); each in\n"
        "                        DIR/NAME-V/ with the files\n"
        "                        above, and in DIR: manifest.json (every point's\n"
        "                        p50/p95/p99, requests/s, HTTP 200 %%, serving pids),\n"
        "                        sweep.dat/.gp/.png (percentiles and requests/s\n"
        "                        against NAME per variant) and summary.md. DIR\n"
        "                        defaults to experiments/<date>-<lab folder>-sweep-NAME.\n"
        "                        workers, threads and io_delay_ms need their\n"
        "                        placeholder in every variant's command; the flag\n"
        "                        for NAME itself cannot be given too\n"
        "      --repeat N        N complete runs (at most %d; 1, the default, is a\n"
        "                        plain run), in DIR/repeat-1 ...\n"
        "                        repeat-N, each starting every variant's server afresh\n"
        "                        in the lab's order (A B C A B C ...); DIR gets them\n"
        "                        together: latencies_<variant>.json (every repeat's\n"
        "                        records, in order), repeats_<variant>.json (which\n"
        "                        records came from which repeat), facts.json and\n"
        "                        summary.md (each figure's median across the repeats\n"
        "                        with a 95%% interval from a bootstrap of whole repeats;\n"
        "                        each check PASS, FAIL or UNSTABLE; warnings), and the\n"
        "                        CDF (pooled curves, each repeat thin). DIR defaults to\n"
        "                        experiments/<date>-<lab folder>-repeatN. With --sweep,\n"
        "                        each point is such a repeated run\n"
        "  plot [DIR]          redraw DIR's latency CDF from its latencies files; on\n"
        "                      a sweep's folder, every point's CDF and sweep.png; on a\n"
        "                      repeated run's, its pooled CDF, facts.json and summary.md\n"
        "  check [DIR] [--lab LAB]\n"
        "                      re-evaluate DIR's acceptance checks (the lab in its\n"
        "                      manifest, else LAB, default lab01) from its facts.json,\n"
        "                      or from its latencies files in a folder without one;\n"
        "                      on a repeated run's folder, each check's verdict from\n"
        "                      the 95%% interval of its figure across the repeats:\n"
        "                      PASS (all of it on the passing side), FAIL (all on the\n"
        "                      failing side) or UNSTABLE (it straddles the threshold);\n"
        "                      on a sweep's folder, every point that ran\n"
        "  compare DIR_A DIR_B [--fail-if SPEC]... [--force]\n"
        "                      per variant, B/A for p50, p95, p99 and requests/s with\n"
        "                      its 95%% interval and whether B is faster, slower or no\n"
        "                      different, as a markdown table on stdout. Two repeated\n"
        "                      runs are compared by their repeats (bootstrap of whole\n"
        "                      repeats); otherwise by the requests (bootstrap of each\n"
        "                      side's percentile: blind to drift between runs, and no\n"
        "                      interval for requests/s). Sweeps' folders point by point.\n"
        "                      Refuses folders of different labs, variants or load\n"
        "                      settings (server settings such as --io-delay-ms may\n"
        "                      differ); --force compares them anyway\n"
        "      --fail-if SPEC    [VARIANT:]FIGURE>+N%% or FIGURE<-N%%, FIGURE p50, p95,\n"
        "                        p99 or rps; comma-separated or repeated. It trips when\n"
        "                        the whole interval of B/A is past 1 +- N%%; one that\n"
        "                        names no variant of both folders is refused\n"
        "  list                the labs there are\n"
        "  load URL [options]  only the load generator, against any running server:\n"
        "                      GET (POST with --body JSON); prints requests/s (failures\n"
        "                      included), p50/p95/p99, errors by class and its own CPU\n"
        "      --concurrency N   closed loop: requests in flight (50)\n"
        "      --total N         requests, or an open loop's arrivals (10000)\n"
        "      --timeout S       per-request timeout in seconds (30)\n"
        "      --rate R          open loop: R arrivals per second, each timed from\n"
        "                        when it should have been sent (wrk2's method); needs\n"
        "                        --total N or --duration S; not with --concurrency;\n"
        "                        prints send lag, late sends, service time and drops\n"
        "      --duration S      an open loop's length: R x S arrivals\n"
        "      --arrivals uniform|poisson   their spacing (uniform)\n"
        "      --seed N          seeds poisson arrivals (1)\n"
        "      --max-in-flight M an arrival beyond M in flight is dropped and\n"
        "                        counted, never delayed (1000)\n"
        "      --loadgen-threads N  event loops, a thread each, sharing the connections\n"
        "                        and requests (each its share of --max-in-flight);\n"
        "                        records merged (1; at most 64)\n"
        "      --latencies FILE  also write [[latency_s, status], ...] there\n"
        "      --format text|ab  text (the default), or ApacheBench's report: its field\n"
        "                        names and layout, each figure computed as ab computes\n"
        "                        it (percentages: the request at done x p / 100 of the\n"
        "                        times sorted, in whole ms), then how our failure\n"
        "                        classes map onto ab's; a closed loop only\n"
        "\n"
        "LAB is a name from %s (e.g. lab01) or a path to a .json lab file.\n"
        "DIR defaults to the newest folder under %s.\n"
        "\n"
        "Exit status: 0 success (run: completed; check: all PASS; compare: no\n"
        "--fail-if threshold crossed or reached), 1 something failed (run: a server did\n"
        "not start or died, or no PNG; a sweep goes on with its other points; check: a\n"
        "FAIL; compare: a threshold crossed beyond doubt), 2 bad command line or input\n"
        "(nothing measured, no folder made; compare: folders refused), 3 undecided\n"
        "(check: no FAIL, but some check UNSTABLE; compare: no threshold crossed, but\n"
        "some interval reaches past one, or there is none), 130 interrupted (what was\n"
        "measured is kept, finished sweep points and repeats too; manifest.json says\n"
        "incomplete).\n",
        HS_MAX_WORKERS, HS_SWEEP_MAX_POINTS, HS_REPEAT_MAX, p->labs_dir,
        p->experiments_dir);
}

static int parse_long(const char *flag, const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "harness: %s takes a whole number from %ld to %ld, not \"%s\"\n",
                flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_seconds(const char *flag, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.001 && v <= 3600)) {
        fprintf(stderr, "harness: %s takes seconds from 0.001 to 3600, not \"%s\"\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_rate(const char *flag, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 1000)) {
        fprintf(stderr, "harness: %s takes probes per second from 0 to 1000, not \"%s\"\n",
                flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* LAB as a file path: a name in the labs folder, or a path as given. */
static void lab_path(const char *labs_dir, const char *lab, char *out, size_t size) {
    if (strchr(lab, '/') || strstr(lab, ".json")) snprintf(out, size, "%s", lab);
    else snprintf(out, size, "%s/%s.json", labs_dir, lab);
}

static int cmd_list(const hs_paths *p) {
    DIR *d = opendir(p->labs_dir);
    if (!d) {
        fprintf(stderr, "harness: %s: %s\n", p->labs_dir, strerror(errno));
        return HS_EXIT_USAGE;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json")) continue;
        char path[4096], err[1024];
        hs_lab lab;
        snprintf(path, sizeof path, "%s/%s", p->labs_dir, e->d_name);
        if (hs_lab_load(path, &lab, err, sizeof err)) {
            printf("%-16.*s (broken: %s)\n", (int)len - 5, e->d_name, err);
            continue;
        }
        printf("%-16s %s  [", lab.name, lab.title);
        for (int i = 0; i < lab.n_variants; i++) printf("%s%s", i ? ", " : "", lab.variants[i].name);
        printf("]\n");
        hs_lab_free(&lab);
    }
    closedir(d);
    return HS_EXIT_OK;
}

/* A number within [lo, hi] for flag, else a message; 0 or -1. */
static int parse_double(const char *flag, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "harness: %s takes a number from %g to %g, not \"%s\"\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_run(int argc, char **argv, const hs_paths *p) {
    static const struct option opts[] = {
        {"concurrency", required_argument, NULL, 'c'}, {"total", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},      {"timeout", required_argument, NULL, 't'},
        {"variants", required_argument, NULL, 'v'},    {"workers", required_argument, NULL, 'W'},
        {"seed", required_argument, NULL, 's'},        {"out", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 'T'},     {"io-delay-ms", required_argument, NULL, 'D'},
        {"sweep", required_argument, NULL, 'S'},       {"probe-rate", required_argument, NULL, 'P'},
        {"no-evidence", no_argument, NULL, 'E'},       {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},    {"arrivals", required_argument, NULL, 'a'},
        {"max-in-flight", required_argument, NULL, 'm'},
        {"loadgen-threads", required_argument, NULL, 'G'}, {"repeat", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0}};
    long conc = -1, total = -1, warmup = -1, workers = -1, seed = -1, threads = -1, io_delay = -1;
    long max_in_flight = -1, poisson = -1, gen_threads = -1, repeat = 1;
    double timeout = -1, probe_rate = -1, rate = 0, duration = 0;
    int no_evidence = 0;
    const char *variants = NULL, *out = NULL, *sweep = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'c': bad = parse_long("--concurrency", optarg, 1, 10000, &conc); break;
        case 'n': bad = parse_long("--total", optarg, 1, 10000000, &total); break;
        case 'w': bad = parse_long("--warmup", optarg, 0, 1000000, &warmup); break;
        case 't': bad = parse_seconds("--timeout", optarg, &timeout); break;
        case 'W':
            bad = parse_long("--workers", optarg, 1, HS_MAX_WORKERS, &workers);
            if (bad && strtol(optarg, NULL, 10) > HS_MAX_WORKERS)
                fprintf(stderr, "harness: miniserve runs at most %d worker processes\n",
                        HS_MAX_WORKERS);
            break;
        case 's': bad = parse_long("--seed", optarg, 0, 2147483647, &seed); break;
        case 'T': bad = parse_long("--threads", optarg, 1, 1024, &threads); break;
        case 'D': bad = parse_long("--io-delay-ms", optarg, 0, 600000, &io_delay); break;
        case 'P': bad = parse_rate("--probe-rate", optarg, &probe_rate); break;
        case 'E': no_evidence = 1; break;
        case 'r': bad = parse_double("--rate", optarg, 0.001, 1e6, &rate); break;
        case 'd': bad = parse_seconds("--duration", optarg, &duration); break;
        case 'm': bad = parse_long("--max-in-flight", optarg, 1, 100000, &max_in_flight); break;
        case 'G':
            bad = parse_long("--loadgen-threads", optarg, 1, HS_LOAD_MAX_THREADS, &gen_threads);
            break;
        case 'a':
            poisson = !strcmp(optarg, "poisson") ? 1 : !strcmp(optarg, "uniform") ? 0 : -1;
            if (poisson < 0)
                bad = 1, fprintf(stderr, "harness: --arrivals is uniform or poisson, not \"%s\"\n",
                                 optarg);
            break;
        case 'R': bad = parse_long("--repeat", optarg, 1, HS_REPEAT_MAX, &repeat); break;
        case 'v': variants = optarg; break;
        case 'o': out = optarg; break;
        case 'S':
            if (sweep) {
                fprintf(stderr, "harness: --sweep given twice; a sweep varies one parameter\n");
                bad = 1;
            }
            sweep = optarg;
            break;
        default: bad = 1;
        }
        if (bad) return HS_EXIT_USAGE;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "harness: run takes one LAB (try: harness list)\n");
        return HS_EXIT_USAGE;
    }
    hs_sweep_spec spec;
    char err[4096];
    if (sweep) {
        if (hs_sweep_parse(sweep, &spec, err, sizeof err)) {
            fprintf(stderr, "harness: %s\n", err);
            return HS_EXIT_USAGE;
        }
        /* Which flag sets the swept parameter too: one of them would lose. */
        const long given[HS_SWEEP_N_PARAMS] = {
            [HS_SWEEP_WORKERS] = workers, [HS_SWEEP_CONCURRENCY] = conc,
            [HS_SWEEP_IO_DELAY_MS] = io_delay, [HS_SWEEP_THREADS] = threads,
            [HS_SWEEP_RATE] = rate > 0 ? 1 : -1};
        if (given[spec.param] >= 0) {
            fprintf(stderr, "harness: --sweep %s and %s both set %s; give one of them\n",
                    hs_sweep_param_name(spec.param), hs_sweep_param_flag(spec.param),
                    hs_sweep_param_name(spec.param));
            return HS_EXIT_USAGE;
        }
    }
    char file[4096];
    hs_lab lab;
    lab_path(p->labs_dir, argv[optind], file, sizeof file);
    if (access(file, R_OK) != 0 && !strchr(argv[optind], '/')) {
        fprintf(stderr, "harness: unknown lab \"%s\" (no %s; try: harness list)\n",
                argv[optind], file);
        return HS_EXIT_USAGE;
    }
    if (hs_lab_load(file, &lab, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    if (conc > 0) lab.load.concurrency = conc;
    if (total > 0) lab.load.total = total;
    if (warmup >= 0) lab.load.warmup = warmup;
    if (timeout > 0) lab.load.timeout_s = timeout;
    if (workers > 0) lab.load.workers = workers;
    if (seed >= 0) lab.load.seed = seed;
    if (threads > 0) lab.load.threads = threads;
    if (io_delay >= 0) lab.load.io_delay_ms = io_delay;
    if (probe_rate >= 0) lab.load.probe_rate = probe_rate;
    lab.load.no_evidence = no_evidence;
    int rc = HS_EXIT_USAGE;
    /* The open loop's flags: a rate sends on a schedule, not from clients. */
    if (rate > 0) lab.load.rate = rate;
    const char *clash = rate > 0 && conc > 0 ? "--concurrency goes with a closed loop, not --rate"
                        : duration > 0 && total > 0 ? "give --duration or --total, not both"
                        : !(lab.load.rate > 0 || lab.load.rate_per_service > 0) &&
                                  !(sweep && spec.param == HS_SWEEP_RATE) &&
                                  (duration > 0 || max_in_flight > 0 || poisson >= 0)
                            ? "--duration, --max-in-flight and --arrivals need a rate (--rate, "
                              "or the lab's load.rate or load.rate_per_service)"
                            : NULL;
    if (clash) {
        fprintf(stderr, "harness: run: %s\n", clash);
        goto out;
    }
    if (duration > 0) lab.load.duration_s = duration;
    if (total > 0) lab.load.duration_s = 0; /* --total N arrivals, not the lab's duration */
    if (max_in_flight > 0) lab.load.max_in_flight = max_in_flight;
    if (gen_threads > 0) lab.load.loadgen_threads = gen_threads;
    if (poisson >= 0) lab.load.poisson = poisson;
    if (lab.load.rate > 0 && total <= 0 && lab.load.duration_s > 0)
        lab.load.total = (long)(lab.load.rate * lab.load.duration_s);
    if (lab.load.total < 1) {
        fprintf(stderr, "harness: run: the rate and duration give no request\n");
        goto out;
    }
    if (variants && hs_lab_select_variants(&lab, variants, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        goto out;
    }
    /* A server parameter reaches the servers only through its placeholder:
     * a flag no variant takes would change nothing, silently. */
    const struct { const char *flag, *placeholder; long value; } server_flags[] = {
        {"--workers", "{workers}", workers}, {"--threads", "{threads}", threads},
        {"--io-delay-ms", "{io_delay_ms}", io_delay}};
    for (size_t i = 0; i < sizeof server_flags / sizeof server_flags[0]; i++)
        if (server_flags[i].value >= 0 &&
            hs_lab_lacking(&lab, server_flags[i].placeholder, NULL, 0) == lab.n_variants) {
            fprintf(stderr, "harness: %s changes nothing in lab %s: no variant's command has "
                            "%s\n", server_flags[i].flag, lab.name, server_flags[i].placeholder);
            goto out;
        }
    if (sweep) {
        if (hs_sweep_check_lab(&lab, spec.param, err, sizeof err)) {
            fprintf(stderr, "harness: %s\n", err);
            goto out;
        }
        rc = hs_cmd_sweep(&lab, file, &spec, out, (int)repeat, p);
    } else {
        hs_run_options opt = {out, NULL, 0, (int)repeat, 0, 0};
        rc = hs_cmd_run(&lab, file, &opt, p, NULL);
    }
out:
    hs_lab_free(&lab);
    return rc;
}

/* p50 / p99 / max of v[0..n) in ms, as "a / b / c", into buf. */
static void ms_spread(const double *v, size_t n, char *buf, size_t size) {
    double *sorted = hs_sorted_copy(v, n), p50 = 0, p99 = 0;
    if (!sorted) {
        snprintf(buf, size, "n/a");
        return;
    }
    hs_percentile(sorted, n, 50, &p50), hs_percentile(sorted, n, 99, &p99);
    snprintf(buf, size, "%.3f / %.3f / %.3f", p50 * 1e3, p99 * 1e3, sorted[n - 1] * 1e3);
    free(sorted);
}

/* `harness load URL`: the load generator alone, so it can be measured
 * against other tools (wrk) on the same target; closed loop, or with
 * --rate an open loop at a fixed arrival rate. */
static int cmd_load(int argc, char **argv) {
    static const struct option opts[] = {
        {"concurrency", required_argument, NULL, 'c'}, {"total", required_argument, NULL, 'n'},
        {"timeout", required_argument, NULL, 't'},     {"body", required_argument, NULL, 'b'},
        {"rate", required_argument, NULL, 'r'},        {"duration", required_argument, NULL, 'd'},
        {"arrivals", required_argument, NULL, 'a'},    {"max-in-flight", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},        {"latencies", required_argument, NULL, 'l'},
        {"loadgen-threads", required_argument, NULL, 'G'}, {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0}};
    long conc = 50, total = 10000, max_in_flight = 1000, seed = 1, gen_threads = 1;
    int ab = 0;
    double timeout = 30, rate = 0, duration = 0;
    int given_conc = 0, given_total = 0, given_mif = 0, given_arrivals = 0;
    hs_arrival_kind arrivals = HS_ARRIVALS_UNIFORM;
    char *body = NULL;
    const char *latencies = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'c': bad = parse_long("--concurrency", optarg, 1, 10000, &conc), given_conc = 1; break;
        case 'n': bad = parse_long("--total", optarg, 1, 100000000, &total), given_total = 1; break;
        case 't': bad = parse_seconds("--timeout", optarg, &timeout); break;
        case 'b': body = optarg; break;
        case 'r': bad = parse_double("--rate", optarg, 0.001, 1e6, &rate); break;
        case 'd': bad = parse_seconds("--duration", optarg, &duration); break;
        case 'G':
            bad = parse_long("--loadgen-threads", optarg, 1, HS_LOAD_MAX_THREADS, &gen_threads);
            break;
        case 'm':
            bad = parse_long("--max-in-flight", optarg, 1, 100000, &max_in_flight), given_mif = 1;
            break;
        case 's': bad = parse_long("--seed", optarg, 0, 1L << 62, &seed); break;
        case 'l': latencies = optarg; break;
        case 'F':
            ab = !strcmp(optarg, "ab");
            if (!ab && strcmp(optarg, "text"))
                bad = 1, fprintf(stderr, "harness: --format is text or ab, not \"%s\"\n", optarg);
            break;
        case 'a':
            given_arrivals = 1;
            if (!strcmp(optarg, "uniform")) arrivals = HS_ARRIVALS_UNIFORM;
            else if (!strcmp(optarg, "poisson")) arrivals = HS_ARRIVALS_POISSON;
            else bad = 1, fprintf(stderr, "harness: --arrivals is uniform or poisson, not \"%s\"\n", optarg);
            break;
        default: bad = 1;
        }
        if (bad) return HS_EXIT_USAGE;
    }
    if (argc - optind != 1 || strncmp(argv[optind], "http://", 7) != 0) {
        fprintf(stderr, "harness: load takes one http:// URL\n");
        return HS_EXIT_USAGE;
    }
    /* An open loop sends on a schedule, not from a number of clients. */
    const char *clash = rate > 0 && given_conc ? "--concurrency goes with a closed loop, not --rate"
                        : rate > 0 && duration > 0 && given_total ? "give --duration or --total, not both"
                        : rate <= 0 && (duration > 0 || given_mif || given_arrivals)
                            ? "--duration, --max-in-flight and --arrivals need --rate"
                        : rate > 0 && !(duration > 0) && !given_total
                            ? "--rate needs --duration S or --total N (how many arrivals)"
                        : rate > 0 && ab ? "--format ab is for a closed loop: ab has no rate"
                            : NULL;
    if (clash) {
        fprintf(stderr, "harness: load: %s\n", clash);
        return HS_EXIT_USAGE;
    }
    if (rate > 0 && duration > 0) total = (long)floor(rate * duration);
    if (total < 1) {
        fprintf(stderr, "harness: load: --rate x --duration gives no request\n");
        return HS_EXIT_USAGE;
    }
    hs_load_config cfg = {argv[optind], body ? "POST" : "GET", &body, body ? 1 : 0,
                          conc, total, timeout, "load", 0, 0, NULL, NULL,
                          rate, arrivals, (uint64_t)seed, max_in_flight, (int)gen_threads};
    hs_load_result r;
    int rc = hs_load_run(&cfg, &r);
    if (rc) {
        fprintf(stderr, "harness: load generator failed: %s\n", strerror(-rc));
        return HS_EXIT_FAILED;
    }
    hs_summary s = {0};
    if (r.n) hs_summarize(r.samples, r.n, r.wall_s, &s);
    if (ab) hs_print_ab(stdout, argv[optind], conc, &r);
    else printf("requests %zu  ok %.1f%%  requests/s %.0f  p50 %.3f ms  p95 %.3f ms  p99 %.3f ms\n",
           r.n, s.ok_percent, s.rps, s.p50_s * 1e3, s.p95_s * 1e3, s.p99_s * 1e3);
    if (!ab)
        printf("errors: connect %zu, timeout %zu, read/write %zu, other %zu, non-2xx %zu\n",
               r.errors.connect, r.errors.timeout, r.errors.io, r.errors.other, r.errors.http);
    if (r.cpu_s >= 0 && r.wall_s > 0 && !ab)
        printf("load generator: %.2f s of CPU on %d thread%s, %.2f cores\n", r.cpu_s, r.threads,
               r.threads == 1 ? "" : "s", r.cpu_s / r.wall_s);
    if (rate > 0) {
        char lag[96], svc[96];
        ms_spread(r.lag_s, r.n, lag, sizeof lag), ms_spread(r.service_s, r.n, svc, sizeof svc);
        printf("open loop: %ld arrivals at %g/s (%s), sent %zu, dropped %zu (max in flight %ld); "
               "latency from the intended send time\n", total, rate,
               arrivals == HS_ARRIVALS_UNIFORM ? "uniform" : "poisson", r.n, r.dropped,
               max_in_flight);
        printf("send lag p50/p99/max %s ms, late by more than 1 ms: %zu; service time "
               "p50/p99/max %s ms\n", lag, r.late_1ms, svc);
    }
    int wrc = latencies ? hs_latencies_write(latencies, r.samples, r.n) : 0;
    if (wrc) fprintf(stderr, "harness: %s: %s\n", latencies, strerror(-wrc));
    free(r.samples), free(r.service_s), free(r.lag_s);
    if (wrc) return HS_EXIT_FAILED;
    return r.n + r.dropped == (size_t)total && s.ok == r.n ? HS_EXIT_OK : HS_EXIT_FAILED;
}

int main(int argc, char **argv) {
    char exe[PATH_MAX], bin[PATH_MAX], labs[PATH_MAX + 32], experiments[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "harness: cannot find my own binary: %s\n", strerror(errno));
        return HS_EXIT_USAGE;
    }
    exe[n] = '\0';
    snprintf(bin, sizeof bin, "%.*s", (int)(strrchr(exe, '/') - exe), exe);
    /* From the build tree: the source tree's labs, and its experiments/.
     * Installed: the labs (and the files they name) installed beside bin/,
     * and ./experiments of the folder the user is in, since the prefix may
     * be read-only and is shared by everyone who runs it. */
    char data[PATH_MAX], cwd[PATH_MAX];
    const char *source = HARNESS_SOURCE_DIR;
    if (mg_installed_data_dir(data, sizeof data)) {
        source = data;
        if (!getcwd(cwd, sizeof cwd)) {
            fprintf(stderr, "harness: cannot tell the current folder: %s\n", strerror(errno));
            return HS_EXIT_USAGE;
        }
        snprintf(experiments, sizeof experiments, "%s/experiments", cwd);
    } else {
        snprintf(experiments, sizeof experiments, "%s/experiments", source);
    }
    snprintf(labs, sizeof labs, "%s/harness/labs", source);
    hs_paths paths = {source, bin, labs, experiments, mg_data_file(MG_DEFAULT_WEIGHTS)};

    if (argc < 2) {
        usage(stderr, &paths);
        return HS_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, &paths);
            return HS_EXIT_OK;
        }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "harness: libcurl failed to initialise\n");
        return HS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int rc;
    if (!strcmp(cmd, "run")) {
        rc = cmd_run(argc - 1, argv + 1, &paths);
    } else if (!strcmp(cmd, "plot")) {
        if (argc > 3) {
            fprintf(stderr, "harness: plot takes at most one DIR\n");
            rc = HS_EXIT_USAGE;
        } else {
            rc = hs_cmd_plot(argc == 3 ? argv[2] : NULL, &paths);
        }
    } else if (!strcmp(cmd, "check")) {
        const char *dir = NULL, *lab = "lab01";
        rc = HS_EXIT_OK;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--lab") && i + 1 < argc) lab = argv[++i];
            else if (argv[i][0] != '-' && !dir) dir = argv[i];
            else {
                fprintf(stderr, "harness: check takes [DIR] [--lab LAB]\n");
                rc = HS_EXIT_USAGE;
            }
        }
        char file[4096];
        lab_path(labs, lab, file, sizeof file);
        if (rc == HS_EXIT_OK) rc = hs_cmd_check(dir, file, &paths);
    } else if (!strcmp(cmd, "compare")) {
        rc = hs_cmd_compare(argc - 1, argv + 1, &paths);
    } else if (!strcmp(cmd, "load")) {
        rc = cmd_load(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "list")) {
        if (argc > 2) {
            fprintf(stderr, "harness: list takes no arguments, not \"%s\"\n", argv[2]);
            rc = HS_EXIT_USAGE;
        } else {
            rc = cmd_list(&paths);
        }
    } else {
        fprintf(stderr, "harness: unknown command \"%s\" (try: harness --help)\n", cmd);
        rc = HS_EXIT_USAGE;
    }
    curl_global_cleanup();
    return rc;
}
