/* test_server_nodebug.c - the block detector in a miniserve without debug
 * information (issue 17). Two copies of the server are made at build time:
 * one with its DWARF removed (objcopy --strip-debug: the symbol table
 * stays) and one stripped of everything (strip). In each, a blocking
 * --io-delay-ms wait on async_blocking's loop must still be reported and
 * blamed on the program's own code, not on the C library it waits in:
 *   - without debug information, by function and offset
 *     (srv_io_wait_for+0x..., in miniserve-nodebug);
 *   - fully stripped, by offset into the program alone, and that offset
 *     is one addr2line resolves, on the unstripped binary, to the same
 *     function.
 * One request and a 100 ms wait against a 40 ms threshold: no timing is
 * asserted beyond the detector's own threshold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "server_harness.h"

#ifndef MINISERVE_NODEBUG_BIN
#error "MINISERVE_NODEBUG_BIN and MINISERVE_STRIPPED_BIN must name the copies"
#endif

static server_resp r;

static const char *str(const cJSON *o, const char *key) {
    const cJSON *x = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(x) ? x->valuestring : "";
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Polls /debug/blocks until its first report is there; CHECKs that one
 * comes. Returns the document. */
static cJSON *first_report(int port, const cJSON **rep) {
    for (int round = 0; round < 40; round++) {
        CHECK_EQ_INT(server_request(port, "GET", "/debug/blocks", NULL, &r), 200);
        cJSON *doc = server_json(&r);
        *rep = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "reports"), 0);
        if (*rep) return doc;
        cJSON_Delete(doc);
        server_sleep_ms(250);
    }
    fprintf(stderr, "no block was reported\n");
    CHECK(0);
    return NULL;
}

/* Runs bin with a 100 ms blocking wait on the loop; returns the
 * /debug/blocks document, *rep its first report. */
static cJSON *blocked_server(const char *bin, const cJSON **rep) {
    server_proc p;
    const char *args[] = {"--variant", "async_blocking", "--io-delay-ms", "100",
                          "--detect-blocking=40", NULL};
    server_start_bin(&p, bin, args, NULL);
    const char *body = "{\"sentence\": \"He have a cat.\"}";
    CHECK_EQ_INT(server_request(p.port, "POST", "/correct", body, &r), 200);
    cJSON *doc = first_report(p.port, rep);
    server_stop(&p);
    const cJSON *b = cJSON_GetObjectItem(*rep, "blocked_in");
    fprintf(stderr, "%s: blocked in %s+%s (%s)\n", base_name(bin), str(b, "function"),
            str(b, "offset"), str(b, "object"));
    return doc;
}

/* The frame is the program's own, placed by object and a real offset. */
static void check_own_frame(const cJSON *b, const char *bin) {
    CHECK(cJSON_IsObject(b));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(b, "file")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(b, "line")));
    CHECK_EQ_STR(str(b, "object"), base_name(bin));
    CHECK(strncmp(str(b, "offset"), "0x", 2) == 0);
    CHECK(strtoul(str(b, "offset"), NULL, 16) > 0);
}

static int stack_has(const cJSON *rep, const char *function) {
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(rep, "stack"))
        if (strcmp(str(f, "function"), function) == 0) return 1;
    return 0;
}

static void test_symbols_without_debug_info(void) {
    const cJSON *rep;
    cJSON *doc = blocked_server(MINISERVE_NODEBUG_BIN, &rep);
    const cJSON *b = cJSON_GetObjectItem(rep, "blocked_in");
    check_own_frame(b, MINISERVE_NODEBUG_BIN);
    CHECK_EQ_STR(str(b, "function"), "srv_io_wait_for");
    /* Its callers are named too, and the C library is not blamed. */
    CHECK(stack_has(rep, "job_handle"));
    char want[128];
    snprintf(want, sizeof want, "  Blocked in: srv_io_wait_for+%s (%s)\n", str(b, "offset"),
             base_name(MINISERVE_NODEBUG_BIN));
    CHECK(strstr(str(rep, "text"), want) != NULL);
    /* Blocks are counted under the same place. */
    const cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "top_stacks"), 0);
    CHECK_EQ_STR(str(cJSON_GetObjectItem(top, "blocked_in"), "function"), "srv_io_wait_for");
    cJSON_Delete(doc);
}

/* addr2line's function for offset in the unstripped binary. */
static void resolve(const char *offset, char *out, size_t size) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "addr2line -f -e '%s' %s", MINISERVE_BIN, offset);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    out[0] = '\0';
    if (!fgets(out, (int)size, p)) out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    CHECK_EQ_INT(pclose(p), 0);
}

static void test_fully_stripped(void) {
    const cJSON *rep;
    cJSON *doc = blocked_server(MINISERVE_STRIPPED_BIN, &rep);
    const cJSON *b = cJSON_GetObjectItem(rep, "blocked_in");
    check_own_frame(b, MINISERVE_STRIPPED_BIN);
    CHECK_EQ_STR(str(b, "function"), "??");
    char function[256];
    resolve(str(b, "offset"), function, sizeof function);
    CHECK_EQ_STR(function, "srv_io_wait_for");
    cJSON_Delete(doc);
}

int main(void) {
    test_symbols_without_debug_info();
    test_fully_stripped();
    fprintf(stderr, "ok\n");
    return 0;
}
