/* test_server_bad_input.c - every kind of bad request gets a clear 4xx
 * with a JSON error body, and the server keeps serving afterwards. */
#include <string.h>

#include "check.h"
#include "server_harness.h"

static server_resp r;

/* Sends raw bytes on a fresh connection; returns the response status and
 * CHECKs that the body is a JSON error. If closes, CHECKs that the server
 * then closes the connection. */
static int raw(int port, const char *data, size_t len, int closes) {
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send(c, data, len);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    cJSON *j = server_json(&r);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")));
    CHECK_EQ_INT(server_json_number(j, "status"), r.status);
    cJSON_Delete(j);
    if (closes) CHECK_EQ_INT(server_wait_close(c, SERVER_WAIT_MS), 1);
    server_close(c);
    return r.status;
}

static int raw_str(int port, const char *data, int closes) {
    return raw(port, data, strlen(data), closes);
}

/* POSTs body to /correct; returns the status, CHECKs the JSON error and
 * that field (if not NULL) is named in it. */
static int correct(int port, const char *body, const char *field) {
    CHECK(server_request(port, "POST", "/correct", body, &r) >= 400);
    cJSON *j = server_json(&r);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")));
    if (field) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "field");
        CHECK(cJSON_IsString(f));
        CHECK_EQ_STR(f->valuestring, field);
    }
    cJSON_Delete(j);
    return r.status;
}

/* Sends first, waits so that the server reads it alone, then second, on
 * one connection; returns the response's status. */
static int in_two_reads(int port, const char *first, const char *second) {
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send_str(c, first);
    server_sleep_ms(50);
    server_send_str(c, second);
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    server_close(c);
    return r.status;
}

/* A folded header line (obs-fold) is refused however the reads cut it:
 * after an empty value too, when the fold's whitespace begins a read. A
 * value that merely goes on in the next read is not a fold. */
static void folds_across_reads(int port) {
    const char *head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    char first[256];
    snprintf(first, sizeof first, "%sX-A:\r\n", head);
    CHECK_EQ_INT(in_two_reads(port, first, " b\r\n\r\n"), 400);
    CHECK(strstr(r.body, "folded") != NULL);
    snprintf(first, sizeof first, "%sX-A: a\r\n", head);
    CHECK_EQ_INT(in_two_reads(port, first, "\tb\r\n\r\n"), 400);
    snprintf(first, sizeof first, "%sX-A:\r\n ", head); /* the fold's space ends a read */
    CHECK_EQ_INT(in_two_reads(port, first, "b\r\n\r\n"), 400);
    snprintf(first, sizeof first, "%sX-A:", head);
    CHECK_EQ_INT(in_two_reads(port, first, " b\r\n\r\n"), 200);
    snprintf(first, sizeof first, "%sX-A: a", head);
    CHECK_EQ_INT(in_two_reads(port, first, "b\r\n\r\n"), 200);
    snprintf(first, sizeof first, "%sX-A:\r\n", head);
    CHECK_EQ_INT(in_two_reads(port, first, "X-B: b\r\n\r\n"), 200);
    /* A body ending in a line end, then the next request in another read:
     * its values are not folds. */
    server_conn *c = server_connect(port);
    CHECK(c);
    server_send_str(c, "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n"
                       "{\"sentence\": \"She go.\"}\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_send_str(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\r\n");
    CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
    CHECK_EQ_INT(r.status, 200);
    server_close(c);
}

static void http_errors(int port) {
    char big[20000];
    char allow[32];

    folds_across_reads(port);
    CHECK_EQ_INT(raw_str(port, "GARBAGE\r\n\r\n", 1), 400);
    CHECK_EQ_INT(raw_str(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 1), 400);
    CHECK_EQ_INT(raw_str(port, "GET /healthz HTTP/9.9x\r\n\r\n", 1), 400);
    CHECK_EQ_INT(raw_str(port, "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 1), 400);

    CHECK_EQ_INT(raw_str(port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 0), 404);
    CHECK_EQ_INT(raw_str(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0), 404);

    CHECK_EQ_INT(raw_str(port, "GET /correct HTTP/1.1\r\nHost: x\r\n\r\n", 0), 405);
    CHECK(server_header(&r, "Allow", allow, sizeof allow) == 0);
    CHECK_EQ_STR(allow, "POST");
    CHECK_EQ_INT(raw_str(port, "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0), 405);
    CHECK(server_header(&r, "Allow", allow, sizeof allow) == 0);
    CHECK_EQ_STR(allow, "GET, HEAD");
    CHECK_EQ_INT(raw_str(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 0), 405);

    /* Declared too large: refused before the body is sent. */
    CHECK_EQ_INT(raw_str(port, "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 1), 413);
    /* Chunked, growing past the limit. */
    {
        size_t n = 0;
        n += (size_t)snprintf(big + n, sizeof big - n,
                              "POST /correct HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 20; i++) {
            n += (size_t)snprintf(big + n, sizeof big - n, "200\r\n");
            memset(big + n, 'a', 0x200);
            n += 0x200;
            n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
        }
        /* 20 * 512 bytes = 10 KiB: under the default 64 KiB limit this is
         * not too large, so it is only bad JSON. */
        n += (size_t)snprintf(big + n, sizeof big - n, "0\r\n\r\n");
        CHECK_EQ_INT(raw(port, big, n, 0), 400);
    }

    /* Headers over the limit (8 KiB by default). */
    {
        int n = snprintf(big, sizeof big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
        memset(big + n, 'x', 10000);
        n += 10000;
        n += snprintf(big + n, sizeof big - (size_t)n, "\r\n\r\n");
        CHECK_EQ_INT(raw(port, big, (size_t)n, 1), 431);
    }
    /* Many small headers count too: every byte of the block does, names,
     * values, colons and line ends alike. 7000 "a:" lines are 28 KB. */
    {
        static char many[32768];
        int n = snprintf(many, sizeof many, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 7000; i++) n += snprintf(many + n, sizeof many - (size_t)n, "a:\r\n");
        n += snprintf(many + n, sizeof many - (size_t)n, "\r\n");
        CHECK_EQ_INT(raw(port, many, (size_t)n, 1), 431);
        /* 1500 of them (6 KB) are within the limit. */
        n = snprintf(many, sizeof many, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 1500; i++) n += snprintf(many + n, sizeof many - (size_t)n, "a:\r\n");
        n += snprintf(many + n, sizeof many - (size_t)n, "\r\n");
        server_conn *c = server_connect(port);
        CHECK(c);
        server_send(c, many, (size_t)n);
        CHECK_EQ_INT(server_read(c, &r, SERVER_WAIT_MS), 0);
        CHECK_EQ_INT(r.status, 200);
        server_close(c);
    }
    /* A URL over the limit is the same. */
    {
        int n = snprintf(big, sizeof big, "GET /");
        memset(big + n, 'u', 9000);
        n += 9000;
        n += snprintf(big + n, sizeof big - (size_t)n, " HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK_EQ_INT(raw(port, big, (size_t)n, 1), 431);
    }
}

static void json_errors(int port) {
    char body[512];
    CHECK_EQ_INT(correct(port, "{", NULL), 400);
    CHECK_EQ_INT(correct(port, "not json", NULL), 400);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"Hi.\"} trailing", NULL), 400);
    CHECK_EQ_INT(server_request(port, "POST", "/correct", NULL, &r), 400);
    CHECK_EQ_INT(correct(port, "[\"She go.\"]", NULL), 422);
    CHECK_EQ_INT(correct(port, "{}", "sentence"), 422);
    CHECK_EQ_INT(correct(port, "{\"learner_id\": \"a\"}", "sentence"), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": 5}", "sentence"), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": null}", "sentence"), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She go.\", \"learner_id\": 5}", "learner_id"), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She go.\", \"learner_id\": "
                               "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
                         "learner_id"), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"\"}", "sentence"), 422);
    /* 57 bytes: one over the default model's limit of 56. */
    snprintf(body, sizeof body, "{\"sentence\": \"%s\"}",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    CHECK_EQ_INT(correct(port, body, "sentence"), 422);
    /* Longer than any context at all. */
    {
        static char huge[3000];
        int n = snprintf(huge, sizeof huge, "{\"sentence\": \"");
        memset(huge + n, 'b', 2000);
        n += 2000;
        snprintf(huge + n, sizeof huge - (size_t)n, "\"}");
        CHECK_EQ_INT(correct(port, huge, "sentence"), 422);
    }
    /* Valid UTF-8 outside the alphabet: the offset of the first bad byte. */
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She g\xc3\xa9 to school.\"}", "sentence"), 422);
    cJSON *j = server_json(&r);
    CHECK_EQ_INT(server_json_number(j, "offset"), 5);
    cJSON_Delete(j);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"tab\\there\"}", "sentence"), 422);
    /* Invalid UTF-8. */
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"ab\xff\"}", "sentence"), 422);
    j = server_json(&r);
    CHECK_EQ_INT(server_json_number(j, "offset"), 2);
    cJSON_Delete(j);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"ok\", \"learner_id\": \"\xff\"}", "learner_id"), 422);
    /* NUL, escaped or raw, would cut the sentence short inside C strings. */
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She\\u0000 go.\"}", NULL), 422);
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She go.\", \"learner_id\": \"a\\u0000b\"}", NULL), 422);
    /* An escaped backslash before "u0000" is no NUL (but the backslash is
     * outside the alphabet). */
    CHECK_EQ_INT(correct(port, "{\"sentence\": \"She\\\\u0000 go.\"}", "sentence"), 422);
    {
        static const char raw_nul[] = "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 19\r\n\r\n"
                                      "{\"sentence\": \"a\0b\"}";
        CHECK_EQ_INT(raw(port, raw_nul, sizeof raw_nul - 1, 0), 400);
    }
}

static void run_variant(const char *variant, int with_http) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--threads", "4", NULL};
    server_start(&p, args);
    if (with_http) http_errors(p.port);
    json_errors(p.port);
    /* Still serving, and nothing counted as a 5xx. */
    CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
    CHECK_EQ_INT(server_request(p.port, "POST", "/correct", "{\"sentence\": \"She go.\"}", &r), 200);
    cJSON *m;
    CHECK_EQ_INT(server_request(p.port, "GET", "/metrics", NULL, &r), 200);
    m = server_json(&r);
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m, "requests"), "by_status");
    for (const cJSON *e = by->child; e; e = e->next) CHECK(e->string[0] != '5');
    CHECK(server_json_number(m, "requests.by_status.422") >= 14);
    cJSON_Delete(m);
    server_stop(&p);
    fprintf(stderr, "ok: bad input under %s\n", variant);
}

/* A bad learner_id is refused while the request is decoded, before the
 * I/O wait: with a 60 s --io-delay-ms its 422 still comes within the
 * harness's 15 s bound. Well-formed UTF-8 of every length passes. */
static void learner_before_delay(const char *variant) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--io-delay-ms", "60000", NULL};
    server_start(&p, args);
    static const char *const bad_ids[] = {
        "\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xe0\x80\xaf", "ok\x80",
    };
    char body[256];
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        snprintf(body, sizeof body, "{\"sentence\": \"She go.\", \"learner_id\": \"%s\"}",
                 bad_ids[i]);
        CHECK_EQ_INT(correct(p.port, body, "learner_id"), 422);
    }
    server_stop(&p);
    /* Valid ones, without the delay. */
    const char *fast[] = {"--variant", variant, NULL};
    server_start(&p, fast);
    static const char *const good_ids[] = {"l\xc3\xa9" "a", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf"};
    for (size_t i = 0; i < sizeof good_ids / sizeof good_ids[0]; i++) {
        snprintf(body, sizeof body, "{\"sentence\": \"She go.\", \"learner_id\": \"%s\"}",
                 good_ids[i]);
        CHECK_EQ_INT(server_request(p.port, "POST", "/correct", body, &r), 200);
    }
    server_stop(&p);
    fprintf(stderr, "ok: learner_id checked before the I/O wait under %s\n", variant);
}

int main(void) {
    learner_before_delay("sync");
    learner_before_delay("async_blocking");
    learner_before_delay("async_tothread");
    run_variant("async_tothread", 1);
    run_variant("sync", 0);
    run_variant("async_blocking", 0);
    /* A smaller body limit makes the chunked body too large. */
    server_proc p;
    const char *args[] = {"--max-body", "1000", NULL};
    server_start(&p, args);
    static char big[4096];
    size_t n = (size_t)snprintf(big, sizeof big,
                                "POST /correct HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4; i++) {
        n += (size_t)snprintf(big + n, sizeof big - n, "200\r\n");
        memset(big + n, 'a', 0x200);
        n += 0x200;
        n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
    }
    n += (size_t)snprintf(big + n, sizeof big - n, "0\r\n\r\n");
    CHECK_EQ_INT(raw(p.port, big, n, 1), 413);
    CHECK_EQ_INT(raw_str(p.port, "POST /correct HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 1), 413);
    server_stop(&p);
    return 0;
}
