/* sweep_plot.c - the sweep plot: latency percentiles and requests/s
 * against the swept value, one colour per variant. */
#include "plots.h"

#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 64 /* points per series; sweeps have at most 16 */

static int cmp_row(const void *a, const void *b) {
    double x = ((const plot_sweep_row *)a)->x, y = ((const plot_sweep_row *)b)->x;
    return (x > y) - (x < y);
}

/* sweep.dat: a header naming the columns, then one block per series that
 * has rows (two blank lines apart, gnuplot's `index`). block[i] is series
 * i's block number, or -1 when it has none. */
static void write_data(hs_strbuf *dat, const plot_sweep_series *series, size_t n,
                       int *block) {
    hs_strbuf_printf(dat, "# sweep.dat - one row per point and variant with numbers; one "
                          "block per variant (gnuplot index)\n"
                          "# value p50_ms p95_ms p99_ms requests_per_s ok_percent requests "
                          "variant\n");
    int blocks = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = series[i].n < MAX_ROWS ? series[i].n : MAX_ROWS;
        block[i] = -1;
        if (k == 0) {
            hs_strbuf_printf(dat, "# %s: no point with numbers\n", series[i].name);
            continue;
        }
        plot_sweep_row rows[MAX_ROWS];
        memcpy(rows, series[i].rows, k * sizeof rows[0]);
        qsort(rows, k, sizeof rows[0], cmp_row);
        hs_strbuf_printf(dat, "%s# index %d: %s\n", blocks ? "\n\n" : "", blocks, series[i].name);
        for (size_t j = 0; j < k; j++)
            hs_strbuf_printf(dat, "%g %.6f %.6f %.6f %.3f %.2f %zu %s\n", rows[j].x,
                             rows[j].p50_ms, rows[j].p95_ms, rows[j].p99_ms, rows[j].rps,
                             rows[j].ok_percent, rows[j].requests, series[i].name);
        block[i] = blocks++;
    }
}

/* The x axis: a tic at every swept value, and a little room either side
 * so the end points do not sit on the frame. */
static void x_axis(hs_strbuf *gp, const double *xs, size_t n_xs) {
    double lo = INFINITY, hi = -INFINITY;
    hs_strbuf_printf(gp, "set xtics (");
    for (size_t i = 0; i < n_xs; i++) {
        hs_strbuf_printf(gp, "%s%g", i ? ", " : "", xs[i]);
        lo = fmin(lo, xs[i]), hi = fmax(hi, xs[i]);
    }
    hs_strbuf_printf(gp, ")\n");
    double pad = hi > lo ? 0.05 * (hi - lo) : 1;
    if (n_xs) hs_strbuf_printf(gp, "set xrange [%g:%g]\n", lo - pad, hi + pad);
}

int plot_sweep(const char *dir, const char *title, const char *x_label, const double *xs,
               size_t n_xs, const plot_sweep_series *series, size_t n, char *err,
               size_t err_size) {
    hs_strbuf gp, dat;
    int block[64], rc, drawn = 0;
    if (n > 64) n = 64;
    hs_strbuf_init(&gp, 8192);
    hs_strbuf_init(&dat, 4096);
    write_data(&dat, series, n, block);
    if ((rc = plot__write(dir, "sweep.dat", &dat, err, err_size))) goto out;

    hs_strbuf_printf(&gp,
        "# sweep.gp - latency percentiles and requests/s against the swept value,\n"
        "# written by the harness. Edit freely; redraw with:  gnuplot sweep.gp\n"
        "# Data: sweep.dat, one block per variant (index 0, 1, ...), columns\n"
        "# value p50_ms p95_ms p99_ms requests_per_s ok_percent requests variant.\n"
        "# Each point is a complete run in its own folder; see manifest.json.\n\n"
        "if (!exists(\"outfile\")) outfile = \"sweep.png\"\n"
        "if (strlen(outfile) > 4 && outfile[strlen(outfile)-2:] eq \"svg\") {\n"
        "    set terminal svg size %d,%d dynamic enhanced font \"DejaVu Sans,11\"\n"
        "} else {\n"
        "    set terminal pngcairo size %d,%d enhanced font \"DejaVu Sans,11\"\n"
        "}\n"
        "set output outfile\n"
        "set multiplot layout 2,1 title ",
        PLOT_WIDTH, PLOT_SWEEP_HEIGHT, PLOT_WIDTH, PLOT_SWEEP_HEIGHT);
    plot__quoted(&gp, title);
    hs_strbuf_printf(&gp, " noenhanced font \",13\"\n"
                          "# Same margins in both panels, so their x axes line up; the\n"
                          "# keys go in the room on the right.\n"
                          "set lmargin at screen 0.08\n"
                          "set rmargin at screen 0.80\n"
                          "set grid xtics ytics mytics lc rgb \"#dddddd\"\n"
                          "set key outside right top noenhanced box\n"
                          "set xlabel ");
    plot__quoted(&gp, x_label);
    hs_strbuf_printf(&gp, " noenhanced\n");
    x_axis(&gp, xs, n_xs);

    hs_strbuf_printf(&gp, "\n# Top: each variant's p50 (solid), p95 (dashed), p99 (dotted).\n"
                          "set title \"Latency percentiles (solid p50, dashed p95, dotted p99)\"\n"
                          "set ylabel \"latency (ms, log scale)\"\n"
                          "set logscale y\n"
                          "set format y \"%%g\"\n"
                          "# 1-2-5 tics: a narrow range still gets labels between decades.\n"
                          "set ytics (");
    for (double d = 0.001; d < 2e6; d *= 10)
        hs_strbuf_printf(&gp, "%s%g, %g, %g", d > 0.001 ? ", " : "", d, 2 * d, 5 * d);
    hs_strbuf_printf(&gp, ")\nset mytics 10\n"
                          "plot ");
    static const char *pct[] = {"p50", "p95", "p99"};
    static const int pct_dash[] = {1, 2, 3};
    for (size_t i = 0; i < n; i++) {
        if (block[i] < 0) continue;
        for (int k = 0; k < 3; k++) {
            char t[128];
            snprintf(t, sizeof t, "%s %s", series[i].name, pct[k]);
            hs_strbuf_printf(&gp, "%s\"sweep.dat\" index %d using 1:%d with linespoints lc rgb \"%s\" "
                             "lw 2 dt %d pt %d ps 1.3 title ", drawn ? ", \\\n     " : "", block[i],
                             2 + k, plot__colours[i % PLOT_N_STYLES], pct_dash[k],
                             plot__points[i % PLOT_N_STYLES]);
            plot__quoted(&gp, t);
            drawn++;
        }
    }
    if (!drawn) hs_strbuf_printf(&gp, "NaN notitle  # no point has numbers");
    hs_strbuf_printf(&gp, "\n\n# Bottom: requests per second.\n"
                          "set title \"Throughput\"\n"
                          "set ylabel \"requests/s\"\n"
                          "unset logscale y\n"
                          "set ytics autofreq\n"
                          "set mytics default\n"
                          "set yrange [0:*]\n"
                          "plot ");
    drawn = 0;
    for (size_t i = 0; i < n; i++) {
        if (block[i] < 0) continue;
        hs_strbuf_printf(&gp, "%s\"sweep.dat\" index %d using 1:5 with linespoints lc rgb \"%s\" "
                         "lw 2 pt %d ps 1.3 title ", drawn ? ", \\\n     " : "", block[i],
                         plot__colours[i % PLOT_N_STYLES], plot__points[i % PLOT_N_STYLES]);
        plot__quoted(&gp, series[i].name);
        drawn++;
    }
    if (!drawn) hs_strbuf_printf(&gp, "NaN notitle");
    hs_strbuf_printf(&gp, "\nunset multiplot\n");
    if ((rc = plot__write(dir, "sweep.gp", &gp, err, err_size))) goto out;
    rc = plot__run_gnuplot(dir, "sweep.gp", "sweep.png", err, err_size);
out:
    hs_strbuf_free(&gp);
    hs_strbuf_free(&dat);
    return rc;
}
