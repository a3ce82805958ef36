/* test_harness_run.c - the harness end to end, as a user runs it: a small
 * lab against the real miniserve, every output file checked; plot and
 * check on the folder; check on hand-made folders; a server that dies
 * mid-run; Ctrl-C; and every kind of bad input refused before anything is
 * measured. */
#include "check.h"
#include "harness_cmd.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];   /* this test's scratch folder */
static char out[65536];  /* the last command's stdout and stderr */
static const char *child_path; /* PATH for the next command, NULL: as is */

/* Runs argv with its output into out, PATH child_path when set; SIGINT
 * after interrupt_after_s when > 0. */
static int run(char *const argv[], double timeout_s, double interrupt_after_s) {
    hs_cmd_opts o = {interrupt_after_s, -1, child_path, NULL};
    return hs_cmd_run(argv, timeout_s, &o, tmp, out, sizeof out);
}

static cJSON *read_json(const char *dir, const char *name) { return hs_cmd_read_json(dir, name); }

static int exists(const char *dir, const char *name) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* Writes a lab file; variants is the JSON array text. */
static void write_lab(const char *path, const char *variants, const char *load,
                      const char *checks) {
    char text[8192];
    snprintf(text, sizeof text,
             "{\"name\": \"testlab\", \"title\": \"Test lab\", \"folder\": \"test-lab\",\n"
             " \"request\": {\"method\": \"POST\", \"path\": \"/correct\", \"health\": \"/healthz\",\n"
             "   \"payloads\": \"{source}/experiments/prompts/lab01_verb_corrections.json\"},\n"
             " \"load\": %s,\n \"variants\": %s,\n \"checks\": %s}\n",
             load, variants, checks);
    hs_cmd_write_file(path, text);
}

static const char *lab01_checks =
    "[{\"kind\": \"min_ok_percent\", \"title\": \"ok\", \"variants\": [\"sync\", "
    "\"async_blocking\", \"async_tothread\"], \"threshold\": 99},"
    " {\"kind\": \"p95_ratio_at_least\", \"title\": \"ratio\", \"variants\": "
    "[\"async_blocking\", \"sync\", \"async_tothread\"], \"threshold\": 3}]";

/* Checks a latencies file: n pairs of [latency >= 0, status]; returns how
 * many have status 200. */
static int check_latencies(const char *dir, const char *variant, int n) {
    char name[256];
    snprintf(name, sizeof name, "latencies_%s.json", variant);
    cJSON *j = read_json(dir, name);
    CHECK(cJSON_IsArray(j));
    CHECK_EQ_INT(cJSON_GetArraySize(j), n);
    int ok = 0;
    const cJSON *pair;
    cJSON_ArrayForEach(pair, j) {
        CHECK(cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2);
        CHECK(cJSON_GetArrayItem(pair, 0)->valuedouble >= 0);
        ok += cJSON_GetArrayItem(pair, 1)->valueint == 200;
    }
    cJSON_Delete(j);
    return ok;
}

/* The PNG signature, and an IHDR of the plot's size. */
static void check_png(const char *dir) {
    char path[2048];
    unsigned char h[24];
    snprintf(path, sizeof path, "%s/latency_cdf.png", dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK(fread(h, 1, sizeof h, f) == sizeof h);
    fclose(f);
    CHECK(memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK(memcmp(h + 12, "IHDR", 4) == 0);
    uint32_t w = (uint32_t)h[16] << 24 | h[17] << 16 | h[18] << 8 | h[19];
    uint32_t ht = (uint32_t)h[20] << 24 | h[21] << 16 | h[22] << 8 | h[23];
    CHECK_EQ_INT(w, 1200);
    CHECK_EQ_INT(ht, 800);
}

static void check_no_temp_files(const char *dir) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d))) CHECK(strstr(e->d_name, ".tmp.") == NULL);
    closedir(d);
}

/* The variants with {detect_blocking_ms} in their command saved their
 * servers' /debug/blocks, and the manifest's counts are the file's; the
 * one without has neither. No count is asserted: how often a loop blocks
 * depends on the machine. */
static void check_blocks(const char *dir, const cJSON *vars) {
    const char *with[] = {"sync", "async_blocking"};
    for (int i = 0; i < 2; i++) {
        char name[256];
        snprintf(name, sizeof name, "blocks_%s.json", with[i]);
        cJSON *f = read_json(dir, name);
        CHECK_EQ_STR(cJSON_GetObjectItem(f, "variant")->valuestring, with[i]);
        cJSON *workers = cJSON_GetObjectItem(f, "workers");
        CHECK_EQ_INT(cJSON_GetArraySize(workers), 1);
        cJSON *doc = cJSON_GetArrayItem(workers, 0);
        CHECK_EQ_INT(cJSON_GetObjectItem(doc, "threshold_ms")->valueint, 5);
        CHECK_EQ_STR(cJSON_GetObjectItem(doc, "variant")->valuestring, with[i]);
        CHECK(cJSON_IsArray(cJSON_GetObjectItem(doc, "reports")));
        double count = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "blocks"), "count")->valuedouble;
        cJSON *m = cJSON_GetObjectItem(cJSON_GetArrayItem(vars, i), "event_loop_blocks");
        CHECK(cJSON_IsObject(m));
        CHECK_EQ_STR(cJSON_GetObjectItem(m, "file")->valuestring, name);
        CHECK_EQ_INT(cJSON_GetObjectItem(m, "threshold_ms")->valueint, 5);
        CHECK_EQ_INT(cJSON_GetObjectItem(m, "workers")->valueint, 1);
        CHECK(cJSON_GetObjectItem(m, "blocks")->valuedouble == count);
        cJSON_Delete(f);
    }
    CHECK(!exists(dir, "blocks_async_tothread.json"));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(vars, 2), "event_loop_blocks")));
}

/* Every key the issue names is in facts.json for each variant, as a number:
 * against miniserve on loopback each one can be measured. */
static void check_facts(const char *dir, const char *const *names, int n, int requests) {
    static const char *keys[] = {
        "requests", "ok_percent", "requests_per_s", "latency_ms.p50", "latency_ms.p95",
        "latency_ms.p99", "latency_ms.max", "server.cpu_cores_used", "server.cpu_ms_per_request",
        "server.ctx_switches_voluntary", "server.ctx_switches_involuntary", "server.threads_max",
        "server.rss_mib", "loadgen.cpu_cores_used", "kernel.listen_overflows",
        "kernel.listen_drops", "kernel.syn_retransmits", "phases_ms.connect.p50",
        "phases_ms.connect.p95", "phases_ms.connect.p99", "phases_ms.ttfb.p50",
        "phases_ms.ttfb.p95", "phases_ms.ttfb.p99", "probe.requests", "probe.unloaded_p50_ms",
        "settings.threads", "settings.io_delay_ms"};
    cJSON *f = read_json(dir, "facts.json");
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "machine"), "cpus_available")->valuedouble >= 1);
    cJSON *vars = cJSON_GetObjectItem(f, "variants");
    int probed_any = 0;
    for (int i = 0; i < n; i++) {
        cJSON *v = cJSON_GetObjectItem(vars, names[i]);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(v, "measured")));
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            cJSON *x = v;
            char path[128], *save, *part;
            snprintf(path, sizeof path, "%s", keys[k]);
            for (part = strtok_r(path, ".", &save); part; part = strtok_r(NULL, ".", &save))
                x = cJSON_GetObjectItem(x, part);
            if (!cJSON_IsNumber(x)) fprintf(stderr, "facts: %s.%s is not a number\n", names[i], keys[k]);
            CHECK(cJSON_IsNumber(x));
        }
        /* A fast machine may finish a variant's 60 requests inside one probe
         * interval (50 ms): then the probe's figures are unknown, and say
         * why, rather than made up. */
        cJSON *probe = cJSON_GetObjectItem(v, "probe");
        int probed = cJSON_GetObjectItem(probe, "requests")->valueint > 0;
        probed_any |= probed;
        static const char *pk[] = {"p50_ms", "p95_ms", "p99_ms", "max_ms"};
        for (int k = 0; k < 4; k++) {
            char why[32];
            snprintf(why, sizeof why, "%s_unknown", pk[k]);
            CHECK(probed ? cJSON_IsNumber(cJSON_GetObjectItem(probe, pk[k]))
                         : cJSON_IsNull(cJSON_GetObjectItem(probe, pk[k])) &&
                               cJSON_IsString(cJSON_GetObjectItem(probe, why)));
        }
        cJSON *srv = cJSON_GetObjectItem(v, "server");
        CHECK(cJSON_GetObjectItem(srv, "cpu_cores_used")->valuedouble > 0);
        CHECK(cJSON_GetObjectItem(srv, "cpu_cores_used")->valuedouble <= 2.2); /* of 2 CPUs */
        CHECK(cJSON_GetObjectItem(srv, "threads_max")->valuedouble >= 2); /* loop + pool */
        CHECK(cJSON_GetObjectItem(srv, "ctx_switches_voluntary")->valuedouble > 0);
        CHECK(cJSON_GetObjectItem(srv, "rss_mib")->valuedouble > 1);
        /* The load generator is one thread: at most one core, and busy. */
        double gen = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "loadgen"), "cpu_cores_used")->valuedouble;
        CHECK(gen > 0 && gen <= 1.05);
        /* miniserve says what it runs with; these servers got no flags. */
        cJSON *set = cJSON_GetObjectItem(v, "settings");
        CHECK_EQ_INT(cJSON_GetObjectItem(set, "workers")->valueint, 1);
        CHECK_EQ_INT(cJSON_GetObjectItem(set, "io_delay_ms")->valueint, 0);
        CHECK_EQ_INT(cJSON_GetObjectItem(v, "requests")->valueint, requests);
        CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "probe"), "unloaded_requests")->valueint >= 10);
        /* The phases file: one row per recorded request. */
        char name[256];
        snprintf(name, sizeof name, "phases_%s.json", names[i]);
        cJSON *ph = read_json(dir, name);
        CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(ph, "rows")), requests);
        cJSON_Delete(ph);
        snprintf(name, sizeof name, "probe_%s.json", names[i]);
        CHECK(exists(dir, name));
    }
    /* async_blocking serves its 60 model calls one at a time, well past one
     * probe interval. */
    CHECK(probed_any);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(f, "checks")) >= 1);
    cJSON_Delete(f);
}

static void test_small_lab(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/small.json", tmp);
    snprintf(dir, sizeof dir, "%s/small-run", tmp);
    write_lab(lab,
              "[{\"name\": \"sync\", \"command\": [\"{bin}/miniserve\", \"--variant\", \"sync\", \"--port\", \"0\","
              "   \"--detect-blocking={detect_blocking_ms}\"]},"
              " {\"name\": \"async_blocking\", \"label\": \"B: blocking\", \"command\": [\"{bin}/miniserve\","
              "   \"--variant\", \"async_blocking\", \"--workers\", \"{workers}\", \"--port\", \"0\","
              "   \"--detect-blocking={detect_blocking_ms}\"]},"
              " {\"name\": \"async_tothread\", \"command\": [\"{bin}/miniserve\", \"--variant\","
              "   \"async_tothread\", \"--port\", \"{port}\"]}]",
              "{\"concurrency\": 50, \"total\": 500, \"warmup\": 10, \"timeout_s\": 30, \"workers\": 1, \"seed\": 0,"
              " \"detect_blocking_ms\": 5}",
              lab01_checks);
    char *argv[] = {HARNESS_BIN, "run", lab, "--total", "60", "--concurrency", "8",
                    "--warmup", "5", "--seed", "7", "--out", dir, NULL};
    int rc = run(argv, 120, 0);
    if (rc != 0) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);

    const char *names[] = {"sync", "async_blocking", "async_tothread"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(check_latencies(dir, names[i], 60), 60);
        char name[256];
        snprintf(name, sizeof name, "server_%s.log", names[i]);
        CHECK(exists(dir, name));
        snprintf(name, sizeof name, "latency_cdf_%s.dat", names[i]);
        CHECK(exists(dir, name));
    }
    check_png(dir);
    CHECK(exists(dir, "latency_cdf.gp"));
    check_no_temp_files(dir);

    cJSON *m = read_json(dir, "manifest.json");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m, "completed")));
    cJSON *load = cJSON_GetObjectItem(m, "load");
    CHECK_EQ_INT(cJSON_GetObjectItem(load, "total")->valueint, 60);
    CHECK_EQ_INT(cJSON_GetObjectItem(load, "concurrency")->valueint, 8);
    CHECK_EQ_INT(cJSON_GetObjectItem(load, "warmup")->valueint, 5);
    CHECK_EQ_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "seeds"), "payload_order")->valueint, 7);
    cJSON *ver = cJSON_GetObjectItem(m, "versions");
    const char *keys[] = {"harness", "libcurl", "cjson", "openblas", "libuv", "gnuplot", "compiler"};
    for (int i = 0; i < 7; i++) CHECK(cJSON_IsString(cJSON_GetObjectItem(ver, keys[i])));
    cJSON *mach = cJSON_GetObjectItem(m, "machine");
    CHECK(cJSON_GetObjectItem(mach, "cores")->valueint >= 1);
    CHECK(cJSON_GetObjectItem(mach, "memory_bytes")->valuedouble > 0);
    CHECK(cJSON_IsString(cJSON_GetObjectItem(mach, "kernel")));
    CHECK(cJSON_GetObjectItem(m, "git") != NULL);
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(m, "lab_definition")));
    cJSON *vars = cJSON_GetObjectItem(m, "variants");
    CHECK_EQ_INT(cJSON_GetArraySize(vars), 3);
    for (int i = 0; i < 3; i++) {
        cJSON *v = cJSON_GetArrayItem(vars, i);
        CHECK_EQ_STR(cJSON_GetObjectItem(v, "name")->valuestring, names[i]);
        cJSON *cmd = cJSON_GetObjectItem(v, "command");
        CHECK(cJSON_GetArraySize(cmd) >= 3);
        CHECK(strstr(cJSON_GetArrayItem(cmd, 0)->valuestring, "/miniserve") != NULL);
        for (int a = 0; a < cJSON_GetArraySize(cmd); a++)
            CHECK(strchr(cJSON_GetArrayItem(cmd, a)->valuestring, '{') == NULL);
        CHECK(cJSON_IsString(cJSON_GetObjectItem(v, "start_time")));
        CHECK(cJSON_IsString(cJSON_GetObjectItem(v, "end_time")));
        CHECK(cJSON_GetObjectItem(v, "wall_s")->valuedouble > 0);
        CHECK(cJSON_GetObjectItem(v, "throughput_rps")->valuedouble > 0);
        CHECK(cJSON_IsObject(cJSON_GetObjectItem(v, "healthz")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(v, "problem")));
        cJSON *mem = cJSON_GetObjectItem(v, "rss_after_warmup");
        CHECK(cJSON_IsObject(mem));
        cJSON *procs = cJSON_GetObjectItem(mem, "processes");
        CHECK(cJSON_GetArraySize(procs) >= 1);
        for (int k = 0; k < cJSON_GetArraySize(procs); k++)
            CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(procs, k), "rss_kib")->valueint > 0);
        CHECK(cJSON_GetObjectItem(mem, "total_kib")->valueint > 1024); /* the model alone is 0.4 MiB */
    }
    check_blocks(dir, vars);
    cJSON_Delete(m);
    check_facts(dir, names, 3, 60);

    char path[2048];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    static char md[65536];
    md[fread(md, 1, sizeof md - 1, f)] = '\0';
    fclose(f);
    for (int i = 0; i < 3; i++) {
        char row[128];
        snprintf(row, sizeof row, "| %s | 60 | 100.0%% |", names[i]);
        CHECK(strstr(md, row) != NULL);
    }
    CHECK(strstr(md, "linear interpolation") != NULL);
    /* The CPUs line quotes facts.json's figure, and every finding names
     * the rule that wrote it. */
    cJSON *facts = read_json(dir, "facts.json");
    char cpus[96];
    snprintf(cpus, sizeof cpus, "CPUs available to this run: %g (",
             cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "machine"), "cpus_available")->valuedouble);
    cJSON_Delete(facts);
    CHECK(strstr(md, cpus) != NULL);
    const char *why = strstr(md, "## What happened, and why\n");
    CHECK(why != NULL);
    int bullets = 0;
    const char *next = strstr(why + 1, "\n## ");
    const char *stop = next ? next : why + strlen(why);
    for (const char *l = strstr(why, "\n- "); l && l < stop; l = strstr(l + 1, "\n- ")) {
        const char *end = strchr(l + 1, '\n');
        CHECK(end && end - l > 20 && !strncmp(end - 4, " -->", 4)); /* tagged with its rule */
        bullets++;
    }
    CHECK(bullets >= 1); /* at least Little's law: a closed loop at 100% HTTP 200 */
    CHECK(strstr(md, "Server memory after warm-up") != NULL);
    CHECK(strstr(md, "## Event-loop blocks") != NULL);
    /* the detector's threshold, as the servers reported it */
    const char *blocks_md = strstr(md, "## Event-loop blocks");
    CHECK(blocks_md && strstr(blocks_md, " 5 ms") != NULL);
    CHECK(strstr(md, "| async_tothread | - | - | - | not measured |") != NULL);
    int fails = strstr(md, "**FAIL**") != NULL;

    /* check agrees with the summary; plot redraws a deleted PNG. */
    char *check_argv[] = {HARNESS_BIN, "check", dir, NULL};
    rc = run(check_argv, 30, 0);
    CHECK_EQ_INT(rc, fails ? 1 : 0);
    CHECK(strstr(out, "ratio") != NULL);
    snprintf(path, sizeof path, "%s/latency_cdf.png", dir);
    CHECK(unlink(path) == 0);
    char *plot_argv[] = {HARNESS_BIN, "plot", dir, NULL};
    CHECK_EQ_INT(run(plot_argv, 30, 0), 0);
    check_png(dir);

    /* Without gnuplot: it says so, exits 1, and still writes the script. */
    snprintf(path, sizeof path, "%s/latency_cdf.gp", dir);
    CHECK(unlink(path) == 0);
    child_path = "/nonexistent";
    CHECK_EQ_INT(run(plot_argv, 30, 0), 1);
    child_path = NULL;
    CHECK(strstr(out, "gnuplot is not installed") != NULL);
    CHECK(exists(dir, "latency_cdf.gp"));
    check_no_temp_files(dir);
}

/* latencies_<name>.json with n requests of the given latency, all 200. */
static void fake_latencies(const char *dir, const char *name, double latency, int n) {
    char path[2048], text[65536];
    size_t len = (size_t)snprintf(text, sizeof text, "[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s[%.4f, 200]", i ? ", " : "",
                                latency * (1 + 0.001 * i));
    snprintf(text + len, sizeof text - len, "]\n");
    snprintf(path, sizeof path, "%s/latencies_%s.json", dir, name);
    hs_cmd_write_file(path, text);
}

static void test_check_hand_made(void) {
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/hand-fail", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    /* async_blocking no slower than the others: lab01's ratio check fails. */
    fake_latencies(dir, "sync", 0.050, 100);
    fake_latencies(dir, "async_blocking", 0.060, 100);
    fake_latencies(dir, "async_tothread", 0.052, 100);
    char *argv[] = {HARNESS_BIN, "check", dir, "--lab", "lab01", NULL};
    CHECK_EQ_INT(run(argv, 30, 0), 1);
    CHECK(strstr(out, "FAIL") != NULL);

    snprintf(dir, sizeof dir, "%s/hand-pass", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    fake_latencies(dir, "sync", 0.050, 100);
    fake_latencies(dir, "async_blocking", 0.400, 100);
    fake_latencies(dir, "async_tothread", 0.052, 100);
    char *argv2[] = {HARNESS_BIN, "check", dir, NULL};
    int rc = run(argv2, 30, 0);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);

    /* A folder with a broken latencies file is an error, not a verdict. */
    snprintf(dir, sizeof dir, "%s/hand-broken", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    char path[2048];
    snprintf(path, sizeof path, "%s/latencies_sync.json", dir);
    hs_cmd_write_file(path, "[[0.1, 200], [0.2");
    char *argv3[] = {HARNESS_BIN, "check", dir, NULL};
    CHECK_EQ_INT(run(argv3, 30, 0), 2);
    CHECK(strstr(out, "latencies_sync.json") != NULL);
}

static void test_server_dies(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/dies.json", tmp);
    snprintf(dir, sizeof dir, "%s/dies-run", tmp);
    /* The "server" is a shell that runs miniserve (each request holding the
     * loop 20 ms) and kills it 1.5 s later, halfway through the load. */
    write_lab(lab,
              "[{\"name\": \"dying\", \"command\": [\"/bin/sh\", \"-c\", "
              "\"\\\"$0\\\" --variant async_blocking --io-delay-ms 20 --port 0 & sleep 1.5; kill -9 $!\", "
              "\"{bin}/miniserve\"]}]",
              "{\"concurrency\": 4, \"total\": 200, \"warmup\": 0, \"timeout_s\": 5, \"workers\": 1, \"seed\": 0}",
              "[]");
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    int rc = run(argv, 120, 0);
    CHECK_EQ_INT(rc, 1);
    CHECK(strstr(out, "exited during the run") != NULL);
    int ok = check_latencies(dir, "dying", 200);
    printf("server killed mid-run: %d of 200 requests succeeded\n", ok);
    CHECK(ok > 0 && ok < 200);
    cJSON *m = read_json(dir, "manifest.json");
    cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "variants"), 0);
    CHECK(cJSON_IsString(cJSON_GetObjectItem(v, "problem")));
    cJSON *errs = cJSON_GetObjectItem(v, "errors");
    CHECK(cJSON_GetObjectItem(errs, "connect")->valueint +
          cJSON_GetObjectItem(errs, "read_write")->valueint > 0);
    cJSON_Delete(m);
    check_png(dir);
    /* The folder stays usable: plot redraws it, check judges it. */
    char *plot_argv[] = {HARNESS_BIN, "plot", dir, NULL};
    CHECK_EQ_INT(run(plot_argv, 30, 0), 0);
}

static void test_interrupt(void) {
    char lab[1100], dir[1100];
    snprintf(lab, sizeof lab, "%s/slow.json", tmp);
    snprintf(dir, sizeof dir, "%s/interrupted-run", tmp);
    write_lab(lab,
              "[{\"name\": \"slow\", \"command\": [\"{bin}/miniserve\", \"--variant\", \"async_blocking\","
              "   \"--io-delay-ms\", \"50\", \"--port\", \"0\"]},"
              " {\"name\": \"never\", \"command\": [\"{bin}/miniserve\", \"--port\", \"0\"]}]",
              "{\"concurrency\": 4, \"total\": 1000, \"warmup\": 0, \"timeout_s\": 5, \"workers\": 1, \"seed\": 0}",
              "[]");
    char *argv[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    CHECK_EQ_INT(run(argv, 60, 1.5), 130);
    cJSON *m = read_json(dir, "manifest.json");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(m, "completed")));
    CHECK(cJSON_IsString(cJSON_GetObjectItem(m, "incomplete_reason")));
    cJSON_Delete(m);
    cJSON *lat = read_json(dir, "latencies_slow.json");
    int n = cJSON_GetArraySize(lat);
    printf("interrupted after %d of 1000 requests\n", n);
    CHECK(n > 0 && n < 1000);
    cJSON_Delete(lat);
    CHECK(!exists(dir, "latencies_never.json"));
    CHECK(exists(dir, "summary.md"));
    /* A variant the interrupted run never reached is shown as not measured,
     * not as a broken folder. */
    char *plot_argv[] = {HARNESS_BIN, "plot", dir, NULL};
    CHECK_EQ_INT(run(plot_argv, 30, 0), 0);
    check_png(dir);
}

static void expect_refused(char *const argv[], const char *message) {
    int rc = run(argv, 30, 0);
    if (rc != 2 || !strstr(out, message))
        fprintf(stderr, "expected exit 2 and \"%s\", got %d:\n%s", message, rc, out);
    CHECK_EQ_INT(rc, 2);
    CHECK(strstr(out, message) != NULL);
}

static void test_bad_input(void) {
    char dir[1100], lab[1100], full[1100];
    snprintf(dir, sizeof dir, "%s/never-made", tmp);
    char *unknown_lab[] = {HARNESS_BIN, "run", "no_such_lab", "--out", dir, NULL};
    expect_refused(unknown_lab, "unknown lab");
    char *unknown_variant[] = {HARNESS_BIN, "run", "lab01", "--variants", "sync,nope", "--out", dir, NULL};
    expect_refused(unknown_variant, "nope");
    char *zero_total[] = {HARNESS_BIN, "run", "lab01", "--total", "0", "--out", dir, NULL};
    expect_refused(zero_total, "--total");
    char *bad_conc[] = {HARNESS_BIN, "run", "lab01", "--concurrency", "lots", "--out", dir, NULL};
    expect_refused(bad_conc, "--concurrency");
    char *bad_cmd[] = {HARNESS_BIN, "frobnicate", NULL};
    expect_refused(bad_cmd, "unknown command");

    snprintf(lab, sizeof lab, "%s/missing-server.json", tmp);
    write_lab(lab, "[{\"name\": \"ghost\", \"command\": [\"/nonexistent/miniserve\", \"--port\", \"0\"]}]",
              "{\"concurrency\": 1, \"total\": 1, \"warmup\": 0, \"timeout_s\": 5, \"workers\": 1, \"seed\": 0}",
              "[]");
    char *missing[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    expect_refused(missing, "/nonexistent/miniserve");

    snprintf(lab, sizeof lab, "%s/broken.json", tmp);
    hs_cmd_write_file(lab, "{\"name\": \"broken\"");
    char *broken[] = {HARNESS_BIN, "run", lab, "--out", dir, NULL};
    expect_refused(broken, "broken.json");

    char *unwritable[] = {HARNESS_BIN, "run", "lab01", "--total", "1", "--out",
                          "/proc/harness-cannot-write-here", NULL};
    expect_refused(unwritable, "/proc/harness-cannot-write-here");

    snprintf(full, sizeof full, "%s/hand-fail", tmp); /* exists, has files */
    char *not_empty[] = {HARNESS_BIN, "run", "lab01", "--total", "1", "--out", full, NULL};
    expect_refused(not_empty, "never overwrites");

    CHECK(access(dir, F_OK) != 0); /* nothing was measured, nothing made */
}

/* Reads the first line of fd (the server's "listening on ..."). */
static int read_port(int fd) {
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line && read(fd, line + n, 1) == 1 && line[n] != '\n') n++;
    line[n] = '\0';
    char *colon = strrchr(line, ':');
    return colon ? atoi(colon + 1) : -1;
}

/* GET path from 127.0.0.1:port over a plain socket; the reply is in out. */
static void http_get(int port, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    char req[256];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    CHECK(write(fd, req, (size_t)len) == len);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, out + n, sizeof out - 1 - n)) > 0) n += (size_t)r;
    out[n] = '\0';
    close(fd);
}

/* The closed loop never has more than --concurrency requests in flight and
 * reuses its connections: the server's own counters say so. */
static void test_load_bounds(void) {
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        execl(MINISERVE_BIN, MINISERVE_BIN, "--variant", "sync", "--io-delay-ms", "5",
              "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    int port = read_port(pipefd[0]);
    CHECK(port > 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/correct", port);
    char *argv[] = {HARNESS_BIN, "load", url, "--concurrency", "4", "--total", "200", "--body",
                    "{\"sentence\": \"She go to school.\"}", NULL};
    int rc = run(argv, 60, 0);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(out, "requests 200  ok 100.0%") != NULL);
    http_get(port, "/metrics");
    char *body = strstr(out, "\r\n\r\n");
    CHECK(body != NULL);
    cJSON *m = cJSON_Parse(body + 4);
    CHECK(m != NULL);
    int max_running = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "handlers"), "max_running")->valueint;
    int accepted = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "connections"), "accepted")->valueint;
    printf("load -c 4: server saw at most %d handlers at once over %d connections\n",
           max_running, accepted);
    CHECK(max_running >= 2 && max_running <= 4);
    CHECK(accepted <= 4 + 1); /* 4 kept alive, plus this /metrics request */
    cJSON_Delete(m);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
}

int main(void) {
    const char *base = getenv("LAB_TEST_TMP");
    snprintf(tmp, sizeof tmp, "%s/harness_run.%ld", base ? base : "/tmp", (long)getpid());
    CHECK(mkdir(tmp, 0755) == 0);
    test_check_hand_made();
    test_bad_input();
    test_load_bounds();
    test_small_lab();
    test_server_dies();
    test_interrupt();
    /* Leaves tmp for inspection when a check fails; removes it on success. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    return 0;
}
