/* serving.c - the pids behind a server's port, from its health endpoint
 * over fresh connections. Runs on the harness's main thread.
 *
 * Probes go in batches of concurrent connections, not one after another:
 * workers sharing a listening socket race to accept, and an idle sequence
 * of single connections keeps going to the same one or two winners (one of
 * four workers unseen in 64 tries, measured), while a batch of pending
 * connections wakes several workers at once. A worker can also still be
 * starting when the first has answered /healthz and the warm-up is done
 * (loading its model, starting its pool), so a batch that finds no new pid
 * is followed by a short pause before the next. */
#include "evidence/evidence.h"

#include "load/load.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BATCH 64
/* A worker's whole answer; /debug/blocks with its last 32 reports, stacks
 * and all, is the largest. */
#define ANSWER_MAX (8 << 20)

typedef struct {
    CURL *easy;
    char *body;
} probe_slot;

static size_t keep(char *ptr, size_t size, size_t nmemb, void *user) {
    char **body = user;
    size_t old = *body ? strlen(*body) : 0, add = size * nmemb;
    if (old + add > ANSWER_MAX) return 0;
    char *b = realloc(*body, old + add + 1);
    if (!b) return 0;
    memcpy(b + old, ptr, add);
    b[old + add] = '\0';
    *body = b;
    return add;
}

/* The "pid" of one answer: > 0, 0 when it has none, -1 on no answer. */
static long pid_of(probe_slot *p, CURLcode cc) {
    long status = 0, pid = -1;
    if (cc == CURLE_OK &&
        curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        status == 200) {
        cJSON *j = p->body ? cJSON_Parse(p->body) : NULL;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "pid");
        pid = cJSON_IsNumber(v) && v->valuedouble >= 1 ? (long)v->valuedouble : 0;
        cJSON_Delete(j);
    }
    return pid;
}

/* Runs one batch of n concurrent probes; adds new pids to pids[*n_pids]
 * and, if bodies is not NULL, their answers to bodies[*n_pids] (taken from
 * the slot). Returns 0, 1 if an answer had no "pid", or -ENOMEM. */
static int batch(CURLM *multi, probe_slot *slots, int n, long *pids, char **bodies,
                 int max_pids, int *n_pids) {
    int no_pid = 0, running = 0;
    for (int i = 0; i < n; i++) {
        free(slots[i].body), slots[i].body = NULL;
        if (curl_multi_add_handle(multi, slots[i].easy) != CURLM_OK) return -ENOMEM;
    }
    do {
        if (curl_multi_perform(multi, &running) != CURLM_OK) break;
        if (running) curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running && !hs_stop);
    CURLMsg *msg;
    int queued;
    while ((msg = curl_multi_info_read(multi, &queued))) {
        if (msg->msg != CURLMSG_DONE) continue;
        for (int i = 0; i < n; i++) {
            if (slots[i].easy != msg->easy_handle) continue;
            long pid = pid_of(&slots[i], msg->data.result);
            no_pid |= pid == 0;
            int seen = pid < 0;
            for (int k = 0; k < *n_pids && !seen; k++) seen = pids[k] == pid;
            if (seen || *n_pids >= max_pids) continue;
            if (bodies) bodies[*n_pids] = slots[i].body, slots[i].body = NULL;
            pids[(*n_pids)++] = pid;
        }
    }
    for (int i = 0; i < n; i++) curl_multi_remove_handle(multi, slots[i].easy);
    return no_pid;
}

int hs_serving_pids(const char *base_url, const char *path, int expect, int max_probes,
                    long *pids, int max_pids, int *probes) {
    return hs_probe_workers(base_url, path, expect, max_probes, pids, NULL, max_pids, probes);
}

int hs_probe_workers(const char *base_url, const char *path, int expect, int max_probes,
                     long *pids, char **bodies, int max_pids, int *probes) {
    char url[1024];
    probe_slot slots[MAX_BATCH] = {{0}};
    int n = 0, rc = 0;
    int size = expect > 0 ? 2 * expect : 8;
    if (size < 4) size = 4;
    if (size > MAX_BATCH) size = MAX_BATCH;
    *probes = 0;
    CURLM *multi = curl_multi_init();
    if (!multi) return -ENOMEM;
    snprintf(url, sizeof url, "%s%s", base_url, path);
    for (int i = 0; i < size; i++) {
        CURL *c = slots[i].easy = curl_easy_init();
        if (!c) {
            rc = -ENOMEM;
            goto out;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
        /* A new connection every time, closed after: which worker answers
         * is decided by who accepts, so a reused one asks the same one. */
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &slots[i].body);
    }
    while (*probes < max_probes && !hs_stop && !(expect > 0 && n >= expect)) {
        int k = max_probes - *probes < size ? max_probes - *probes : size, before = n;
        int r = batch(multi, slots, k, pids, bodies, max_pids, &n);
        *probes += k;
        if (r < 0) {
            rc = r;
            goto out;
        }
        if (r == 1) break; /* the server does not say its pid */
        if (n == before && expect > 0) usleep(20 * 1000);
    }
    rc = n;
out:
    for (int i = 0; i < size; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    curl_multi_cleanup(multi);
    return rc;
}
