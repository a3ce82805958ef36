/* fuzz_correct.c - libFuzzer target: POST /correct's body, decoded and
 * validated as the handler does it (srv_correct_decode), then, when it is
 * accepted, corrected by the model.
 *
 * Input: the request body.
 *
 * It aborts (a finding) when a refusal is anything but 400 or 422 with a
 * JSON body carrying that status, or when a body the decoder accepted is
 * refused by agent_validate() or agent_correct(): the decoder promises to
 * refuse, up front, everything the model call would. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_WEIGHTS
#error "FUZZ_WEIGHTS: the weights file the decoder and the model use"
#endif

#define die(...) (fprintf(stderr, "fuzz_correct: " __VA_ARGS__), fputc('\n', stderr), abort())

static srv_worker *w;
static srv_config cfg;
static gpt_state *state;

static void make(void) {
    srv_config_default(&cfg, FUZZ_WEIGHTS);
    if (!(w = calloc(1, sizeof *w))) die("out of memory");
    w->cfg = &cfg;
    int rc = gpt_load(FUZZ_WEIGHTS, &w->model);
    if (rc) die("cannot load %s: %s", FUZZ_WEIGHTS, gpt_strerror(rc));
    if (!(state = gpt_state_new(w->model))) die("out of memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!w) make();
    /* As parse.c keeps a body: its bytes, then a NUL past them. */
    srv_request req = {.body = malloc(size + 1), .body_len = size};
    if (!req.body) die("out of memory");
    memcpy(req.body, data, size);
    req.body[size] = '\0';
    srv_job *job = calloc(1, sizeof *job);
    if (!job) die("out of memory");

    if (srv_correct_decode(w, &req, job) != 0) {
        if (job->status != 400 && job->status != 422) die("refused with %d", job->status);
        cJSON *b = job->body ? cJSON_Parse(job->body) : NULL;
        cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "status");
        if (!cJSON_IsNumber(s) || s->valueint != job->status ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "error")))
            die("a %d whose body does not say so: %s", job->status, job->body ? job->body : "(none)");
        cJSON_Delete(b);
    } else {
        if (job->status != 0 || job->body) die("accepted, with a response set");
        size_t bad_at;
        int rc = agent_validate(w->model, job->sentence, &bad_at);
        if (rc) die("accepted, but agent_validate says %s", gpt_strerror(rc));
        rc = agent_correct(w->model, state, job->sentence,
                           job->has_learner ? job->learner_id : NULL, &job->result);
        if (rc) die("accepted, but agent_correct says %s", gpt_strerror(rc));
        if (strlen(job->result.text) > GPT_MAX_CONTEXT) die("a correction past its buffer");
    }
    free(job->body);
    free(job);
    free(req.body);
    return 0;
}
