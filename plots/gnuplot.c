/* gnuplot.c - the palette, quoting, and running gnuplot on a script; used
 * by every plot. Runs on the caller's thread; gnuplot is a child process
 * that is waited for. */
#include "internal.h"

#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const plot__colours[PLOT_N_STYLES] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                                  "#66a61e", "#e6ab02", "#a6761d", "#666666"};
const int plot__dashes[PLOT_N_STYLES] = {1, 2, 4, 5, 3, 1, 2, 4};
const int plot__points[PLOT_N_STYLES] = {7, 5, 9, 11, 13, 15, 7, 5};

/* gnuplot strings are in double quotes; keep them from ending early. */
void plot__quoted(hs_strbuf *b, const char *s) {
    hs_strbuf_printf(b, "\"");
    for (; *s; s++) hs_strbuf_printf(b, "%s%c", (*s == '"' || *s == '\\') ? "\\" : "", *s);
    hs_strbuf_printf(b, "\"");
}

int plot__write(const char *dir, const char *name, hs_strbuf *b, char *err,
                size_t err_size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!b->ok) {
        snprintf(err, err_size, "%s: out of memory", path);
        return -ENOMEM;
    }
    int rc = hs_write_atomic(path, b->s, b->len);
    if (rc) snprintf(err, err_size, "%s: %s", path, strerror(-rc));
    return rc;
}

int plot__run_gnuplot(const char *dir, const char *script, const char *png, char *err,
                      size_t err_size) {
    char tmp[256], outarg[320], final[4096], tmppath[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", png, (long)getpid());
    snprintf(outarg, sizeof outarg, "outfile='%s'", tmp);
    snprintf(final, sizeof final, "%s/%s", dir, png);
    snprintf(tmppath, sizeof tmppath, "%s/%s", dir, tmp);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        snprintf(err, err_size, "fork: %s", strerror(e));
        return -e;
    }
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(126);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        execlp("gnuplot", "gnuplot", "-e", outarg, script, (char *)NULL);
        _exit(errno == ENOENT ? 127 : 126);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -errno;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        unlink(tmppath);
        return 1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        unlink(tmppath);
        snprintf(err, err_size, "gnuplot failed on %s/%s (status %d)", dir, script,
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -EIO;
    }
    if (rename(tmppath, final) != 0) {
        int e = errno;
        snprintf(err, err_size, "%s: %s", final, strerror(e));
        unlink(tmppath);
        return -e;
    }
    return 0;
}
