/* cdf.c - the annotated latency CDF: gnuplot data files, an editable
 * script, and the PNG it draws. */
#include "plots.h"

#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

    /* The frame is fixed so that label places can be computed
     * (cdf_labels.c): margins, and the x range in whole decades around
     * every latency drawn. */
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        const plot_curve *cv = &curves[i];
        if (cv->n) lo = fmin(lo, cv->sorted_s[0] * 1e3), hi = fmax(hi, cv->sorted_s[cv->n - 1] * 1e3);
        for (size_t r = 0; r < cv->n_thin; r++)
            if (cv->thin_n[r] && cv->thin_sorted_s[r])
                lo = fmin(lo, cv->thin_sorted_s[r][0] * 1e3),
                hi = fmax(hi, cv->thin_sorted_s[r][cv->thin_n[r] - 1] * 1e3);
    }
    plot_frame fr;
    if (!isfinite(lo) || !(hi > 0)) lo = 1, hi = 1000; /* nothing recorded: an empty frame */
    plot_frame_for(lo > 1e-3 ? lo : 1e-3, hi > 1e-3 ? hi : 1e-3, n, &fr);
    hs_strbuf_printf(&gp, "set lmargin at screen %.3f\nset rmargin at screen %.3f\n"
                          "set tmargin at screen %.3f\nset bmargin at screen %.3f\n"
                          "set xrange [%g:%g]\n", fr.left, fr.right, fr.top, fr.bottom,
                     pow(10, fr.lx0), pow(10, fr.lx1));

    /* Each curve's p50, p95 and p99: a marker on the curve, a short label
     * beside it where no other label is (its box, in pixels from the
     * picture's bottom left, in a comment), and the values in the legend. */
    hs_strbuf_printf(&gp, "\n# p50, p95 and p99 of each curve\n");
    static plot_label labels[16 * 3];
    size_t owner[16 * 3], nl = 0;
    char legends[16][512];
    for (size_t i = 0; i < n; i++) {
        snprintf(legends[i % 16], sizeof legends[0], "%s", curves[i].label);
        if (curves[i].n == 0) continue;
        const double qs[] = {50, 95, 99};
        const double *v = curves[i].p_ms;
        for (int k = 0; k < 3 && nl < sizeof labels / sizeof labels[0]; k++) {
            if (isnan(v[k])) continue; /* the facts do not have it */
            plot_label *l = &labels[nl];
            memset(l, 0, sizeof *l);
            snprintf(l->text, sizeof l->text, "p%.0f", qs[k]);
            l->x_ms = v[k] > 1e-3 ? v[k] : 1e-3, l->y = qs[k] / 100;
            owner[nl++] = i;
        }
        if (!isnan(v[0]) && !isnan(v[1]) && !isnan(v[2]))
            snprintf(legends[i % 16], sizeof legends[0], "%s%s: p50 %.3g, p95 %.3g, p99 %.3g ms",
                     curves[i].label, curves[i].n_thin ? " (all repeats)" : "", v[0], v[1], v[2]);
    }
    plot_place_labels(&fr, labels, nl);
    for (size_t k = 0; k < nl; k++) {
        const plot_label *l = &labels[k];
        size_t i = owner[k];
        hs_strbuf_printf(&gp, "# label %zu box %.1f %.1f %.1f %.1f\n", k + 1, l->x0, l->x1,
                         l->y0, l->y1);
        hs_strbuf_printf(&gp, "set label %zu \"%s\" at %.6g,%.2f left point ls %zu "
                              "offset char %.1f,char %.1f tc rgb \"%s\" front\n",
                         k + 1, l->text, l->x_ms, l->y, i + 1, l->dx, l->dy,
                         plot__colours[i % ncol]);
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
