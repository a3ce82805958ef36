/* test_server_endpoints.c - every endpoint under every variant. */
#include <string.h>

#include "check.h"
#include "server_harness.h"

static server_resp r;

static void check_correct(int port, const char *variant, const char *body,
                          const char *learner) {
    CHECK_EQ_INT(server_request(port, "POST", "/correct", body, &r), 200);
    cJSON *j = server_json(&r);
    const cJSON *corr = cJSON_GetObjectItemCaseSensitive(j, "correction");
    const cJSON *lid = cJSON_GetObjectItemCaseSensitive(j, "learner_id");
    const cJSON *var = cJSON_GetObjectItemCaseSensitive(j, "variant");
    CHECK(cJSON_IsString(corr));
    CHECK(cJSON_IsString(var));
    CHECK_EQ_STR(var->valuestring, variant);
    if (learner) {
        CHECK(cJSON_IsString(lid));
        CHECK_EQ_STR(lid->valuestring, learner);
    } else {
        CHECK(cJSON_IsNull(lid));
    }
    cJSON_Delete(j);
}

static void run_variant(const char *variant) {
    server_proc p;
    const char *args[] = {"--variant", variant, "--threads", "4", NULL};
    server_start(&p, args);

    CHECK_EQ_INT(server_request(p.port, "GET", "/healthz", NULL, &r), 200);
    char ct[64];
    CHECK(server_header(&r, "Content-Type", ct, sizeof ct) == 0);
    CHECK_EQ_STR(ct, "application/json");
    cJSON *h = server_json(&r);
    CHECK_EQ_STR(cJSON_GetObjectItemCaseSensitive(h, "variant")->valuestring, variant);
    CHECK_EQ_INT(server_json_number(h, "pid"), p.pid);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(h, "model");
    CHECK(cJSON_IsObject(model));
    CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(model, "trained")));
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(model, "weights")));
    CHECK_EQ_INT(server_json_number(h, "model.params"), 103680);
    cJSON_Delete(h);

    check_correct(p.port, variant, "{\"sentence\": \"She go to school.\", \"learner_id\": \"l-42\"}", "l-42");
    check_correct(p.port, variant, "{\"sentence\": \"He eat apples.\", \"learner_id\": null}", NULL);
    check_correct(p.port, variant, "{\"sentence\": \"They was late.\"}", NULL);

    /* A body far bigger than one read, under the 64 KiB limit: unknown
     * fields are ignored. */
    {
        static char big[60000];
        int n = snprintf(big, sizeof big, "{\"pad\": \"");
        memset(big + n, 'p', 50000);
        n += 50000;
        snprintf(big + n, sizeof big - (size_t)n, "\", \"sentence\": \"We is here.\", \"learner_id\": \"big\"}");
        check_correct(p.port, variant, big, "big");
    }

    /* Greedy decoding: the same sentence gives the same correction. */
    static char first[sizeof r.body];
    CHECK_EQ_INT(server_request(p.port, "POST", "/correct", "{\"sentence\": \"I has a cat.\"}", &r), 200);
    snprintf(first, sizeof first, "%s", r.body);
    CHECK_EQ_INT(server_request(p.port, "POST", "/correct", "{\"sentence\": \"I has a cat.\"}", &r), 200);
    CHECK_EQ_STR(r.body, first);

    CHECK_EQ_INT(server_request(p.port, "GET", "/metrics?x=1", NULL, &r), 200);
    cJSON *m = server_json(&r);
    CHECK_EQ_INT(server_json_number(m, "requests.by_status.200"), 7);
    CHECK_EQ_INT(server_json_number(m, "handlers.running"), 0);
    /* One request at a time, each answered only after its handler ended:
     * the gauges saw every call and never two at once. */
    CHECK_EQ_INT(server_json_number(m, "handlers.max_running"), 1);
    CHECK_EQ_INT(server_json_number(m, "model_calls.running"), 0);
    CHECK_EQ_INT(server_json_number(m, "model_calls.max_running"), 1);
    CHECK_EQ_INT(server_json_number(m, "pool.queued"), 0);
    CHECK_EQ_INT(server_json_number(m, "pool.threads"), 4);
    CHECK(server_json_number(m, "loop_lag_ms.max") >= 0);
    CHECK(server_json_number(m, "loop_lag_ms.p99") >= 0);
    CHECK(server_json_number(m, "uptime_s") > 0);
    CHECK_EQ_STR(cJSON_GetObjectItemCaseSensitive(m, "variant")->valuestring, variant);
    cJSON_Delete(m);

    server_stop(&p);
    fprintf(stderr, "ok: endpoints under %s\n", variant);
}

int main(void) {
    run_variant("sync");
    run_variant("async_blocking");
    run_variant("async_tothread");
    return 0;
}
