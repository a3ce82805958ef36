/* test_harness_facts.c - facts.json end to end: the harness runs three
 * small Python servers, each built to show one fact, and the run folder's
 * facts.json must show it:
 *   one_core     a threaded server doing Python CPU work uses about one of
 *                the machine's cores however many clients it has (the GIL);
 *   backlog1     listen(1) and 20 clients: the kernel's accept queue
 *                overflows and dropped SYNs cost about 1 s to connect;
 *   sleepy_loop  time.sleep on an asyncio loop: the health path, instant
 *                on the idle server, waits behind the sleeps under load.
 * Also: a run with the harness pinned to one CPU counts one CPU; and
 * `harness check` judges a folder from its facts.json (a changed figure
 * flips a verdict) and, without one, from its latencies files as before.
 *
 * The servers are in tests/servers/, their labs in tests/labs/. The
 * thresholds are wide on purpose: they hold on a loaded 2-core machine.
 * Every figure asserted on is printed first. */
#include "check.h"
#include "harness_cmd.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[1024];   /* this test's scratch folder */
static char out[65536];  /* the last command's stdout and stderr */

/* Runs argv with its output into out; cpu >= 0 pins it to that CPU. */
static int run(char *const argv[], double timeout_s, int cpu) {
    hs_cmd_opts o = {0, cpu, NULL, NULL};
    return hs_cmd_run(argv, timeout_s, &o, tmp, out, sizeof out);
}

static cJSON *read_json(const char *dir, const char *name) { return hs_cmd_read_json(dir, name); }

static void write_json(const char *dir, const char *name, const cJSON *j) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = cJSON_Print(j);
    CHECK(text != NULL);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    CHECK(fclose(f) == 0);
    cJSON_free(text);
}

/* The item at a dotted path ("server.cpu_cores_used") under obj, or NULL. */
static const cJSON *at(const cJSON *obj, const char *dotted) {
    char key[128];
    const char *p = dotted;
    while (obj && *p) {
        size_t len = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)len, p);
        obj = cJSON_GetObjectItemCaseSensitive(obj, key);
        p += len + (p[len] == '.');
    }
    return obj;
}

/* The number at dotted under obj (where names it in messages). A figure
 * the harness could not measure is null with "<key>_unknown" beside it:
 * that reason is printed, and the test fails. */
static double fact(const cJSON *obj, const char *where, const char *dotted) {
    const cJSON *v = at(obj, dotted);
    if (cJSON_IsNumber(v)) return v->valuedouble;
    const char *dot = strrchr(dotted, '.');
    char parent[128], unknown[160];
    snprintf(parent, sizeof parent, "%.*s", dot ? (int)(dot - dotted) : 0, dotted);
    snprintf(unknown, sizeof unknown, "%s_unknown", dot ? dot + 1 : dotted);
    const cJSON *holder = parent[0] ? at(obj, parent) : obj;
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(holder, unknown);
    fprintf(stderr, "%s.%s is %s, not a number; %s: %s\n", where, dotted,
            v ? (cJSON_IsNull(v) ? "null" : "not a number") : "missing", unknown,
            cJSON_IsString(why) ? why->valuestring : "(none given)");
    exit(1);
}

/* The "What happened, and why" section of dir's summary.md into buf: the
 * rules' findings, one "- " bullet each. */
static void findings(const char *dir, char *buf, size_t size) {
    char path[1200];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    static char md[131072];
    md[fread(md, 1, sizeof md - 1, fp)] = '\0';
    fclose(fp);
    const char *a = strstr(md, "## What happened, and why\n");
    CHECK(a != NULL);
    const char *b = strstr(a + 1, "\n## ");
    snprintf(buf, size, "%.*s", (int)(b ? b - a : (long)strlen(a)), a);
}

/* Whether a finding (a bullet of findings, bold or not) names variant and
 * holds word. */
static int finding(const char *found, const char *variant, const char *word) {
    for (const char *p = strstr(found, "\n- "); p; p = strstr(p + 1, "\n- ")) {
        const char *end = strchr(p + 1, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        if (strstr(line, variant) && strstr(line, word)) return 1;
    }
    return 0;
}

/* Runs lab (tests/labs/NAME.json) into tmp/<dir_name>; extra is more
 * arguments (NULL-terminated, or NULL). Returns the folder's facts.json;
 * the folder's path goes to dir. Checks what every facts.json has. */
static cJSON *run_lab(const char *name, const char *dir_name, char *const *extra, int cpu,
                      long total, char *dir, size_t dir_size) {
    char lab[2048];
    /* a test lab (tests/labs/), else one of the harness's own, by name */
    snprintf(lab, sizeof lab, "%s/tests/labs/%s.json", SOURCE_DIR, name);
    if (access(lab, R_OK)) snprintf(lab, sizeof lab, "%s", name);
    snprintf(dir, dir_size, "%s/%s", tmp, dir_name);
    char *argv[16] = {HARNESS_BIN, "run", lab, "--out", dir};
    int argc = 5;
    for (int i = 0; extra && extra[i] && argc < 15; i++) argv[argc++] = extra[i];
    argv[argc] = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = run(argv, 120, cpu);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) fprintf(stderr, "harness run %s exited %d:\n%s", name, rc, out);
    CHECK_EQ_INT(rc, 0);
    printf("%s: run took %.1f s%s\n", dir_name,
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9,
           cpu >= 0 ? " (pinned to one CPU)" : "");
    cJSON *f = read_json(dir, "facts.json");
    CHECK_EQ_INT(fact(f, "facts", "facts_format"), 1);
    CHECK(cJSON_IsString(at(f, "lab")));
    CHECK_EQ_STR(at(f, "lab")->valuestring, name);
    CHECK(cJSON_IsTrue(at(f, "complete")));
    const cJSON *vars = at(f, "variants"), *v;
    CHECK(cJSON_IsObject(vars) && cJSON_GetArraySize(vars) >= 1);
    cJSON_ArrayForEach(v, vars) {
        CHECK(cJSON_IsTrue(at(v, "measured")));
        CHECK_EQ_INT(fact(v, v->string, "requests"), total);
    }
    CHECK(cJSON_IsArray(at(f, "checks")) && cJSON_GetArraySize(at(f, "checks")) >= 1);
    return f;
}

/* The first variant's facts (the labs here have one, but node). */
static const cJSON *only_variant(const cJSON *facts) {
    return cJSON_GetArrayItem(at(facts, "variants"), 0);
}

/* Runs `harness check dir` and checks that it prints one PASS/FAIL line
 * per entry of facts' checks[], in order, with its title and its result,
 * and exits 1 exactly when one is FAIL. verdicts gets the verdicts as a
 * string of P and F. Returns the exit code. */
static int check_agrees(const char *dir, const cJSON *facts, char *verdicts, size_t size) {
    char *argv[] = {HARNESS_BIN, "check", (char *)dir, NULL};
    int rc = run(argv, 30, -1);
    const cJSON *checks = at(facts, "checks"), *c;
    size_t n = 0;
    int fails = 0;
    const char *line = out;
    cJSON_ArrayForEach(c, checks) {
        CHECK(cJSON_IsString(at(c, "result")) && cJSON_IsString(at(c, "title")));
        const char *result = at(c, "result")->valuestring, *title = at(c, "title")->valuestring;
        CHECK(!strcmp(result, "PASS") || !strcmp(result, "FAIL"));
        while (line && strncmp(line, "PASS  ", 6) && strncmp(line, "FAIL  ", 6)) {
            line = strchr(line, '\n');
            if (line) line++;
        }
        if (!line || strncmp(line, result, 4) || strncmp(line + 6, title, strlen(title))) {
            fprintf(stderr, "facts.json says %s for \"%s\"; harness check %s (exit %d) said:\n%s",
                    result, title, dir, rc, out);
            exit(1);
        }
        fails += result[0] == 'F';
        if (n + 1 < size) verdicts[n++] = result[0];
        line = strchr(line, '\n');
        if (line) line++;
    }
    verdicts[n] = '\0';
    while (line && strncmp(line, "PASS  ", 6) && strncmp(line, "FAIL  ", 6)) {
        line = strchr(line, '\n');
        if (line) line++;
    }
    if (line) fprintf(stderr, "harness check %s printed more verdicts than facts.json has:\n%s",
                      dir, out);
    CHECK(line == NULL);
    CHECK_EQ_INT(rc, fails ? 1 : 0);
    return rc;
}

/* The verdicts `harness check dir` prints, as a string of P and F. */
static void check_verdicts(const char *dir, int *rc, char *verdicts, size_t size) {
    char *argv[] = {HARNESS_BIN, "check", (char *)dir, NULL};
    *rc = run(argv, 30, -1);
    size_t n = 0;
    const char *line = out;
    while (line) {
        if ((!strncmp(line, "PASS  ", 6) || !strncmp(line, "FAIL  ", 6)) && n + 1 < size)
            verdicts[n++] = line[0];
        line = strchr(line, '\n');
        if (line) line++;
    }
    verdicts[n] = '\0';
}

/* check reads facts.json: after a run its verdicts are facts.json's; with
 * the variant's ok_percent rewritten so that the lab's first check (a
 * min_ok_percent at 99) must flip, the verdict flips; and with facts.json
 * gone, the folder is judged from its latencies files as before. */
static void test_check_round_trip(const char *dir, cJSON *facts) {
    char before[32], after[32], old[32];
    int rc = check_agrees(dir, facts, before, sizeof before);
    const char *name = only_variant(facts)->string;
    printf("%s: harness check agrees with facts.json: %s (exit %d)\n", dir, before, rc);

    const cJSON *first = cJSON_GetArrayItem(at(facts, "checks"), 0);
    CHECK(cJSON_IsString(at(first, "kind")));
    CHECK_EQ_STR(at(first, "kind")->valuestring, "min_ok_percent");
    int passed = before[0] == 'P';
    cJSON *v = cJSON_GetObjectItemCaseSensitive(at(facts, "variants"), name);
    double was = fact(v, name, "ok_percent");
    CHECK(cJSON_ReplaceItemInObjectCaseSensitive(v, "ok_percent",
                                                 cJSON_CreateNumber(passed ? 50.0 : 100.0)));
    write_json(dir, "facts.json", facts);
    check_verdicts(dir, &rc, after, sizeof after);
    printf("%s: ok_percent %.1f -> %.1f in facts.json: check says %s (exit %d)\n", dir, was,
           passed ? 50.0 : 100.0, after, rc);
    if (after[0] != (passed ? 'F' : 'P')) fprintf(stderr, "%s", out);
    CHECK_EQ_INT(strlen(after), strlen(before));
    CHECK(after[0] == (passed ? 'F' : 'P'));
    CHECK(strcmp(after + 1, before + 1) == 0);
    CHECK_EQ_INT(rc, strchr(after, 'F') ? 1 : 0);

    /* An old folder, from before facts.json: the changed figure is gone
     * with the file, and the latencies give the run's own verdicts. */
    char path[2048];
    snprintf(path, sizeof path, "%s/facts.json", dir);
    CHECK(unlink(path) == 0);
    int old_rc;
    check_verdicts(dir, &old_rc, old, sizeof old);
    printf("%s: without facts.json check says %s (exit %d)\n", dir, old, old_rc);
    if (strcmp(old, before) || old_rc != (strchr(before, 'F') ? 1 : 0))
        fprintf(stderr, "%s", out);
    CHECK_EQ_STR(old, before);
    CHECK_EQ_INT(old_rc, strchr(before, 'F') ? 1 : 0);

    /* plot redraws it too, its marks from the latencies. */
    snprintf(path, sizeof path, "%s/latency_cdf.png", dir);
    unlink(path);
    char *plot_argv[] = {HARNESS_BIN, "plot", (char *)dir, NULL};
    CHECK_EQ_INT(run(plot_argv, 60, -1), 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    snprintf(path, sizeof path, "%s/latency_cdf.gp", dir);
    FILE *gp = fopen(path, "r");
    CHECK(gp != NULL);
    static char script[65536];
    script[fread(script, 1, sizeof script - 1, gp)] = '\0';
    fclose(gp);
    CHECK(strstr(script, "p50 ") != NULL && strstr(script, "nan") == NULL);
}

/* 20 clients on a GIL-bound server: it uses about one core, not two. */
static void test_one_core(void) {
    char dir[1100];
    cJSON *f = run_lab("one_core", "one_core", NULL, -1, 300, dir, sizeof dir);
    const cJSON *v = only_variant(f);
    double cores = fact(v, v->string, "server.cpu_cores_used");
    double threads = fact(v, v->string, "server.threads_max");
    double loadgen = fact(v, v->string, "loadgen.cpu_cores_used");
    printf("one_core: server used %.2f cores with %.0f threads at most (load generator %.2f), "
           "%.1f requests/s\n", cores, threads, loadgen, fact(v, v->string, "requests_per_s"));
    CHECK(cores > 0.3 && cores <= 1.2);
    CHECK(threads > 1); /* a thread per connection: it is the threaded server */

    /* The harness has the test's CPUs. */
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    double affinity = fact(f, "facts", "machine.cpus_affinity");
    printf("one_core: machine cpus_online %.0f, cpus_affinity %.0f (this test's: %d), "
           "cpus_available %.0f\n", fact(f, "facts", "machine.cpus_online"), affinity,
           CPU_COUNT(&set), fact(f, "facts", "machine.cpus_available"));
    CHECK_EQ_INT(affinity, CPU_COUNT(&set));
    test_check_round_trip(dir, f);
    cJSON_Delete(f);
}

/* The same lab with the harness, and so the server, on one CPU: the
 * facts count one CPU available. Also run with the probe off. */
static void test_one_cpu(void) {
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &set)) cpu++;
    char dir[1100];
    char *extra[] = {"--probe-rate", "0", NULL};
    cJSON *f = run_lab("one_core", "one_core-cpu1", extra, cpu, 300, dir, sizeof dir);
    double available = fact(f, "facts", "machine.cpus_available");
    double affinity = fact(f, "facts", "machine.cpus_affinity");
    const cJSON *v = only_variant(f);
    printf("one_core on CPU %d only: cpus_online %.0f, cpus_affinity %.0f, cpus_available %.0f; "
           "server used %.2f cores\n", cpu, fact(f, "facts", "machine.cpus_online"), affinity,
           available, fact(v, v->string, "server.cpu_cores_used"));
    CHECK_EQ_INT(affinity, 1);
    CHECK_EQ_INT(available, 1);
    /* --probe-rate 0: no probe latency, with the reason beside it (the
     * whole probe null, or each of its figures). */
    const cJSON *probe = at(v, "probe");
    CHECK(probe != NULL);
    const cJSON *why = cJSON_IsNull(probe) ? at(v, "probe_unknown") : at(probe, "p50_ms_unknown");
    printf("one_core with --probe-rate 0: probe p50 %s (%s)\n",
           cJSON_IsNumber(at(probe, "p50_ms")) ? "measured" : "unknown",
           cJSON_IsString(why) ? why->valuestring : "no reason given");
    CHECK(!cJSON_IsNumber(at(probe, "p50_ms")));
    CHECK(cJSON_IsString(why));
    cJSON_Delete(f);
}

/* listen(1) and 20 clients: the accept queue overflows and the dropped
 * SYNs are sent again a second later. */
static void test_backlog1(void) {
    char dir[1100];
    cJSON *f = run_lab("backlog1", "backlog1", NULL, -1, 200, dir, sizeof dir);
    const cJSON *v = only_variant(f);
    double overflows = fact(v, v->string, "kernel.listen_overflows");
    double p99 = fact(v, v->string, "phases_ms.connect.p99");
    printf("backlog1: listen_overflows %.0f, listen_drops %.0f, syn_retransmits %.0f; "
           "connect p50 %.1f p99 %.1f ms; ok %.1f%%\n", overflows,
           fact(v, v->string, "kernel.listen_drops"), fact(v, v->string, "kernel.syn_retransmits"),
           fact(v, v->string, "phases_ms.connect.p50"), p99, fact(v, v->string, "ok_percent"));
    CHECK(overflows > 0);
    CHECK(p99 >= 900);
    /* The accept-queue rule names it, with the 1 s wait. */
    char found[16384];
    findings(dir, found, sizeof found);
    CHECK(finding(found, v->string, "says: accept_queue.waited"));
    CHECK(!finding(found, v->string, "rule: blocked_loop"));
    test_check_round_trip(dir, f);
    cJSON_Delete(f);
}

/* time.sleep on the loop: the health path waits behind the sleeps. */
static void test_sleepy_loop(void) {
    char dir[1100];
    cJSON *f = run_lab("sleepy_loop", "sleepy_loop", NULL, -1, 200, dir, sizeof dir);
    const cJSON *v = only_variant(f);
    double loaded = fact(v, v->string, "probe.p50_ms");
    double idle = fact(v, v->string, "probe.unloaded_p50_ms");
    printf("sleepy_loop: %.0f probes, p50 %.2f ms under load vs %.3f ms idle (%.0fx), "
           "p99 %.1f ms\n", fact(v, v->string, "probe.requests"), loaded, idle,
           idle > 0 ? loaded / idle : INFINITY, fact(v, v->string, "probe.p99_ms"));
    CHECK(fact(v, v->string, "probe.requests") >= 1);
    CHECK(loaded >= 10 * idle);
    /* Each probe waited past the next one's tick (200 ms against 50): the
     * ticks it missed are counted and skipped, not sent in a burst, so no
     * more probes went out than the window had ticks. */
    double window = fact(v, v->string, "server.window_s");
    printf("sleepy_loop: %.0f ticks missed, %.0f probes in %.2f s\n",
           fact(v, v->string, "probe.missed_ticks"), fact(v, v->string, "probe.requests"), window);
    CHECK(fact(v, v->string, "probe.missed_ticks") > 0);
    CHECK(fact(v, v->string, "probe.requests") <= 20 * window + 2);
    /* The blocked-loop rule names it; the accept-queue rule does not. */
    char found[16384];
    findings(dir, found, sizeof found);
    CHECK(finding(found, v->string, "rule: blocked_loop"));
    CHECK(!finding(found, v->string, "rule: accept_queue"));
    test_check_round_trip(dir, f);
    cJSON_Delete(f);
}

/* A server that forks a child per connection: the children's CPU counts
 * when the server reaps them (their time reaches its cutime), and is
 * unknown, with the reason, when it ignores SIGCHLD and the kernel reaps
 * them. Each child spends 5 ms of CPU. */
static void test_forking(void) {
    char dir[1100];
    cJSON *f = run_lab("forking_reap", "forking_reap", NULL, -1, 200, dir, sizeof dir);
    const cJSON *v = only_variant(f);
    double ms = fact(v, v->string, "server.cpu_ms_per_request");
    printf("forking_reap: %.2f ms of CPU per request (5 ms in each child)\n", ms);
    CHECK(ms >= 4);
    cJSON_Delete(f);

    f = run_lab("forking_ignore", "forking_ignore", NULL, -1, 200, dir, sizeof dir);
    v = only_variant(f);
    const cJSON *cores = at(v, "server.cpu_cores_used");
    const cJSON *why = at(v, "server.cpu_cores_used_unknown");
    printf("forking_ignore: cpu_cores_used %s (%s)\n", cJSON_IsNull(cores) ? "null" : "a number",
           cJSON_IsString(why) ? why->valuestring : "no reason");
    CHECK(cJSON_IsNull(cores));
    CHECK(cJSON_IsString(why) && strstr(why->valuestring, "SIGCHLD") != NULL);
    cJSON_Delete(f);
}

/* Node, written for this check: CPU work on the event loop against the
 * same work in 2 worker_threads. The harness knows nothing of either; the
 * findings must still say that the loop kept the health check waiting,
 * for node_loop only, and that the cores kept busy set the throughput
 * ratio, with no claim of serialized work (their CPU per request is the
 * same). */
static void test_node(void) {
    char dir[1100];
    cJSON *f = run_lab("node", "node", NULL, -1, 600, dir, sizeof dir);
    const cJSON *loop = at(at(f, "variants"), "node_loop");
    const cJSON *pool = at(at(f, "variants"), "node_workers");
    CHECK(loop != NULL && pool != NULL);
    printf("node: node_loop %.0f req/s on %.2f cores, probe p50 %.2f ms (idle %.2f); "
           "node_workers %.0f req/s on %.2f cores, probe p50 %.2f ms\n",
           fact(loop, "node_loop", "requests_per_s"), fact(loop, "node_loop", "server.cpu_cores_used"),
           fact(loop, "node_loop", "probe.p50_ms"), fact(loop, "node_loop", "probe.unloaded_p50_ms"),
           fact(pool, "node_workers", "requests_per_s"),
           fact(pool, "node_workers", "server.cpu_cores_used"),
           fact(pool, "node_workers", "probe.p50_ms"));
    /* Their health answers carry no pid: how many processes served is not
     * known, and facts says so rather than counting one. */
    CHECK(cJSON_IsNull(at(loop, "memory_after_warmup.serving_pids")));
    CHECK(cJSON_IsString(at(loop, "memory_after_warmup.serving_pids_unknown")));
    char found[16384];
    findings(dir, found, sizeof found);
    CHECK(finding(found, "node_loop", "rule: blocked_loop"));
    CHECK(!finding(found, "node_workers", "rule: blocked_loop"));
    CHECK(!finding(found, "node_", "rule: serialized_work"));
    /* Only when the machine has a second CPU for the workers to use. */
    if (fact(f, "facts", "machine.cpus_available") >= 2) {
        const char *cpu = strstr(found, "<!-- rule: cpu_bound -->");
        CHECK(cpu != NULL);
        const char *start = cpu;
        while (start > found && start[-1] != '\n') start--;
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)(cpu - start), start);
        CHECK(strstr(line, "node_workers") && strstr(line, "node_loop"));
    }
    cJSON_Delete(f);
}

/* The lab's own experiments, end to end: lab01's blocked-loop finding for
 * async_blocking only, and seed 004's accept-queue finding for its
 * blocking server only (150 clients against a listen queue of 128). */
static void test_lab01_and_seed004(void) {
    char dir[1100], found[16384];
    /* Long enough for the probe: the rule wants 5 answered probes (one
     * every 50 ms) inside async_blocking's load, and since issue 18 500
     * corrections took about 0.2 s of it, too short to tell. (lab01's own
     * total is 2000 now; said here too, so the test does not depend on it.) */
    char *longer[] = {"--total", "2000", NULL};
    cJSON *f = run_lab("lab01", "lab01", longer, -1, 2000, dir, sizeof dir);
    const cJSON *blocking = at(at(f, "variants"), "async_blocking");
    printf("lab01: async_blocking %.0f probes sent, p50 %.2f ms (idle %.2f)\n",
           fact(blocking, "async_blocking", "probe.requests"),
           fact(blocking, "async_blocking", "probe.p50_ms"),
           fact(blocking, "async_blocking", "probe.unloaded_p50_ms"));
    /* The scheduler's account tells the pools from the blocked loop: the
     * pools' 40 threads on 2 CPUs kept 9-13 of them waiting for one, on
     * average, here; the blocked loop's one busy thread about 0.03. A
     * pool's slow probe (3-7 ms against its requests' 10-12) is then no
     * evidence of a queue behind the handlers (a fresh-clone CI run said
     * so for async_tothread before the harness read these). */
    static const char *const names[] = {"sync", "async_blocking", "async_tothread"};
    for (int i = 0; i < 3; i++) {
        const cJSON *v = at(at(f, "variants"), names[i]);
        printf("lab01: %s probe p50 %.2f ms (requests' p50 %.2f), %.2f threads waiting for a CPU\n",
               names[i], fact(v, names[i], "probe.p50_ms"), fact(v, names[i], "latency_ms.p50"),
               fact(v, names[i], "server.cpu_wait_threads"));
        CHECK(fact(v, names[i], "server.cpu_wait_threads") >= 0);
        CHECK(fact(v, names[i], "server.cpu_wait_ms") >= 0);
        /* One thread's CPU is at most a core, and at most the server's
         * (the two clocks differ by /proc/PID/stat's 10 ms ticks). */
        double busiest = fact(v, names[i], "server.busiest_thread_cores");
        printf("lab01: %s busiest thread %.2f cores of the server's %.2f\n", names[i], busiest,
               fact(v, names[i], "server.cpu_cores_used"));
        CHECK(busiest > 0 && busiest <= 1.05);
        CHECK(busiest <= fact(v, names[i], "server.cpu_cores_used") + 0.1);
    }
    CHECK(fact(blocking, "async_blocking", "server.cpu_wait_threads") < 1);
    /* The blocked loop's one thread ran its handlers: most of its CPU. */
    CHECK(fact(blocking, "async_blocking", "server.busiest_thread_cores") >=
          0.5 * fact(blocking, "async_blocking", "server.cpu_cores_used"));
    findings(dir, found, sizeof found);
    CHECK(finding(found, "async_blocking", "rule: blocked_loop"));
    CHECK(!finding(found, "async_blocking", "rule: probe_cpu_wait"));
    CHECK(!finding(found, "**sync", "rule: blocked_loop"));
    CHECK(!finding(found, "**async_tothread", "rule: blocked_loop"));
    cJSON_Delete(f);
    f = run_lab("seed004", "seed004", NULL, -1, 1000, dir, sizeof dir);
    const cJSON *sync = at(at(f, "variants"), "sync");
    printf("seed004: sync listen_overflows %.0f, connect max %.0f ms\n",
           fact(sync, "sync", "kernel.listen_overflows"),
           fact(sync, "sync", "phases_ms.connect.max"));
    findings(dir, found, sizeof found);
    CHECK(finding(found, "**sync", "rule: accept_queue"));
    /* The asyncio server accepts as fast as its loop turns, so whether the
     * first 150 connects, all at once, overflow its queue of 128 is a race
     * it usually wins here (0 overflows in plain builds) and can lose when
     * the machine is slower (20 under the sanitizers). Its finding, when
     * it has one, must stand on its own counters. */
    const cJSON *async = at(at(f, "variants"), "async");
    int async_overflowed = fact(async, "async", "kernel.listen_overflows") > 0 ||
                           fact(async, "async", "kernel.syn_retransmits") > 0;
    int async_found = finding(found, "**async", "rule: accept_queue") ||
                      finding(found, "- async", "rule: accept_queue");
    printf("seed004: async listen_overflows %.0f, accept_queue finding %s\n",
           fact(async, "async", "kernel.listen_overflows"), async_found ? "yes" : "no");
    CHECK(!async_found || async_overflowed);
    cJSON_Delete(f);
}

int main(void) {
    const char *base = getenv("LAB_TEST_TMP");
    snprintf(tmp, sizeof tmp, "%s/harness_facts.%ld", base ? base : "/tmp", (long)getpid());
    CHECK(mkdir(tmp, 0755) == 0);
    test_one_core();
    test_one_cpu();
    test_backlog1();
    test_sleepy_loop();
    test_forking();
    test_node();
    test_lab01_and_seed004();
    /* Leaves tmp for inspection when a check fails; removes it on success. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    return 0;
}
