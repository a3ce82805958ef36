/* data_files.c - where the binaries find the project's data files.
 *
 * A build tree's binaries read the weights, prompts and labs from the
 * source tree they were built from (MG_SOURCE_DIR). `cmake --install`
 * copies those files to PREFIX/share/miniserve_c/, under the same relative
 * paths, and the binaries to PREFIX/bin/; an installed binary finds its
 * data relative to its own location (MG_DATA_FROM_BIN, "../share/..."), so
 * a prefix can be moved or used from any folder.
 */
#include "data_files.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MG_SOURCE_DIR
#define MG_SOURCE_DIR "."
#endif
#ifndef MG_DATA_FROM_BIN
#define MG_DATA_FROM_BIN "../share/miniserve_c"
#endif

int mg_installed_data_dir(char *out, size_t size) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = '\0';
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/" MG_DATA_FROM_BIN, exe);
    /* The build tree has no share/ folder beside bin/; an install does. */
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
    if ((size_t)snprintf(out, size, "%s", real) >= size) return 0;
    return 1;
}

typedef struct {
    const char *rel;
    char *path;
} found_file;

const char *mg_data_file(const char *rel) {
    static found_file found[8];
    static int n_found;
    for (int i = 0; i < n_found; i++)
        if (strcmp(found[i].rel, rel) == 0) return found[i].path;
    char dir[PATH_MAX];
    char path[PATH_MAX + 256];
    if (mg_installed_data_dir(dir, sizeof dir))
        snprintf(path, sizeof path, "%s/%s", dir, rel);
    else
        snprintf(path, sizeof path, "%s/%s", MG_SOURCE_DIR, rel);
    char *copy = strdup(path);
    if (!copy) return rel;
    if (n_found < (int)(sizeof found / sizeof found[0])) found[n_found++] = (found_file){rel, copy};
    return copy;
}
