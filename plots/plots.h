/* plots.h - the annotated latency CDF: gnuplot data files, an editable
 * script, and the PNG it draws. */
#ifndef PLOTS_H
#define PLOTS_H

#include <stddef.h>

typedef struct {
    const char *name;       /* variant; names latency_cdf_<name>.dat */
    const char *label;      /* legend text */
    const double *sorted_s; /* latencies in seconds, ascending */
    size_t n;
} plot_curve;

#define PLOT_WIDTH 1200
#define PLOT_HEIGHT 800

/* Writes latency_cdf_<name>.dat for each curve and latency_cdf.gp into dir,
 * then runs gnuplot to draw latency_cdf.png (each file written under a
 * temporary name and renamed). Returns 0 when the PNG was drawn, 1 when
 * gnuplot is not installed (the script and data are still written), or a
 * negative code with err saying why. */
int plot_cdf(const char *dir, const char *title, const plot_curve *curves,
                size_t n, char *err, size_t err_size);

#endif
