/* cdf.c - the annotated latency CDF: gnuplot data files, an editable
 * script, and the PNG it draws. */
#include "plots.h"

#include "internal.h"

#include <math.h>
#include <stdio.h>

int plot_cdf(const char *dir, const char *title, const plot_curve *curves,
                size_t n, char *err, size_t err_size) {
    hs_strbuf gp;
    hs_strbuf_init(&gp, 4096);
    int rc = 0, drawn = 0;
    const size_t ncol = PLOT_N_STYLES;

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
    plot__quoted(&gp, title);
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
               plot__colours[i % ncol], plot__dashes[i % ncol], plot__points[i % ncol]);

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
        const double *v = curves[i].p_ms;
        for (int k = 0; k < 3; k++) {
            if (isnan(v[k])) continue; /* the facts do not have it */
            double ms = v[k] > 1e-3 ? v[k] : 1e-3;
            hs_strbuf_printf(&gp, "set label %d \"p%.0f\" at %.6g,%.2f %s point ls %zu "
                        "offset char %.1f,char %.1f tc rgb \"%s\" front\n",
                   label++, qs[k], ms, qs[k] / 100, i % 2 ? "right" : "left", i + 1,
                   i % 2 ? -1.0 : 1.0, -1.1 * (double)(i / 2), plot__colours[i % ncol]);
        }
        if (!isnan(v[0]) && !isnan(v[1]) && !isnan(v[2]))
            snprintf(legends[i % 16], sizeof legends[0], "%s%s: p50 %.3g, p95 %.3g, p99 %.3g ms",
                     curves[i].label, curves[i].n_thin ? " (all repeats)" : "", v[0], v[1], v[2]);
    }

    hs_strbuf_printf(&gp, "\nplot ");
    /* A repeated run's repeats first, thin and pale, so the pooled curves
     * are drawn over them: one data block per repeat in
     * latency_cdf_<variant>_repeats.dat. */
    for (size_t i = 0; i < n; i++) {
        if (!curves[i].n_thin) continue;
        char name[256];
        snprintf(name, sizeof name, "latency_cdf_%s_repeats.dat", curves[i].name);
        hs_strbuf dat;
        hs_strbuf_init(&dat, 4096);
        hs_strbuf_printf(&dat, "# %s: latency_ms cumulative_fraction, one block per repeat\n",
                         curves[i].name);
        size_t blocks = 0;
        for (size_t r = 0; r < curves[i].n_thin; r++) {
            size_t k = curves[i].thin_n[r];
            if (!k || !curves[i].thin_sorted_s[r]) continue;
            hs_strbuf_printf(&dat, "%s# repeat %zu (%zu requests)\n", blocks++ ? "\n\n" : "",
                             r + 1, k);
            for (size_t j = 0; j < k; j++) {
                double ms = curves[i].thin_sorted_s[r][j] * 1e3;
                hs_strbuf_printf(&dat, "%.6f %.6f\n", ms > 1e-3 ? ms : 1e-3,
                                 (double)(j + 1) / (double)k);
            }
        }
        rc = plot__write(dir, name, &dat, err, err_size);
        hs_strbuf_free(&dat);
        if (rc) goto out;
        if (!blocks) continue;
        /* "#99rrggbb": gnuplot's alpha, 0x99 of 0xff transparent */
        hs_strbuf_printf(&gp, "%s\"%s\" using 1:2 with lines lw 1 lc rgb \"#99%s\" notitle",
                         drawn ? ", \\\n     " : "", name, plot__colours[i % ncol] + 1);
        drawn++;
    }
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
        rc = plot__write(dir, name, &dat, err, err_size);
        hs_strbuf_free(&dat);
        if (rc) goto out;
        if (curves[i].n == 0) continue; /* nothing to draw; gnuplot would stop */
        hs_strbuf_printf(&gp, "%s\"%s\" using 1:2 with lines ls %zu title ", drawn ? ", \\\n     " : "",
               name, i + 1);
        plot__quoted(&gp, legends[i % 16]);
        drawn++;
    }
    if (!drawn) hs_strbuf_printf(&gp, "NaN notitle  # no variant recorded a request");
    hs_strbuf_printf(&gp, "\n");
    if ((rc = plot__write(dir, "latency_cdf.gp", &gp, err, err_size))) goto out;
    rc = plot__run_gnuplot(dir, "latency_cdf.gp", "latency_cdf.png", err, err_size);
out:
    hs_strbuf_free(&gp);
    return rc;
}
