/* cdf.c - the annotated latency CDF: gnuplot data files, an editable
 * script, and the PNG it draws. */
#include "plots.h"

#include "files.h"
#include "stats.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Colour-blind-safe colours (ColorBrewer Dark2), each with its own dash
 * pattern and marker, so curves stay apart even in grey. */
static const char *colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                "#66a61e", "#e6ab02", "#a6761d", "#666666"};
static const int dashes[] = {1, 2, 4, 5, 3, 1, 2, 4};
static const int points[] = {7, 5, 9, 11, 13, 15, 7, 5};

static int write_buf(const char *dir, const char *name, hs_strbuf *b, char *err,
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

/* gnuplot strings are in double quotes; keep them from ending early. */
static void quoted(hs_strbuf *b, const char *s) {
    hs_strbuf_printf(b, "\"");
    for (; *s; s++) hs_strbuf_printf(b, "%s%c", (*s == '"' || *s == '\\') ? "\\" : "", *s);
    hs_strbuf_printf(b, "\"");
}

static int run_gnuplot(const char *dir, char *err, size_t err_size) {
    char tmp[64], outarg[128], png[4096], tmppath[4096];
    snprintf(tmp, sizeof tmp, "latency_cdf.png.tmp.%ld", (long)getpid());
    snprintf(outarg, sizeof outarg, "outfile='%s'", tmp);
    snprintf(png, sizeof png, "%s/latency_cdf.png", dir);
    snprintf(tmppath, sizeof tmppath, "%s/%s", dir, tmp);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        return -errno;
    }
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(126);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        execlp("gnuplot", "gnuplot", "-e", outarg, "latency_cdf.gp", (char *)NULL);
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
        snprintf(err, err_size, "gnuplot failed on %s/latency_cdf.gp (status %d)", dir,
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -EIO;
    }
    if (rename(tmppath, png) != 0) {
        snprintf(err, err_size, "%s: %s", png, strerror(errno));
        unlink(tmppath);
        return -errno;
    }
    return 0;
}

int plot_cdf(const char *dir, const char *title, const plot_curve *curves,
                size_t n, char *err, size_t err_size) {
    hs_strbuf gp;
    hs_strbuf_init(&gp, 4096);
    int rc = 0, drawn = 0;
    const size_t ncol = sizeof colours / sizeof colours[0];

    hs_strbuf_printf(&gp,
           "# latency_cdf.gp - the latency CDF of this run, written by `harness plot`.\n"
           "# Edit freely; redraw with:  gnuplot latency_cdf.gp\n"
           "# Data: latency_cdf_<variant>.dat, columns latency_ms and cumulative fraction\n"
           "# (the i-th fastest of n requests is at i/n). Percentiles: linear\n"
           "# interpolation between closest ranks, as NumPy's default.\n\n"
           "if (!exists(\"outfile\")) outfile = \"latency_cdf.png\"\n"
           "# An outfile ending in .svg gets an SVG of the same picture.\n"
           "if (strlen(outfile) > 4 && outfile[strlen(outfile)-2:] eq \"svg\") {\n"
           "    set terminal svg size %d,%d dynamic enhanced font \"DejaVu Sans,11\"\n"
           "} else {\n"
           "    set terminal pngcairo size %d,%d enhanced font \"DejaVu Sans,11\"\n"
           "}\n"
           "set output outfile\n"
           "set title ", PLOT_WIDTH, PLOT_HEIGHT, PLOT_WIDTH, PLOT_HEIGHT);
    quoted(&gp, title);
    hs_strbuf_printf(&gp, " noenhanced font \",13\"\n"
                "set xlabel \"latency (ms, log scale)\"\n"
                "set ylabel \"cumulative fraction of requests\"\n"
                "set logscale x\n"
                "set format x \"%%g\"\n"
                "set yrange [0:1.05]\n"
                "set ytics 0.1\n"
                "set grid xtics mxtics ytics lc rgb \"#dddddd\"\n"
                "set key below box noenhanced height 1.5\n\n");
    for (size_t i = 0; i < n; i++)
        hs_strbuf_printf(&gp, "set style line %zu lc rgb \"%s\" lw 2.5 dt %d pt %d ps 1.6\n", i + 1,
               colours[i % ncol], dashes[i % ncol], points[i % ncol]);

    /* Each curve's p50, p95 and p99: a marker on the curve with a short
     * label beside it, and the values in the legend. Labels go right of the
     * marker for even curves and left for odd ones, and one line lower for
     * each further pair, so close curves (sync and async_tothread) do not
     * print over each other. */
    hs_strbuf_printf(&gp, "\n# p50, p95 and p99 of each curve\n");
    int label = 1;
    char legends[16][512];
    for (size_t i = 0; i < n; i++) {
        snprintf(legends[i % 16], sizeof legends[0], "%s", curves[i].label);
        if (curves[i].n == 0) continue;
        const double qs[] = {50, 95, 99};
        double v[3];
        for (int k = 0; k < 3; k++) {
            hs_percentile(curves[i].sorted_s, curves[i].n, qs[k], &v[k]);
            double ms = v[k] * 1e3 > 1e-3 ? v[k] * 1e3 : 1e-3;
            hs_strbuf_printf(&gp, "set label %d \"p%.0f\" at %.6g,%.2f %s point ls %zu "
                        "offset char %.1f,char %.1f tc rgb \"%s\" front\n",
                   label++, qs[k], ms, qs[k] / 100, i % 2 ? "right" : "left", i + 1,
                   i % 2 ? -1.0 : 1.0, -1.1 * (double)(i / 2), colours[i % ncol]);
        }
        snprintf(legends[i % 16], sizeof legends[0], "%s: p50 %.3g, p95 %.3g, p99 %.3g ms",
                 curves[i].label, v[0] * 1e3, v[1] * 1e3, v[2] * 1e3);
    }

    hs_strbuf_printf(&gp, "\nplot ");
    for (size_t i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof name, "latency_cdf_%s.dat", curves[i].name);
        hs_strbuf dat;
        hs_strbuf_init(&dat, 64 + curves[i].n * 32);
        hs_strbuf_printf(&dat, "# %s: latency_ms cumulative_fraction (%zu requests)\n",
               curves[i].name, curves[i].n);
        for (size_t j = 0; j < curves[i].n; j++) {
            double ms = curves[i].sorted_s[j] * 1e3;
            hs_strbuf_printf(&dat, "%.6f %.6f\n", ms > 1e-3 ? ms : 1e-3,
                   (double)(j + 1) / (double)curves[i].n);
        }
        rc = write_buf(dir, name, &dat, err, err_size);
        hs_strbuf_free(&dat);
        if (rc) goto out;
        if (curves[i].n == 0) continue; /* nothing to draw; gnuplot would stop */
        hs_strbuf_printf(&gp, "%s\"%s\" using 1:2 with lines ls %zu title ", drawn ? ", \\\n     " : "",
               name, i + 1);
        quoted(&gp, legends[i % 16]);
        drawn++;
    }
    if (!drawn) hs_strbuf_printf(&gp, "NaN notitle  # no variant recorded a request");
    hs_strbuf_printf(&gp, "\n");
    if ((rc = write_buf(dir, "latency_cdf.gp", &gp, err, err_size))) goto out;
    rc = run_gnuplot(dir, err, err_size);
out:
    hs_strbuf_free(&gp);
    return rc;
}
