/* harness_cmd.c - running commands and reading their JSON, for the
 * harness's end-to-end tests (harness_cmd.h). */
#include "harness_cmd.h"

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int hs_cmd_run(char *const argv[], double timeout_s, const hs_cmd_opts *o,
               const char *scratch_dir, char *out, size_t out_size) {
    hs_cmd_opts none = {0, -1, NULL, NULL};
    if (!o) o = &none;
    char path[1100];
    snprintf(path, sizeof path, "%s/cmd.out", scratch_dir);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        if (o->path_env) setenv("PATH", o->path_env, 1);
        if (o->cpu >= 0) {
            /* set before execv, so the harness and its servers inherit it */
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(o->cpu, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0) {
                fprintf(stderr, "sched_setaffinity(CPU %d): %s\n", o->cpu, strerror(errno));
                _exit(126);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0, sent = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (waitpid(pid, &st, WNOHANG) != pid) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double el = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9;
        if (!sent && ((o->interrupt_after_s > 0 && el > o->interrupt_after_s) ||
                      (o->interrupt_when && access(o->interrupt_when, F_OK) == 0))) {
            kill(pid, SIGINT);
            sent = 1;
        }
        if (el > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "%s %s timed out after %.0f s\n", argv[0], argv[1] ? argv[1] : "",
                    timeout_s);
            exit(1);
        }
        usleep(20000);
    }
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, out_size - 1, f) : 0;
    if (f) fclose(f);
    out[n] = '\0';
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Into buf (size bytes): dir/name's text; the test fails if it is missing. */
static char *read_into(const char *dir, const char *name, char *buf, size_t size) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "missing %s\n", path);
        exit(1);
    }
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

char *hs_cmd_slurp(const char *dir, const char *name) {
    static char buf[1 << 20];
    return read_into(dir, name, buf, sizeof buf);
}

void hs_cmd_write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    CHECK(fclose(f) == 0);
}

cJSON *hs_cmd_read_json(const char *dir, const char *name) {
    static char buf[1 << 20]; /* its own: a slurped text stays valid */
    cJSON *j = cJSON_Parse(read_into(dir, name, buf, sizeof buf));
    if (!j) fprintf(stderr, "%s/%s is not valid JSON\n", dir, name);
    CHECK(j != NULL);
    return j;
}
