/* folder.c - an experiment folder read back: its variants, their recorded
 * latencies, and the lab that produced them. */
#include "cli/cli.h"

#include "load/load.h"
#include "common/files.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const hs_folder_variant *)a)->name, ((const hs_folder_variant *)b)->name);
}

/* Variant names from latencies_<name>.json files in dir, in name order. */
static int names_from_files(const char *dir, hs_folder *f) {
    DIR *d = opendir(dir);
    if (!d) return -errno;
    struct dirent *e;
    while ((e = readdir(d)) && f->n < HS_MAX_VARIANTS) {
        size_t len = strlen(e->d_name);
        if (len <= 15 || strncmp(e->d_name, "latencies_", 10) ||
            strcmp(e->d_name + len - 5, ".json") || len - 15 >= HS_NAME_MAX)
            continue;
        hs_folder_variant *v = &f->v[f->n++];
        memcpy(v->name, e->d_name + 10, len - 15);
        v->name[len - 15] = '\0';
        memcpy(v->label, v->name, sizeof v->name);
    }
    closedir(d);
    qsort(f->v, (size_t)f->n, sizeof f->v[0], cmp_name);
    return 0;
}

int hs_folder_read(const char *dir, const char *fallback_lab_file, hs_folder *f,
                   hs_lab *lab, char *err, size_t err_size) {
    char path[4096];
    memset(f, 0, sizeof *f);
    if (lab) memset(lab, 0, sizeof *lab);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *text = NULL;
    cJSON *manifest = NULL;
    int have_lab = 0;
    if (hs_read_file(path, 64u << 20, &text, NULL) == 0) {
        manifest = cJSON_Parse(text);
        free(text);
        if (!cJSON_IsObject(manifest)) {
            snprintf(err, err_size, "%s: not a JSON object", path);
            cJSON_Delete(manifest);
            return -1;
        }
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(manifest, "plot_title");
        if (cJSON_IsString(title)) snprintf(f->title, sizeof f->title, "%s", title->valuestring);
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(manifest, "variants"), *v;
        cJSON_ArrayForEach(v, vars) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
            const cJSON *label = cJSON_GetObjectItemCaseSensitive(v, "label");
            if (!cJSON_IsString(name) || strlen(name->valuestring) >= HS_NAME_MAX ||
                f->n >= HS_MAX_VARIANTS)
                continue;
            hs_folder_variant *fv = &f->v[f->n++];
            strcpy(fv->name, name->valuestring);
            snprintf(fv->label, sizeof fv->label, "%s",
                     cJSON_IsString(label) ? label->valuestring : fv->name);
        }
        const cJSON *def = cJSON_GetObjectItemCaseSensitive(manifest, "lab_definition");
        if (lab && def) {
            if (hs_lab_from_json(def, path, lab, err, err_size)) {
                cJSON_Delete(manifest);
                return -1;
            }
            have_lab = 1;
        }
        cJSON_Delete(manifest);
    }
    int from_manifest = f->n > 0;
    if (f->n == 0) {
        int rc = names_from_files(dir, f);
        if (rc) {
            snprintf(err, err_size, "%s: %s", dir, strerror(-rc));
            goto fail;
        }
    }
    if (f->n == 0) {
        snprintf(err, err_size, "%s: no latencies_<variant>.json files", dir);
        goto fail;
    }
    if (!f->title[0]) snprintf(f->title, sizeof f->title, "Latency CDF: %s", dir);
    for (int i = 0; i < f->n; i++) {
        hs_folder_variant *v = &f->v[i];
        snprintf(path, sizeof path, "%s/latencies_%s.json", dir, v->name);
        int rc = hs_latencies_read(path, &v->samples, &v->n, err, err_size);
        /* A variant the manifest lists but that never ran (Ctrl-C, a server
         * that did not start) has no file: it is there, with nothing
         * measured, so plot skips it and check says it was not measured. */
        if (rc == -ENOENT && from_manifest) {
            v->samples = NULL, v->n = 0;
            continue;
        }
        if (rc) goto fail;
        if (v->n) {
            v->sorted_s = hs_sorted_latencies(v->samples, v->n);
            if (!v->sorted_s) {
                snprintf(err, err_size, "out of memory");
                goto fail;
            }
            hs_summarize(v->samples, v->n, 0, &v->summary);
        }
    }
    if (lab && !have_lab && hs_lab_load(fallback_lab_file, lab, err, err_size)) goto fail;
    return 0;
fail:
    hs_folder_free(f);
    if (lab) hs_lab_free(lab);
    return -1;
}

void hs_folder_free(hs_folder *f) {
    for (int i = 0; i < f->n; i++) {
        free(f->v[i].samples);
        free(f->v[i].sorted_s);
        f->v[i].samples = NULL, f->v[i].sorted_s = NULL;
    }
    f->n = 0;
}

/* When a folder's run started, as sortable text: the manifest's "created"
 * (ISO 8601 UTC), else the folder's modification time in the same form.
 * Not the mtime alone: `harness plot` on an old folder touches it. */
static int run_started(const char *dir, char *out, size_t size) {
    char path[4200], *text;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (hs_read_file(path, 64u << 20, &text, NULL) == 0) {
        cJSON *m = cJSON_Parse(text);
        free(text);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "created");
        int ok = cJSON_IsString(c);
        if (ok) snprintf(out, size, "%s", c->valuestring);
        cJSON_Delete(m);
        if (ok) return 0;
    }
    hs_folder probe = {0};
    struct stat st;
    if (names_from_files(dir, &probe) != 0 || probe.n == 0 || stat(dir, &st) != 0) return -1;
    struct tm tm;
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + strlen(out), size - strlen(out), ".%03ldZ", st.st_mtim.tv_nsec / 1000000);
    return 0;
}

int hs_newest_experiment(const char *experiments_dir, char *out, size_t size) {
    DIR *d = opendir(experiments_dir);
    if (!d) return -errno;
    struct dirent *e;
    char best[64] = "";
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096], started[64];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", experiments_dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        if (run_started(path, started, sizeof started) != 0) continue;
        if (strcmp(started, best) > 0) {
            snprintf(best, sizeof best, "%s", started);
            snprintf(out, size, "%s", path);
        }
    }
    closedir(d);
    return best[0] ? 0 : -ENOENT;
}
