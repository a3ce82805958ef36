/* test_server_blocking.c - miniserve --detect-blocking, as seed 002's
 * pyleak test does it: under concurrent load async_blocking's loop is
 * reported blocked in the handler's model call, named with file and line;
 * sync and async_tothread, at the same threshold and load, never are; a
 * blocking --io-delay-ms wait on the loop is caught and named too, while
 * the same wait on a pool thread (sync) is not. Also: the detector is off
 * by default and says how to turn it on.
 *
 * Bursts of BURST requests reach async_blocking's loop together, so one
 * loop iteration runs them back to back: up to BURST model calls, several
 * times the threshold in CPU time alone (what the loop waits for a core is
 * not counted, so a busy machine only makes such a block rarer; the test
 * tries up to 20 bursts). Each sentence is the longest the server admits
 * (/healthz says how long): with issue 18's faster model, 120 short ones
 * came to about the threshold, and no block came at all. The other
 * variants' loops only parse and write, a small fraction of it, and
 * libuv's pool is started before serving. No timing is asserted.
 */
#include <string.h>

#include "check.h"
#include "server_harness.h"

#define BURST 120
/* Not the default 10 ms: on 2 oversubscribed cores even sync's loop can
 * really block for 10-25 ms (under ASan) inside libuv's own work queue,
 * when glibc's pthread_cond_signal waits for a preempted pool thread. That
 * is the runtime's, not the handler's; a 40 ms threshold keeps the test
 * about the handlers, and a burst still blocks async_blocking for several
 * times that. */
#define THRESHOLD "--detect-blocking=40"

static server_resp r;

/* What /healthz says is the longest sentence the server admits. */
static size_t max_sentence(int port) {
    CHECK_EQ_INT(server_request(port, "GET", "/healthz", NULL, &r), 200);
    cJSON *doc = server_json(&r);
    double max = server_json_number(doc, "model.max_sentence_bytes");
    cJSON_Delete(doc);
    CHECK(max >= 16 && max < 200);
    return (size_t)max;
}

/* "They was late 7 times. They was late ..." cut to max bytes, numbered i
 * so that no two requests are alike; out holds at least 256 bytes. */
static void long_sentence(int i, size_t max, char *out) {
    size_t n = 0;
    while (n < max) n += (size_t)snprintf(out + n, 256 - n, "They was late %d times. ", i);
    n = max;
    while (out[n - 1] == ' ') n--; /* a sentence does not end in a space */
    out[n] = '\0';
}

static void burst(int port) {
    server_conn *c[BURST];
    char req[1024];
    char sentence[256];
    size_t max = max_sentence(port);
    for (int i = 0; i < BURST; i++) {
        c[i] = server_connect(port);
        CHECK(c[i]);
    }
    for (int i = 0; i < BURST; i++) {
        char body[512];
        long_sentence(i, max, sentence);
        snprintf(body, sizeof body, "{\"sentence\": \"%s\"}", sentence);
        server_format(req, sizeof req, "POST", "/correct", body);
        server_send_str(c[i], req);
    }
    for (int i = 0; i < BURST; i++) {
        CHECK_EQ_INT(server_read(c[i], &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
        server_close(c[i]);
    }
}

static cJSON *debug_blocks(int port) {
    CHECK_EQ_INT(server_request(port, "GET", "/debug/blocks", NULL, &r), 200);
    return server_json(&r);
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *x = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(x) ? x->valuestring : "";
}

static const cJSON *frame_named(const cJSON *report, const char *function) {
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(report, "stack"))
        if (strcmp(str(f, "function"), function) == 0) return f;
    return NULL;
}

/* A report blocked in `function` of server/handler_correct.c, at a line
 * whose source contains `call`, with `via` on the stack; or NULL. */
static const cJSON *find_report(const cJSON *doc, const char *function,
                                const char *call, const char *via) {
    const cJSON *rep;
    cJSON_ArrayForEach(rep, cJSON_GetObjectItem(doc, "reports")) {
        const cJSON *b = cJSON_GetObjectItem(rep, "blocked_in");
        if (!cJSON_IsObject(b) || strcmp(str(b, "function"), function) != 0) continue;
        if (strcmp(str(b, "file"), "server/handler_correct.c") != 0) continue;
        if (server_json_number(b, "line") <= 0) continue;
        if (!strstr(str(b, "source"), call)) continue;
        if (!frame_named(rep, via)) continue;
        return rep;
    }
    return NULL;
}

/* Polls /debug/blocks (reports come after a block ends) until a report
 * as find_report() describes is there, loading with bursts in between if
 * load is set; CHECKs that one comes. Returns the document. */
static cJSON *wait_for_report(int port, int load, const char *function,
                              const char *call, const char *via) {
    for (int round = 0; round < 20; round++) {
        if (load) burst(port);
        else server_sleep_ms(250);
        cJSON *doc = debug_blocks(port);
        if (find_report(doc, function, call, via)) return doc;
        cJSON_Delete(doc);
    }
    fprintf(stderr, "no report blocked in %s (calling %s) came\n", function, call);
    CHECK(0);
    return NULL;
}

static char log_text[1 << 20];

static void read_log(const char *path) {
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    size_t n = fread(log_text, 1, sizeof log_text - 1, f);
    log_text[n] = '\0';
    fclose(f);
}

static void log_path(char *out, size_t size, const char *name) {
    const char *tmp = getenv("LAB_TEST_TMP");
    snprintf(out, size, "%s/blocking_%s.log", tmp ? tmp : "/tmp", name);
}

static void test_async_blocking_model_call(void) {
    server_proc p;
    char path[512];
    log_path(path, sizeof path, "async_blocking");
    const char *args[] = {"--variant", "async_blocking", THRESHOLD, NULL};
    server_start_log(&p, args, path);
    cJSON *doc = wait_for_report(p.port, 1, "job_run", "agent_correct", "agent_correct");
    const cJSON *rep = find_report(doc, "job_run", "agent_correct", "agent_correct");
    /* The model's own frame is named with its file and line too. */
    const cJSON *model = frame_named(rep, "agent_correct");
    CHECK_EQ_STR(str(model, "file"), "model/agent.c");
    CHECK(server_json_number(model, "line") > 0);
    CHECK(server_json_number(rep, "duration_s") >= 0.040);
    CHECK(server_json_number(doc, "blocks.count") >= 1);
    CHECK(server_metric(p.port, "loop_blocks.blocks.count") >= 1);
    CHECK(server_metric(p.port, "loop_blocks.blocks.longest_ms") >= 40);
    CHECK_EQ_INT(server_metric(p.port, "loop_blocks.threshold_ms"), 40);
    fprintf(stderr, "async_blocking: %.0f blocks, %.0f ms in all\n",
            server_json_number(doc, "blocks.count"),
            server_json_number(doc, "blocks.total_ms"));
    cJSON_Delete(doc);
    server_stop(&p);
    read_log(path);
    /* "Duration: 1.234s": its length depends on the machine's speed (and
     * on the sanitizers': a burst's calls can run past a second), its
     * form does not. */
    const char *dur = strstr(log_text, "]: Event Loop Block: block-1\n  Duration: ");
    CHECK(dur != NULL);
    char unit = 0;
    double secs = -1;
    CHECK(sscanf(dur + strlen("]: Event Loop Block: block-1\n  Duration: "), "%lfs%c", &secs,
                 &unit) == 2 && secs >= 0.040 && unit == ' ');
    CHECK(strstr(log_text, "(threshold: 0.040s)\n") != NULL);
    CHECK(strstr(log_text, "  Blocking Stack:\n") != NULL);
    CHECK(strstr(log_text, "Blocked in: job_run (server/handler_correct.c:") != NULL);
}

/* The same load at the same threshold: the loop is never blocked in the
 * handler's work. Usually there is no block at all; on a machine busy
 * with other work (the sanitizers, another test beside it) the loop can
 * still stop for 40-60 ms where the handler plays no part: in the pool's
 * own queue lock, or unsampled because the watchdog did not get a CPU
 * either. A report blamed on the handler's or the model's code, which is
 * what running the work on the loop gives (async_blocking above), fails. */
static void test_no_blocks(const char *variant) {
    server_proc p;
    const char *args[] = {"--variant", variant, THRESHOLD, NULL};
    server_start(&p, args);
    for (int round = 0; round < 5; round++) burst(p.port);
    server_sleep_ms(200); /* a block would be reported by now */
    cJSON *doc = debug_blocks(p.port);
    fprintf(stderr, "%s: %.0f blocks, %.0f starved (%.0f ms)\n", variant,
            server_json_number(doc, "blocks.count"),
            server_json_number(doc, "starvation.count"),
            server_json_number(doc, "starvation.total_ms"));
    const cJSON *rep;
    cJSON_ArrayForEach(rep, cJSON_GetObjectItem(doc, "reports")) {
        const cJSON *b = cJSON_GetObjectItem(rep, "blocked_in");
        const char *file = cJSON_IsObject(b) ? str(b, "file") : "";
        fprintf(stderr, "%s: a %.0f ms block, blamed on %s\n", variant,
                1e3 * server_json_number(rep, "duration_s"), file[0] ? file : "nothing sampled");
        CHECK(strcmp(file, "server/handler_correct.c") != 0);
        CHECK(strncmp(file, "model/", 6) != 0);
        CHECK(!frame_named(rep, "agent_correct") && !frame_named(rep, "job_run"));
    }
    CHECK_EQ_STR(str(doc, "variant"), variant);
    cJSON_Delete(doc);
    server_stop(&p);
}

/* A blocking --io-delay-ms wait on the loop is named; on the pool it is
 * not the loop's business. */
static void test_io_delay(void) {
    server_proc p;
    const char *args[] = {"--variant", "async_blocking", "--io-delay-ms", "100",
                          THRESHOLD, NULL};
    server_start(&p, args);
    const char *body = "{\"sentence\": \"He have a cat.\"}";
    CHECK_EQ_INT(server_request(p.port, "POST", "/correct", body, &r), 200);
    cJSON *doc = wait_for_report(p.port, 0, "srv_io_wait_for",
                                 "pthread_cond_timedwait", "job_handle");
    const cJSON *rep = find_report(doc, "srv_io_wait_for", "pthread_cond_timedwait",
                                   "job_handle");
    CHECK(server_json_number(rep, "duration_s") >= 0.100);
    cJSON_Delete(doc);
    server_stop(&p);

    const char *sync_args[] = {"--variant", "sync", "--io-delay-ms", "100", THRESHOLD, NULL};
    server_start(&p, sync_args);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(server_request(p.port, "POST", "/correct", body, &r), 200);
    server_sleep_ms(200);
    CHECK_EQ_INT(server_metric(p.port, "loop_blocks.blocks.count"), 0);
    server_stop(&p);
}

/* GET /metrics: is loop_blocks.enabled true? */
static int detector_enabled(int port) {
    CHECK_EQ_INT(server_request(port, "GET", "/metrics", NULL, &r), 200);
    cJSON *doc = server_json(&r);
    const cJSON *e = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "loop_blocks"), "enabled");
    CHECK(cJSON_IsBool(e));
    int on = cJSON_IsTrue(e);
    cJSON_Delete(doc);
    return on;
}

static void test_off_by_default(void) {
    server_proc p;
    server_start(&p, NULL);
    CHECK_EQ_INT(server_request(p.port, "GET", "/debug/blocks", NULL, &r), 404);
    cJSON *doc = server_json(&r);
    CHECK(strstr(str(doc, "error"), "--detect-blocking") != NULL);
    cJSON_Delete(doc);
    CHECK_EQ_INT(detector_enabled(p.port), 0);
    CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
    doc = server_json(&r);
    CHECK_EQ_INT(server_json_number(doc, "detect_blocking_ms"), 0);
    cJSON_Delete(doc);
    server_stop(&p);

    /* Bare --detect-blocking means 10 ms; each of several workers has its
     * own detector. */
    const char *args[] = {"--detect-blocking", "--workers", "2", NULL};
    server_start(&p, args);
    CHECK_EQ_INT(detector_enabled(p.port), 1);
    CHECK_EQ_INT(server_metric(p.port, "loop_blocks.threshold_ms"), 10);
    doc = debug_blocks(p.port);
    CHECK_EQ_INT(server_json_number(doc, "threshold_ms"), 10);
    cJSON_Delete(doc);
    server_stop(&p);
}

int main(void) {
    test_off_by_default();
    test_async_blocking_model_call();
    test_no_blocks("sync");
    test_no_blocks("async_tothread");
    test_io_delay();
    fprintf(stderr, "ok\n");
    return 0;
}
