/* test_harness_sweep.c - `harness run LAB --sweep NAME=v1,...` end to end:
 * the spec parser; bad sweeps refused with nothing made; miniserve
 * --workers 4 really serving from 4 processes; a tiny sweep's bookkeeping
 * (point folders, the top manifest against each point's own files,
 * sweep.dat, plot and check on the folder); a point whose server cannot
 * start; and Ctrl-C in the middle of a sweep. No check is on speed. */
#include "check.h"
#include "harness_cmd.h"
#include "lab/lab.h"
#include "facts/facts.h"
#include "report/report.h"
#include "load/load.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];          /* this test's scratch folder */
static char out[65536];         /* the last command's stdout and stderr */
static const char *child_path;  /* PATH for the next command, NULL: as is */
static const char *weights;     /* the seeded init weights the tests use */

/* Runs argv with its output into out, PATH child_path when set; SIGINT
 * once interrupt_when (a path) exists, when it is not NULL. */
static int run(char *const argv[], double timeout_s, const char *interrupt_when) {
    hs_cmd_opts o = {0, -1, child_path, interrupt_when};
    return hs_cmd_run(argv, timeout_s, &o, tmp, out, sizeof out);
}

static cJSON *read_json(const char *dir, const char *name) {
    cJSON *j = cJSON_Parse(hs_cmd_slurp(dir, name));
    if (!j) fprintf(stderr, "%s/%s is not valid JSON\n", dir, name);
    CHECK(j != NULL);
    return j;
}

static int exists(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static const cJSON *get(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) fprintf(stderr, "no \"%s\" in the manifest\n", key);
    CHECK(v != NULL);
    return v;
}

/* The element of array arr whose "name" is name. */
static const cJSON *named(const cJSON *arr, const char *name) {
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return e;
    }
    fprintf(stderr, "no variant %s\n", name);
    exit(1);
}

static int close_to(double a, double b, double rel) {
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-12;
}

/* A lab of miniserve variants that take every sweepable parameter, on the
 * tests' seeded weights; extra (JSON objects, may be "") is appended. Its
 * one check wants 99% HTTP 200 from checked. */
static void write_lab(const char *path, const char *variants_csv, const char *extra,
                      const char *checked) {
    char vars[8192] = "", text[16384];
    const char *p = variants_csv;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t used = strlen(vars);
        snprintf(vars + used, sizeof vars - used,
                 "%s{\"name\": \"%.*s\", \"command\": [\"{bin}/miniserve\", \"--variant\", \"%.*s\","
                 " \"--workers\", \"{workers}\", \"--threads\", \"{threads}\", \"--io-delay-ms\","
                 " \"{io_delay_ms}\", \"--weights\", \"%s\", \"--port\", \"0\"]}",
                 used ? ", " : "", (int)len, p, (int)len, p, weights);
        p += len + (p[len] == ',');
    }
    snprintf(text, sizeof text,
             "{\"name\": \"testlab\", \"title\": \"Sweep test lab\", \"folder\": \"sweep-test\",\n"
             " \"request\": {\"method\": \"POST\", \"path\": \"/correct\", \"health\": \"/healthz\",\n"
             "   \"payloads\": \"{source}/experiments/prompts/lab01_verb_corrections.json\"},\n"
             " \"load\": {\"concurrency\": 4, \"total\": 30, \"warmup\": 4, \"timeout_s\": 30,"
             " \"workers\": 1, \"seed\": 0},\n"
             " \"variants\": [%s%s%s],\n"
             " \"checks\": [{\"kind\": \"min_ok_percent\", \"title\": \"all ok\", \"variants\": "
             "[\"%s\"], \"threshold\": 99}]}\n",
             vars, vars[0] && extra[0] ? ", " : "", extra, checked);
    hs_cmd_write_file(path, text);
}

/* The PNG signature and its size from the IHDR. */
static void check_png(const char *dir, const char *name, unsigned w, unsigned h) {
    char path[2048];
    unsigned char b[24];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) fprintf(stderr, "missing %s\n", path);
    CHECK(f != NULL);
    CHECK(fread(b, 1, sizeof b, f) == sizeof b);
    fclose(f);
    CHECK(memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK_EQ_INT((uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19], w);
    CHECK_EQ_INT((uint32_t)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23], h);
}

static void check_no_temp_files(const char *dir) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d))) CHECK(strstr(e->d_name, ".tmp.") == NULL);
    closedir(d);
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) n++;
    closedir(d);
    return n;
}

/* One variant's outcome at a point: p95 in ms, requests/s, HTTP 200 %. */
static hs_variant_outcome outcome(const char *name, double p95_ms, double rps, double ok) {
    hs_variant_outcome v = {.measured = 1, .complete = 1};
    snprintf(v.name, sizeof v.name, "%s", name);
    v.summary = (hs_summary){.requests = 100, .ok = (size_t)ok, .ok_percent = ok,
                             .p50_s = p95_ms / 2e3, .p95_s = p95_ms / 1e3,
                             .p99_s = p95_ms / 1e3, .max_s = p95_ms / 1e3,
                             .wall_s = 100 / rps, .rps = rps};
    return v;
}

/* The sweep summary from known numbers: a failed point named up front, a
 * variant below 99% HTTP 200 shown but not compared, each variant's first
 * and last comparable points with their ratios, the manifest's
 * failed_points, and variants paired across the points only by the
 * settings their servers reported in the points' facts.json. */
static void test_report_from_numbers(void) {
    static hs_sweep s;
    memset(&s, 0, sizeof s);
    char err[256];
    CHECK_EQ_INT(hs_sweep_parse("io_delay_ms=0,5,20,50", &s.spec, err, sizeof err), 0);
    snprintf(s.lab_name, sizeof s.lab_name, "synthetic");
    snprintf(s.title, sizeof s.title, "Synthetic");
    s.load = (hs_load_params){.concurrency = 10, .total = 100, .timeout_s = 5, .workers = 1,
                              .threads = 4};
    s.takes = 1u << HS_SWEEP_IO_DELAY_MS;
    s.cores = 2, s.complete = 1, s.n_variants = 3;
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) snprintf(s.variants[i], sizeof s.variants[i], "%s", names[i]);
    for (int i = 0; i < s.spec.n; i++) {
        hs_sweep_point *pt = &s.points[i];
        pt->value = s.spec.values[i];
        hs_sweep_point_folder(&s.spec, i, pt->folder, sizeof pt->folder);
        pt->status = HS_POINT_DONE, pt->exit_code = 0;
    }
    /* a and c: 0 → 20 ms; b: only 0 → 5, then below 99% at 20. */
    hs_sweep_point *p = s.points;
    p[0].out.v[0] = outcome("a", 10, 1000, 100), p[0].out.v[1] = outcome("b", 10, 1000, 100);
    p[0].out.v[2] = outcome("c", 10, 1000, 100);
    p[1].out.v[0] = outcome("a", 20, 500, 100), p[1].out.v[1] = outcome("b", 90, 100, 100);
    p[1].out.v[2] = outcome("c", 15, 700, 100);
    p[2].out.v[0] = outcome("a", 40, 250, 100), p[2].out.v[1] = outcome("b", 900, 10, 90);
    p[2].out.v[2] = outcome("c", 20, 500, 100);
    for (int i = 0; i < 3; i++) p[i].out.n = 3;
    p[3].status = HS_POINT_FAILED, p[3].exit_code = 1; /* nothing measured */

    char dir[1100];
    snprintf(dir, sizeof dir, "%s/synthetic-sweep", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    CHECK_EQ_INT(hs_sweep_report_write(dir, &s), 0);
    char *md = hs_cmd_slurp(dir, "summary.md");
    if (getenv("SHOW_MD")) fprintf(stderr, "%s\n", md);
    CHECK(strstr(md, "failed: io_delay_ms=50 (exit 1)") != NULL); /* the unmeasured note */
    CHECK(strstr(md, "not compared: below 99% HTTP 200") != NULL);
    CHECK(strstr(md, "| 50 | - | - | - | - | - | - | - | [io_delay_ms-50](io_delay_ms-50/summary.md) "
                     "failed (exit 1) |") != NULL);
    /* What changed, as cells: b's last comparable point is 5 (below 99% at
     * 20), a's and c's 20; a's p95 rose and its requests/s fell at both
     * steps, c's p95 too. */
    CHECK(strstr(md, "| b | 0 → 5 | x9.00 | x9.00 | x0.10 | - | - |") != NULL);
    CHECK(strstr(md, "| a | 0 → 20 | x4.00 | x4.00 | x0.25 | rose at every step | "
                     "fell at every step |") != NULL);
    CHECK(strstr(md, "| c | 0 → 20 | x2.00 | x2.00 | x0.50 | rose at every step | "
                     "fell at every step |") != NULL);
    /* No point has a facts.json: nothing is paired across the points. */
    CHECK(strstr(md, "rule: setting_change") == NULL);

    cJSON *m = hs_sweep_to_json(&s);
    const cJSON *failed = get(m, "failed_points");
    CHECK_EQ_INT(cJSON_GetArraySize(failed), 1);
    CHECK_EQ_INT(cJSON_GetArrayItem(failed, 0)->valueint, 50);
    /* The manifest holds the same changes as the table: a's 0 → 20, x4 p95. */
    const cJSON *ca = get(cJSON_GetArrayItem(get(m, "sweep_variants"), 0), "change");
    CHECK_EQ_INT(get(ca, "from")->valueint, 0);
    CHECK_EQ_INT(get(ca, "to")->valueint, 20);
    CHECK(fabs(get(ca, "p95_ratio")->valuedouble - 4.0) < 1e-9);
    CHECK_EQ_INT(get(ca, "p95_trend")->valueint, 1);
    CHECK_EQ_INT(get(ca, "requests_per_s_trend")->valueint, -1);
    cJSON_Delete(m);

    /* With facts.json at points 0 and 2 whose servers report their
     * settings, a and c pair across the wait (a reports its handler name
     * "h" at both), b does not (no name reported). */
    static const char *const point_facts[2] = {
        "{\"load\":{\"loop\":\"closed\",\"concurrency\":10},\"variants\":{"
        "\"a\":{\"measured\":true,\"requests\":100,\"ok_percent\":100,\"requests_per_s\":1000,"
        "\"latency_ms\":{\"p95\":10},\"settings\":{\"variant\":\"h\",\"threads\":4,\"workers\":1,"
        "\"io_delay_ms\":0}},"
        "\"b\":{\"measured\":true,\"requests\":100,\"ok_percent\":100,\"requests_per_s\":1000,"
        "\"latency_ms\":{\"p95\":10},\"settings\":{\"variant\":null,\"io_delay_ms\":0}}}}",
        "{\"load\":{\"loop\":\"closed\",\"concurrency\":10},\"variants\":{"
        "\"a\":{\"measured\":true,\"requests\":100,\"ok_percent\":100,\"requests_per_s\":250,"
        "\"latency_ms\":{\"p95\":40},\"settings\":{\"variant\":\"h\",\"threads\":4,\"workers\":1,"
        "\"io_delay_ms\":20}},"
        "\"b\":{\"measured\":true,\"requests\":100,\"ok_percent\":100,\"requests_per_s\":10,"
        "\"latency_ms\":{\"p95\":900},\"settings\":{\"variant\":null,\"io_delay_ms\":20}}}}"};
    for (int k = 0; k < 2; k++) {
        char pdir[2400], path[2500];
        snprintf(pdir, sizeof pdir, "%s/%s", dir, s.points[k * 2].folder);
        CHECK(mkdir(pdir, 0755) == 0);
        snprintf(path, sizeof path, "%s/facts.json", pdir);
        FILE *fp = fopen(path, "w");
        CHECK(fp != NULL);
        fputs(point_facts[k], fp);
        CHECK(fclose(fp) == 0);
    }
    CHECK_EQ_INT(hs_sweep_report_write(dir, &s), 0);
    md = hs_cmd_slurp(dir, "summary.md");
    if (getenv("SHOW_MD")) fprintf(stderr, "%s\n", md);
    const char *found = strstr(md, "(a at io_delay_ms=0 → a at io_delay_ms=20)");
    CHECK(found != NULL);
    CHECK(strstr(found, "x0.25") != NULL && strstr(found, "x4.00") != NULL);
    CHECK(strstr(md, "b at io_delay_ms=0 →") == NULL);
}

/* A rate sweep's knee beside the predicted capacity (the median over the
 * points): between the knee's rates, below the last rate kept up with, at
 * or above the first not, or none when no point predicted one; the
 * manifest holds the median. */
static void test_knee_prediction(void) {
    static hs_sweep s;
    memset(&s, 0, sizeof s);
    char err[256];
    CHECK_EQ_INT(hs_sweep_parse("rate=100,200,400", &s.spec, err, sizeof err), 0);
    snprintf(s.lab_name, sizeof s.lab_name, "synthetic");
    snprintf(s.title, sizeof s.title, "Synthetic rate");
    s.load = (hs_load_params){.concurrency = 10, .total = 100, .timeout_s = 5, .workers = 1,
                              .threads = 4};
    s.cores = 2, s.complete = 1, s.n_variants = 4;
    const char *names[] = {"within", "below", "above", "none"};
    for (int i = 0; i < 4; i++) snprintf(s.variants[i], sizeof s.variants[i], "%s", names[i]);
    /* served per point; predicted per point (0: none) */
    const double served[4][3] = {{100, 200, 300}, {100, 200, 400}, {100, 150, 160}, {100, 200, 300}};
    const double predicted[4][3] = {{280, 300, 350}, {250, 240, 260}, {500, 450, 520}, {0, 0, 0}};
    for (int i = 0; i < s.spec.n; i++) {
        hs_sweep_point *pt = &s.points[i];
        pt->value = s.spec.values[i];
        hs_sweep_point_folder(&s.spec, i, pt->folder, sizeof pt->folder);
        pt->status = HS_POINT_DONE, pt->exit_code = 0, pt->out.n = 4;
        for (int v = 0; v < 4; v++) {
            pt->out.v[v] = outcome(names[v], 10, served[v][i], 100);
            pt->out.v[v].predicted_rps = predicted[v][i];
        }
    }
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/knee-sweep", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    CHECK_EQ_INT(hs_sweep_report_write(dir, &s), 0);
    char *md = hs_cmd_slurp(dir, "summary.md");
    if (getenv("SHOW_MD")) fprintf(stderr, "%s\n", md);
    const char *expect[4] = {"sweep.knee, sweep.knee.predicted_agrees -->",
                             "sweep.knee.none, sweep.knee.predicted_below -->",
                             "sweep.knee, sweep.knee.predicted_above -->",
                             "sweep.knee -->"};
    for (int v = 0; v < 4; v++) {
        char head[64];
        snprintf(head, sizeof head, "- **%s** ", names[v]);
        const char *line = strstr(md, head);
        CHECK(line != NULL);
        const char *end = strchr(line, '\n');
        const char *tag = strstr(line, expect[v]);
        CHECK(tag != NULL && tag < end);
    }
    CHECK(strstr(md, "300/s (the median over 3 points") != NULL);
    cJSON *m = hs_sweep_to_json(&s);
    const cJSON *vars = get(m, "sweep_variants");
    CHECK(fabs(get(cJSON_GetArrayItem(vars, 0), "predicted_capacity_rps")->valuedouble - 300) < 1e-9);
    CHECK(fabs(get(cJSON_GetArrayItem(vars, 2), "predicted_capacity_rps")->valuedouble - 500) < 1e-9);
    CHECK(cJSON_IsNull(get(cJSON_GetArrayItem(vars, 3), "predicted_capacity_rps")));
    /* each point's prediction goes in the manifest and reads back */
    const cJSON *pv = cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(m, "points"), 1), "variants"), 0);
    CHECK(fabs(get(pv, "predicted_rps")->valuedouble - 300) < 1e-9);
    cJSON_Delete(m);
}

static void test_spec(void) {
    hs_sweep_spec s;
    char err[512];
    CHECK_EQ_INT(hs_sweep_parse("workers=4,1,2", &s, err, sizeof err), 0);
    CHECK(s.param == HS_SWEEP_WORKERS);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_INT(s.values[0], 1); /* sorted ascending */
    CHECK_EQ_INT(s.values[2], 4);
    char folder[64];
    hs_sweep_point_folder(&s, 2, folder, sizeof folder);
    CHECK_EQ_STR(folder, "workers-4");
    CHECK_EQ_INT(hs_sweep_parse("io-delay-ms=0,50", &s, err, sizeof err), 0);
    CHECK(s.param == HS_SWEEP_IO_DELAY_MS && s.values[0] == 0);
    hs_sweep_point_folder(&s, 1, folder, sizeof folder);
    CHECK_EQ_STR(folder, "io_delay_ms-50");
    CHECK_EQ_INT(hs_sweep_parse("concurrency=7", &s, err, sizeof err), 0);
    CHECK_EQ_INT(hs_sweep_parse("threads=1,1024", &s, err, sizeof err), 0);
    struct {
        const char *text, *says;
    } bad[] = {
        {"workers", "needs values"},        {"workers=", "needs values"},
        {"nope=1", "unknown parameter"},    {"workers=0", "from 1 to 64"},
        {"threads=2000", "from 1 to 1024"}, {"io_delay_ms=-5", "\"-5\""},
        {"workers=1,1", "twice"},           {"workers=1,,2", "empty value"},
        {"workers=1,", "empty value"},      {"workers=1.5", "\"1.5\""},
        {"workers= 1", "\" 1\""},           {"workers=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "at most 16"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK(hs_sweep_parse(bad[i].text, &s, err, sizeof err) == -EINVAL);
        if (!strstr(err, bad[i].says)) fprintf(stderr, "%s: %s\n", bad[i].text, err);
        CHECK(strstr(err, bad[i].says) != NULL);
    }

    /* Which labs can take which parameter. */
    hs_lab lab;
    CHECK_EQ_INT(hs_lab_load(LABS_DIR "/lab01.json", &lab, err, sizeof err), 0);
    for (int p = HS_SWEEP_WORKERS; p <= HS_SWEEP_THREADS; p++)
        CHECK_EQ_INT(hs_sweep_check_lab(&lab, (hs_sweep_param)p, err, sizeof err), 0);
    hs_lab_free(&lab);
    CHECK_EQ_INT(hs_lab_load(LABS_DIR "/lab01-python.json", &lab, err, sizeof err), 0);
    CHECK_EQ_INT(hs_sweep_check_lab(&lab, HS_SWEEP_WORKERS, err, sizeof err), 0);
    CHECK_EQ_INT(hs_sweep_check_lab(&lab, HS_SWEEP_CONCURRENCY, err, sizeof err), 0);
    CHECK(hs_sweep_check_lab(&lab, HS_SWEEP_THREADS, err, sizeof err) < 0);
    printf("refused: %s\n", err);
    CHECK(strstr(err, "{threads}") && strstr(err, "async_blocking"));
    hs_lab_free(&lab);
}

static void expect_refused(char *const argv[], const char *message) {
    int rc = run(argv, 30, NULL);
    if (rc != 2 || !strstr(out, message))
        fprintf(stderr, "expected exit 2 and \"%s\", got %d:\n%s", message, rc, out);
    CHECK_EQ_INT(rc, 2);
    CHECK(strstr(out, message) != NULL);
}

/* Bad sweeps exit 2 and make nothing: not the --out folder, not a folder
 * under experiments/. */
static void test_bad_input(void) {
    char dir[1100], lab[1100];
    snprintf(dir, sizeof dir, "%s/never-made", tmp);
    snprintf(lab, sizeof lab, "%s/missing.json", tmp);
    int before = count_entries(EXPERIMENTS_DIR);
    struct {
        const char *sweep, *flag, *flag_value, *lab, *says;
    } bad[] = {
        {"workers", NULL, NULL, "lab01", "needs values"},
        {"speed=1,2", NULL, NULL, "lab01", "unknown parameter \"speed\""},
        {"workers=0,2", NULL, NULL, "lab01", "\"0\""},
        {"workers=2,2", NULL, NULL, "lab01", "twice"},
        {"workers=1,65", NULL, NULL, "lab01", "from 1 to 64 (miniserve's own limit)"},
        {"concurrency=1,2", "--workers", "65", "lab01", "from 1 to 64"},
        {"workers=1,2", "--workers", "2", "lab01", "--sweep workers and --workers"},
        {"concurrency=1,2", "--concurrency", "2", "lab01", "--sweep concurrency and --concurrency"},
        {"io_delay_ms=0,5", "--io-delay-ms", "5", "lab01", "--sweep io_delay_ms and --io-delay-ms"},
        {"threads=1,2", "--threads", "2", "lab01", "--sweep threads and --threads"},
        {"workers=1,2", "--sweep", "threads=1,2", "lab01", "--sweep given twice"},
        {"threads=1,2", NULL, NULL, "lab01-python", "no {threads}"},
        {"io_delay_ms=0,5", NULL, NULL, "lab01-iodelay", "no {io_delay_ms}"},
        {"workers=1,2", NULL, NULL, "lab01-workers", "no {workers}"},
        {"workers=1,2", "--variants", "nope", "lab01", "nope"},
        {"workers=1,2", NULL, NULL, lab, "missing.json"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[12];
        int a = 0;
        argv[a++] = HARNESS_BIN, argv[a++] = "run", argv[a++] = (char *)bad[i].lab;
        argv[a++] = "--sweep", argv[a++] = (char *)bad[i].sweep;
        if (bad[i].flag) argv[a++] = (char *)bad[i].flag, argv[a++] = (char *)bad[i].flag_value;
        argv[a++] = "--total", argv[a++] = "1", argv[a++] = "--out", argv[a++] = dir;
        argv[a] = NULL;
        expect_refused(argv, bad[i].says);
        CHECK(access(dir, F_OK) != 0);
    }
    /* A server program that is not there is refused before any point. */
    snprintf(lab, sizeof lab, "%s/ghost.json", tmp);
    hs_cmd_write_file(lab, "{\"name\": \"ghost\", \"title\": \"G\", \"folder\": \"ghost\", \"request\": "
                    "{\"method\": \"GET\", \"path\": \"/\", \"health\": \"/\"}, \"load\": "
                    "{\"concurrency\": 1, \"total\": 1, \"warmup\": 0, \"timeout_s\": 1, "
                    "\"workers\": 1, \"seed\": 0}, \"variants\": [{\"name\": \"g\", \"command\": "
                    "[\"/nonexistent/miniserve\", \"--workers\", \"{workers}\"]}]}");
    char *ghost[] = {HARNESS_BIN, "run", lab, "--sweep", "workers=1,2", "--out", dir, NULL};
    expect_refused(ghost, "/nonexistent/miniserve");
    /* Without --out: still nothing made under experiments/. */
    char *no_out[] = {HARNESS_BIN, "run", "lab01", "--sweep", "threads=0,1", NULL};
    expect_refused(no_out, "threads");
    CHECK(access(dir, F_OK) != 0);
    CHECK_EQ_INT(count_entries(EXPERIMENTS_DIR), before);
}

/* GET /healthz over 8 new connections to 127.0.0.1:port at once (workers
 * race to accept; a batch of pending connections wakes several of them);
 * the "pid" of each answer goes to pids. */
static void healthz_pids(int port, long pids[8]) {
    int fds[8];
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 8; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(connect(fds[i], (struct sockaddr *)&a, sizeof a) == 0);
    }
    for (int i = 0; i < 8; i++) CHECK(write(fds[i], req, strlen(req)) == (ssize_t)strlen(req));
    for (int i = 0; i < 8; i++) {
        char buf[4096];
        size_t n = 0;
        ssize_t r;
        while (n + 1 < sizeof buf && (r = read(fds[i], buf + n, sizeof buf - 1 - n)) > 0)
            n += (size_t)r;
        buf[n] = '\0';
        close(fds[i]);
        char *body = strstr(buf, "\r\n\r\n");
        CHECK(body != NULL);
        cJSON *j = cJSON_Parse(body + 4);
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
        CHECK(cJSON_IsNumber(pid));
        pids[i] = (long)pid->valuedouble;
        cJSON_Delete(j);
    }
}

/* miniserve --workers 4 serves from 4 processes: /healthz over fresh
 * connections names 4 distinct pids, each a child of the server. Bounded
 * tries, no timing: which worker accepts is the kernel's choice. */
static void test_distinct_pids(void) {
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        execl(MINISERVE_BIN, MINISERVE_BIN, "--workers", "4", "--weights", weights, "--port",
              "0", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line && read(pipefd[0], line + n, 1) == 1 && line[n] != '\n') n++;
    line[n] = '\0';
    char *colon = strrchr(line, ':');
    CHECK(colon != NULL);
    int port = atoi(colon + 1);
    long seen[8];
    int distinct = 0, tries = 0;
    /* Bounded: 50 batches. A worker may still be starting when the first
     * one answers, hence the pause after a batch with nothing new. */
    for (int b = 0; b < 50 && distinct < 4; b++) {
        long got[8];
        int before = distinct;
        healthz_pids(port, got);
        tries += 8;
        for (int i = 0; i < 8; i++) {
            int known = 0;
            for (int k = 0; k < distinct; k++) known |= seen[k] == got[i];
            if (!known && distinct < 8) seen[distinct++] = got[i];
        }
        if (distinct == before) usleep(20000);
    }
    printf("miniserve --workers 4: %d distinct pids from /healthz in %d fresh connections\n",
           distinct, tries);
    CHECK_EQ_INT(distinct, 4);
    for (int i = 0; i < distinct; i++) {
        CHECK(seen[i] != pid); /* workers answer, not the supervisor */
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", seen[i]);
        FILE *f = fopen(path, "r");
        CHECK(f != NULL);
        size_t got = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[got] = '\0';
        int ppid = 0;
        char state;
        CHECK(sscanf(strrchr(stat, ')') + 1, " %c %d", &state, &ppid) == 2);
        CHECK_EQ_INT(ppid, pid);
    }
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(pipefd[0]);
}

/* One point's folder: a complete single run. Returns its manifest. */
static cJSON *check_point(const char *top, const char *folder, const char *const *variants,
                          int nv, long value) {
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/%s", top, folder);
    for (int i = 0; i < nv; i++) {
        const char *kinds[] = {"latencies_%s.json", "server_%s.log", "latency_cdf_%s.dat"};
        for (int k = 0; k < 3; k++) {
            char name[128];
            snprintf(name, sizeof name, kinds[k], variants[i]);
            if (!exists(dir, name)) fprintf(stderr, "missing %s/%s\n", dir, name);
            CHECK(exists(dir, name));
        }
    }
    CHECK(exists(dir, "summary.md") && exists(dir, "latency_cdf.gp"));
    check_png(dir, "latency_cdf.png", 1200, 800);
    check_no_temp_files(dir);
    cJSON *m = read_json(dir, "manifest.json");
    CHECK(cJSON_IsTrue(get(m, "completed")));
    const cJSON *sp = get(m, "sweep_point");
    CHECK_EQ_STR(get(sp, "parameter")->valuestring, "workers");
    CHECK_EQ_INT(get(sp, "value")->valueint, value);
    CHECK_EQ_INT(get(get(m, "load"), "workers")->valueint, value);
    CHECK_EQ_INT(get(get(get(m, "lab_definition"), "load"), "workers")->valueint, value);
    return m;
}

static void test_tiny_sweep(void) {
    char lab[1100], dir[1100], path[2200];
    snprintf(lab, sizeof lab, "%s/tiny.json", tmp);
    snprintf(dir, sizeof dir, "%s/tiny-sweep", tmp);
    write_lab(lab, "sync,async_blocking", "", "sync");
    char *argv[] = {HARNESS_BIN, "run", lab, "--sweep", "workers=4,1", "--concurrency", "3",
                    "--out", dir, NULL};
    int rc = run(argv, 240, NULL);
    if (rc) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(out, "point 1/2: workers=1") != NULL);
    CHECK(strstr(out, "point 2/2: workers=4") != NULL);

    const char *names[] = {"sync", "async_blocking"};
    const long values[] = {1, 4};
    const char *folders[] = {"workers-1", "workers-4"};
    cJSON *m = read_json(dir, "manifest.json");
    CHECK_EQ_STR(get(m, "kind")->valuestring, "sweep");
    CHECK(cJSON_IsTrue(get(m, "completed")));
    CHECK(cJSON_IsNull(get(m, "incomplete_reason")));
    const cJSON *sw = get(m, "sweep");
    CHECK_EQ_STR(get(sw, "parameter")->valuestring, "workers");
    CHECK_EQ_INT(cJSON_GetArraySize(get(sw, "values")), 2);
    CHECK_EQ_INT(get(get(m, "load"), "concurrency")->valueint, 3); /* fixed by the flag */
    CHECK(cJSON_IsObject(get(m, "machine")) && cJSON_IsObject(get(m, "versions")));
    CHECK(cJSON_IsObject(get(m, "git")));
    const cJSON *points = get(m, "points");
    CHECK_EQ_INT(cJSON_GetArraySize(points), 2);

    /* A facts.json in every point, and the sweep's own holding each one's
     * under its value, with the point's own requests/s. */
    cJSON *sf = read_json(dir, "facts.json");
    CHECK_EQ_STR(get(sf, "sweep_parameter")->valuestring, "workers");
    CHECK(cJSON_IsTrue(get(sf, "complete")));
    CHECK_EQ_INT(cJSON_GetArraySize(get(sf, "points")), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *sp = cJSON_GetArrayItem(get(sf, "points"), i);
        CHECK_EQ_INT(get(sp, "value")->valueint, values[i]);
        char pdir[2048];
        snprintf(pdir, sizeof pdir, "%s/%s", dir, folders[i]);
        cJSON *pf = read_json(pdir, "facts.json");
        for (int k = 0; k < 2; k++) {
            const cJSON *a = get(get(get(sp, "facts"), "variants"), names[k]);
            const cJSON *b = get(get(pf, "variants"), names[k]);
            CHECK(get(a, "requests_per_s")->valuedouble == get(b, "requests_per_s")->valuedouble);
            CHECK(cJSON_IsNumber(get(get(b, "server"), "cpu_cores_used")));
        }
        cJSON_Delete(pf);
    }
    cJSON_Delete(sf);

    /* dat[i][k]: what sweep.dat should hold for point i, variant k. */
    double want_p50[2][2], want_rps[2][2];
    for (int i = 0; i < 2; i++) {
        const cJSON *pt = cJSON_GetArrayItem(points, i);
        CHECK_EQ_INT(get(pt, "value")->valueint, values[i]);
        CHECK_EQ_STR(get(pt, "folder")->valuestring, folders[i]);
        CHECK_EQ_STR(get(pt, "status")->valuestring, "done");
        CHECK_EQ_INT(get(pt, "exit_code")->valueint, 0);
        cJSON *pm = check_point(dir, folders[i], names, 2, values[i]);
        char pdir[2048];
        snprintf(pdir, sizeof pdir, "%s/%s", dir, folders[i]);
        for (int k = 0; k < 2; k++) {
            const cJSON *v = named(get(pt, "variants"), names[k]);
            const cJSON *pv = named(get(pm, "variants"), names[k]);
            CHECK(cJSON_IsTrue(get(v, "complete")));
            CHECK_EQ_INT(get(v, "requests")->valueint, 30);
            CHECK_EQ_INT(get(pv, "requests")->valueint, 30);
            CHECK(get(v, "ok_percent")->valuedouble == 100);
            /* requests/s is the point's own, to the digit. */
            CHECK(close_to(get(v, "throughput_rps")->valuedouble,
                           get(pv, "throughput_rps")->valuedouble, 1e-12));
            /* The percentiles are those of the point's latencies file. */
            hs_sample *s;
            size_t n;
            char lat[2200], e[512];
            snprintf(lat, sizeof lat, "%s/latencies_%s.json", pdir, names[k]);
            CHECK_EQ_INT(hs_latencies_read(lat, &s, &n, e, sizeof e), 0);
            CHECK_EQ_INT(n, 30);
            hs_summary sum;
            CHECK_EQ_INT(hs_summarize(s, n, 1, &sum), 0);
            free(s);
            CHECK(close_to(get(v, "p50_ms")->valuedouble, sum.p50_s * 1e3, 1e-6));
            CHECK(close_to(get(v, "p95_ms")->valuedouble, sum.p95_s * 1e3, 1e-6));
            CHECK(close_to(get(v, "p99_ms")->valuedouble, sum.p99_s * 1e3, 1e-6));
            want_p50[i][k] = get(v, "p50_ms")->valuedouble;
            want_rps[i][k] = get(v, "throughput_rps")->valuedouble;

            /* Issue 7: the workers=N run really had N serving processes,
             * each one of the server's own processes. */
            const cJSON *pids = get(v, "serving_pids"), *ppids = get(pv, "serving_pids");
            printf("workers=%ld %s: %d serving pids\n", values[i], names[k],
                   cJSON_GetArraySize(pids));
            CHECK_EQ_INT(cJSON_GetArraySize(pids), values[i]);
            CHECK_EQ_INT(cJSON_GetArraySize(ppids), values[i]);
            const cJSON *procs = get(get(pv, "rss_after_warmup"), "processes");
            for (int a = 0; a < cJSON_GetArraySize(pids); a++) {
                long pa = (long)cJSON_GetArrayItem(pids, a)->valuedouble;
                CHECK_EQ_INT((long)cJSON_GetArrayItem(ppids, a)->valuedouble, pa);
                for (int b = 0; b < a; b++)
                    CHECK((long)cJSON_GetArrayItem(pids, b)->valuedouble != pa);
                int among = 0;
                for (int q = 0; q < cJSON_GetArraySize(procs); q++)
                    among |= (long)get(cJSON_GetArrayItem(procs, q), "pid")->valuedouble == pa;
                CHECK(among);
            }
        }
        cJSON_Delete(pm);
    }
    cJSON_Delete(m);

    /* sweep.dat: one row per point and variant, the manifest's numbers. */
    char *dat = hs_cmd_slurp(dir, "sweep.dat");
    int rows = 0;
    for (char *line = strtok(dat, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        double x, p50, p95, p99, rps, ok;
        int req;
        char name[64];
        CHECK(sscanf(line, "%lf %lf %lf %lf %lf %lf %d %63s", &x, &p50, &p95, &p99, &rps, &ok,
                     &req, name) == 8);
        int i = x == 1 ? 0 : 1, k = !strcmp(name, "sync") ? 0 : 1;
        CHECK(x == values[i] && !strcmp(name, names[k]));
        CHECK(fabs(p50 - want_p50[i][k]) < 1e-5);
        CHECK(fabs(rps - want_rps[i][k]) < 1e-2);
        CHECK(p50 <= p95 && p95 <= p99);
        CHECK_EQ_INT(req, 30);
        rows++;
    }
    CHECK_EQ_INT(rows, 4);
    char *gp = hs_cmd_slurp(dir, "sweep.gp");
    CHECK(strstr(gp, "\"sweep.dat\" index 0 using 1:2") != NULL);
    CHECK(strstr(gp, "\"sweep.dat\" index 1 using 1:5") != NULL);
    CHECK(strstr(gp, "set xtics (1, 4)") != NULL);
    check_png(dir, "sweep.png", 1200, 1000);
    check_no_temp_files(dir);
    char *md = hs_cmd_slurp(dir, "summary.md");
    CHECK(strstr(md, "| 1 | 30 | 100.0% |") != NULL);
    CHECK(strstr(md, "| 4 | 30 | 100.0% |") != NULL);
    CHECK(strstr(md, "[workers-4](workers-4/summary.md)") != NULL);
    CHECK(strstr(md, "| sync | 1 → 4 |") != NULL);
    CHECK(strstr(md, "| async_blocking | 1 → 4 |") != NULL);

    /* Each point is a folder plot and check work on as on any run. */
    snprintf(path, sizeof path, "%s/workers-4", dir);
    char *plot_point[] = {HARNESS_BIN, "plot", path, NULL};
    CHECK_EQ_INT(run(plot_point, 30, NULL), 0);
    char *check_point_argv[] = {HARNESS_BIN, "check", path, NULL};
    CHECK_EQ_INT(run(check_point_argv, 30, NULL), 0);
    CHECK(strstr(out, "PASS  all ok") != NULL);
    /* On the sweep's folder: check judges every point, plot redraws all. */
    char *check_all[] = {HARNESS_BIN, "check", dir, NULL};
    CHECK_EQ_INT(run(check_all, 30, NULL), 0);
    CHECK(strstr(out, "== workers=1 ==") && strstr(out, "== workers=4 =="));
    snprintf(path, sizeof path, "%s/sweep.png", dir);
    CHECK(unlink(path) == 0);
    snprintf(path, sizeof path, "%s/workers-1/latency_cdf.png", dir);
    CHECK(unlink(path) == 0);
    char *plot_all[] = {HARNESS_BIN, "plot", dir, NULL};
    CHECK_EQ_INT(run(plot_all, 30, NULL), 0);
    check_png(dir, "sweep.png", 1200, 1000);
    snprintf(path, sizeof path, "%s/workers-1", dir);
    check_png(path, "latency_cdf.png", 1200, 800);
    /* Without gnuplot: said, exit 1, the script kept. */
    snprintf(path, sizeof path, "%s/sweep.gp", dir);
    CHECK(unlink(path) == 0);
    child_path = "/nonexistent";
    CHECK_EQ_INT(run(plot_all, 30, NULL), 1);
    child_path = NULL;
    CHECK(strstr(out, "gnuplot is not installed") != NULL);
    CHECK(exists(dir, "sweep.gp"));
    check_no_temp_files(dir);
}

/* A point whose server cannot start fails; the others are kept, and the
 * sweep says so with exit 1. */
static void test_failed_point(void) {
    char lab[1100], dir[1100], extra[2048];
    snprintf(lab, sizeof lab, "%s/fails.json", tmp);
    snprintf(dir, sizeof dir, "%s/fails-sweep", tmp);
    /* A shell that refuses large delays and otherwise runs miniserve. */
    snprintf(extra, sizeof extra,
             "{\"name\": \"picky\", \"command\": [\"/bin/sh\", \"-c\", \"[ {io_delay_ms} -ge 500 ] "
             "&& exit 3; exec \\\"$0\\\" --variant sync --io-delay-ms {io_delay_ms} --weights %s "
             "--port 0\", \"{bin}/miniserve\"]}", weights);
    write_lab(lab, "", extra, "picky");
    char *argv[] = {HARNESS_BIN, "run", lab, "--sweep", "io_delay_ms=500,0", "--total", "10",
                    "--out", dir, NULL};
    int rc = run(argv, 120, NULL);
    if (rc != 1) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 1);
    CHECK(strstr(out, "point io_delay_ms=500 failed") != NULL);
    cJSON *m = read_json(dir, "manifest.json");
    CHECK(cJSON_IsTrue(get(m, "completed"))); /* every point ran */
    const cJSON *p0 = cJSON_GetArrayItem(get(m, "points"), 0);
    const cJSON *p1 = cJSON_GetArrayItem(get(m, "points"), 1);
    CHECK_EQ_STR(get(p0, "status")->valuestring, "done");
    CHECK_EQ_STR(get(p1, "status")->valuestring, "failed");
    CHECK_EQ_INT(get(p1, "exit_code")->valueint, 1);
    const cJSON *v1 = named(get(p1, "variants"), "picky");
    CHECK(cJSON_IsFalse(get(v1, "measured")));
    CHECK(cJSON_IsString(get(v1, "problem")));
    CHECK(cJSON_IsTrue(get(named(get(p0, "variants"), "picky"), "complete")));
    cJSON_Delete(m);
    char p0dir[1200];
    snprintf(p0dir, sizeof p0dir, "%s/io_delay_ms-0", dir);
    CHECK(exists(p0dir, "latencies_picky.json"));
    check_png(dir, "sweep.png", 1200, 1000);
    char *dat = hs_cmd_slurp(dir, "sweep.dat");
    int rows = 0;
    for (char *line = strtok(dat, "\n"); line; line = strtok(NULL, "\n")) rows += line[0] != '#';
    CHECK_EQ_INT(rows, 1); /* the failed point has no numbers to plot */
    char *md = hs_cmd_slurp(dir, "summary.md");
    CHECK(strstr(md, "| 500 | - |") != NULL);
    CHECK(strstr(md, "failed (exit 1)") != NULL);
    CHECK(strstr(md, "failed: io_delay_ms=500") != NULL); /* the unmeasured note */
    m = read_json(dir, "manifest.json");
    CHECK_EQ_INT(cJSON_GetArraySize(get(m, "failed_points")), 1);
    CHECK_EQ_INT(cJSON_GetArrayItem(get(m, "failed_points"), 0)->valueint, 500);
    cJSON_Delete(m);
    /* plot and check on the sweep: the failed point has nothing to draw
     * (skipped, the rest drawn); check counts it as a FAIL. */
    char *plot_all[] = {HARNESS_BIN, "plot", dir, NULL};
    rc = run(plot_all, 60, NULL);
    if (rc != 0) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 0);
    char *check_all[] = {HARNESS_BIN, "check", dir, NULL};
    CHECK_EQ_INT(run(check_all, 60, NULL), 1);

    /* Without gnuplot every point is measured in full and only its CDF is
     * missing: "done_no_plot", not "failed"; the sweep still exits 1. */
    snprintf(dir, sizeof dir, "%s/noplot-sweep", tmp);
    char *noplot[] = {HARNESS_BIN, "run", lab, "--sweep", "io_delay_ms=0,1", "--total", "10",
                      "--out", dir, NULL};
    child_path = "/nonexistent";
    rc = run(noplot, 120, NULL);
    child_path = NULL;
    if (rc != 1) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(rc, 1);
    CHECK(strstr(out, "only its latency_cdf.png is missing") != NULL);
    m = read_json(dir, "manifest.json");
    for (int i = 0; i < 2; i++)
        CHECK_EQ_STR(get(cJSON_GetArrayItem(get(m, "points"), i), "status")->valuestring,
                     "done_no_plot");
    CHECK_EQ_INT(cJSON_GetArraySize(get(m, "failed_points")), 0);
    cJSON_Delete(m);
    const char *all_ran = hs_cmd_slurp(dir, "summary.md"); /* no unmeasured note */
    CHECK(!strstr(all_ran, "failed: ") && !strstr(all_ran, "interrupted: ") &&
          !strstr(all_ran, "not run: "));
}

/* Ctrl-C during the second point: the first is kept whole, the second
 * keeps what it measured, the third never starts, and the sweep's
 * manifest says incomplete; exit 130. */
static void test_interrupt(void) {
    char lab[1100], dir[1100], second[1200];
    snprintf(lab, sizeof lab, "%s/slow.json", tmp);
    snprintf(dir, sizeof dir, "%s/interrupted-sweep", tmp);
    snprintf(second, sizeof second, "%s/io_delay_ms-300", dir);
    write_lab(lab, "async_blocking", "", "async_blocking");
    /* 20 requests one at a time: each holds the loop 300 ms at point 2. */
    char *argv[] = {HARNESS_BIN, "run", lab, "--sweep", "io_delay_ms=0,300,600", "--total", "20",
                    "--concurrency", "1", "--warmup", "0", "--out", dir, NULL};
    CHECK_EQ_INT(run(argv, 120, second), 130);
    cJSON *m = read_json(dir, "manifest.json");
    CHECK(cJSON_IsFalse(get(m, "completed")));
    CHECK(cJSON_IsString(get(m, "incomplete_reason")));
    const cJSON *pts = get(m, "points");
    CHECK_EQ_STR(get(cJSON_GetArrayItem(pts, 0), "status")->valuestring, "done");
    CHECK_EQ_STR(get(cJSON_GetArrayItem(pts, 1), "status")->valuestring, "interrupted");
    CHECK_EQ_STR(get(cJSON_GetArrayItem(pts, 2), "status")->valuestring, "not run");
    cJSON_Delete(m);
    char first[1200];
    snprintf(first, sizeof first, "%s/io_delay_ms-0", dir);
    cJSON *fm = read_json(first, "manifest.json");
    CHECK(cJSON_IsTrue(get(fm, "completed")));
    cJSON_Delete(fm);
    cJSON *sm = read_json(second, "manifest.json");
    CHECK(cJSON_IsFalse(get(sm, "completed")));
    cJSON_Delete(sm);
    CHECK(!exists(dir, "io_delay_ms-600"));
    CHECK(strstr(hs_cmd_slurp(dir, "summary.md"), "Incomplete sweep") != NULL);
    CHECK(exists(dir, "sweep.gp"));
    char *check_all[] = {HARNESS_BIN, "check", dir, NULL};
    int rc = run(check_all, 30, NULL);
    CHECK(rc == 0 || rc == 1);
    CHECK(strstr(out, "not run") != NULL);
}

int main(void) {
    const char *base = getenv("LAB_TEST_TMP");
    weights = getenv("MINIGPT_TEST_WEIGHTS");
    CHECK(weights != NULL && access(weights, R_OK) == 0);
    snprintf(tmp, sizeof tmp, "%s/harness_sweep.%ld", base ? base : "/tmp", (long)getpid());
    CHECK(mkdir(tmp, 0755) == 0);
    test_spec();
    test_report_from_numbers();
    test_knee_prediction();
    test_bad_input();
    test_distinct_pids();
    test_tiny_sweep();
    test_failed_point();
    test_interrupt();
    /* Leaves tmp for inspection when a check fails; removes it on success. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    return 0;
}
