/* prompts.c - loads the lab's verb-correction prompts (a JSON array). */
#include "minigpt.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPTS_MAX_BYTES (16 * 1024 * 1024)

static int fail(char *err, size_t err_size, const char *fmt, ...) {
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return GPT_EPROMPTS;
}

/* Reads the whole file into a NUL-terminated buffer the caller frees. */
static int read_file(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (len + 1 >= cap) {
            if (cap >= PROMPTS_MAX_BYTES) { rc = -EFBIG; break; }
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) break;
            buf = bigger;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) rc = -EIO;
            break;
        }
    }
    fclose(f);
    if (!buf) return -ENOMEM;
    if (rc) { free(buf); return rc; }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

static int copy_string(const cJSON *obj, const char *key, char *dst,
                       size_t dst_size, const char *path, size_t index,
                       char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return fail(err, err_size, "%s: prompt %zu: \"%s\" is missing or not a string",
                    path, index, key);
    if (strlen(v->valuestring) >= dst_size)
        return fail(err, err_size, "%s: prompt %zu: \"%s\" is longer than %zu bytes",
                    path, index, key, dst_size - 1);
    strcpy(dst, v->valuestring);
    return 0;
}

int gpt_prompts_load(const char *path, gpt_prompt **out, size_t *count,
                     char *err, size_t err_size) {
    char *text = NULL;
    cJSON *root = NULL;
    gpt_prompt *prompts = NULL;
    int rc = read_file(path, &text);
    if (rc) {
        fail(err, err_size, "%s: %s", path, gpt_strerror(rc));
        return rc;
    }
    root = cJSON_Parse(text);
    if (!root) {
        rc = fail(err, err_size, "%s: not valid JSON", path);
        goto out;
    }
    if (!cJSON_IsArray(root) || cJSON_GetArraySize(root) == 0) {
        rc = fail(err, err_size, "%s: expected a non-empty JSON array", path);
        goto out;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    prompts = calloc(n, sizeof *prompts);
    if (!prompts) { rc = -ENOMEM; goto out; }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
        gpt_prompt *p = &prompts[i];
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
        if (!cJSON_IsObject(item) || !cJSON_IsNumber(id)) {
            rc = fail(err, err_size, "%s: prompt %zu is not an object with a numeric \"id\"",
                      path, i);
            goto out;
        }
        p->id = id->valueint;
        if ((rc = copy_string(item, "learner_id", p->learner_id, sizeof p->learner_id, path, i, err, err_size)) ||
            (rc = copy_string(item, "error_type", p->error_type, sizeof p->error_type, path, i, err, err_size)) ||
            (rc = copy_string(item, "sentence", p->sentence, sizeof p->sentence, path, i, err, err_size)) ||
            (rc = copy_string(item, "expected", p->expected, sizeof p->expected, path, i, err, err_size)))
            goto out;
        i++;
    }
    *out = prompts;
    *count = n;
    prompts = NULL;
out:
    free(prompts);
    cJSON_Delete(root);
    free(text);
    return rc;
}
