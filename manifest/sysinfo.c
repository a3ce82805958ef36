/* sysinfo.c - the machine, the software versions and the source commit. */
#include "manifest.h"

#include "minigpt.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#ifndef HARNESS_VERSION
#define HARNESS_VERSION "0"
#endif

char *manifest_first_line_of(const char *cmd) {
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char line[1024];
    char *got = fgets(line, sizeof line, p);
    pclose(p);
    if (!got) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? strdup(line) : NULL;
}

static void add_string_or_null(cJSON *obj, const char *key, const char *v) {
    if (v) cJSON_AddStringToObject(obj, key, v);
    else cJSON_AddNullToObject(obj, key);
}

cJSON *manifest_machine(void) {
    cJSON *m = cJSON_CreateObject();
    char model[256] = "";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *colon = strchr(line, ':');
            if (colon) {
                snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
            }
            break;
        }
    if (f) fclose(f);
    add_string_or_null(m, "cpu_model", model[0] ? model : NULL);
    cJSON_AddNumberToObject(m, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddNumberToObject(m, "memory_bytes",
                            (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE));
    struct utsname u;
    if (uname(&u) == 0) {
        char k[512];
        snprintf(k, sizeof k, "%s %s %s", u.sysname, u.release, u.machine);
        cJSON_AddStringToObject(m, "kernel", k);
        cJSON_AddStringToObject(m, "hostname", u.nodename);
    }
    return m;
}

cJSON *manifest_versions(void) {
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "harness", HARNESS_VERSION);
    cJSON_AddStringToObject(v, "libcurl", curl_version_info(CURLVERSION_NOW)->version);
    cJSON_AddStringToObject(v, "cjson", cJSON_Version());
    cJSON_AddStringToObject(v, "openblas", gpt_blas_config());
    cJSON_AddStringToObject(v, "libuv", uv_version_string());
    char *gp = manifest_first_line_of("gnuplot --version 2>/dev/null");
    add_string_or_null(v, "gnuplot", gp);
    free(gp);
#ifdef __VERSION__
    cJSON_AddStringToObject(v, "compiler", "gcc-compatible " __VERSION__);
#endif
    return v;
}

/* source_dir in single quotes for sh, with any ' in it spelled '\''. */
static void shell_quote(const char *s, char *out, size_t size) {
    size_t n = 0;
    if (size < 3) return;
    out[n++] = '\'';
    for (; *s && n + 5 < size; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *s;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
}

cJSON *manifest_git(const char *source_dir) {
    cJSON *g = cJSON_CreateObject();
    char cmd[2048], dir[1024];
    shell_quote(source_dir, dir, sizeof dir);
    snprintf(cmd, sizeof cmd, "git -C %s rev-parse HEAD 2>/dev/null", dir);
    char *commit = manifest_first_line_of(cmd);
    add_string_or_null(g, "commit", commit);
    if (commit) {
        /* Untracked experiment folders are output, not a change to the code;
         * --no-optional-locks keeps a concurrent git command from failing. */
        snprintf(cmd, sizeof cmd,
                 "git --no-optional-locks -C %s status --porcelain --untracked-files=no "
                 "2>/dev/null | head -1", dir);
        char *change = manifest_first_line_of(cmd);
        cJSON_AddBoolToObject(g, "dirty", change != NULL);
        free(change);
    } else {
        cJSON_AddNullToObject(g, "dirty");
    }
    free(commit);
    return g;
}

void manifest_now_iso8601(char *out, size_t size) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}
