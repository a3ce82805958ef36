/* replay.c - runs a fuzz target without libFuzzer: each file named on the
 * command line, or each file in a folder named there, is one input. The
 * normal test suite replays the seed corpus and the inputs of fixed
 * findings (tests/fuzz/<target>/) this way, in every build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    /* Named first: when the target aborts, the last name is the input. */
    fprintf(stderr, "replay: %s\n", path);
    char *text;
    size_t n;
    int rc = hs_read_file(path, 64u << 20, &text, &n);
    if (rc) {
        fprintf(stderr, "%s: %s\n", path, strerror(-rc));
        return -1;
    }
    /* An exact-size copy, so that ASan sees a read past the input. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(text);
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    memcpy(exact, text, n);
    free(text);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    int files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i])) return 2;
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t n = 0;
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
            sprintf(names[n++], "%s/%s", argv[i], e->d_name);
        }
        if (d) closedir(d);
        qsort(names, n, sizeof *names, by_name);
        for (size_t k = 0; k < n; k++) {
            if (run_file(names[k])) return 2;
            files++;
            free(names[k]);
        }
        free(names);
    }
    if (files == 0) {
        fprintf(stderr, "replay: no inputs\n");
        return 2;
    }
    printf("replay: %d inputs, no finding\n", files);
    return 0;
}
