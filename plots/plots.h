/* plots.h - the annotated latency CDF of a run, and the sweep plot of
 * several runs: gnuplot data files, an editable script, and the PNG it
 * draws. */
#ifndef PLOTS_H
#define PLOTS_H

#include <stddef.h>

typedef struct {
    const char *name;       /* variant; names latency_cdf_<name>.dat */
    const char *label;      /* legend text */
    const double *sorted_s; /* latencies in seconds, ascending */
    size_t n;
    double p_ms[3];         /* its p50, p95 and p99 as the run's facts give
                             * them: the plot marks them, it does not
                             * compute them */
    /* A repeated run's: each repeat's own latencies ascending, drawn thin
     * in the curve's colour behind it (NULL, NULL, 0: none). */
    const double *const *thin_sorted_s;
    const size_t *thin_n;
    size_t n_thin;
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

/* The CDF's frame, fixed so that label places can be computed: the plot
 * area in fractions of the picture, and the x range in decades (log10 of
 * ms). */
typedef struct {
    double left, right, bottom, top;
    double lx0, lx1;
} plot_frame;

/* The y axis runs from 0 to this; a label's box is in these character
 * cells (DejaVu Sans 11 at the picture's size, rounded up). */
#define PLOT_Y_MAX 1.05
#define PLOT_CHAR_W 9.0
#define PLOT_CHAR_H 18.0

/* The frame for latencies from min_ms to max_ms (whole decades), with a
 * key of n_legend lines below. */
void plot_frame_for(double min_ms, double max_ms, size_t n_legend, plot_frame *f);

/* A marker's label: its text at (x_ms, y); placing it sets its offset in
 * characters (dx, dy, text left-aligned there) and its box in pixels from
 * the picture's bottom left. */
typedef struct {
    char text[8];
    double x_ms, y;
    double dx, dy;
    double x0, x1, y0, y1;
} plot_label;

/* Places labels[0..n) in order, each at the first spot beside its marker
 * whose box meets no label placed before it and no marker. */
void plot_place_labels(const plot_frame *f, plot_label *labels, size_t n);

/* One point of a sweep for one variant, in the units the plot shows. */
typedef struct {
    double x;                      /* the swept value */
    double p50_ms, p95_ms, p99_ms;
    double rps;                    /* requests per second */
    double ok_percent;
    size_t requests;
} plot_sweep_row;

typedef struct {
    const char *name;              /* variant; the legend shows it */
    const plot_sweep_row *rows;    /* the points with numbers, any order */
    size_t n;
} plot_sweep_series;

#define PLOT_SWEEP_HEIGHT 1000

/* Writes sweep.dat (one block per series with rows, in ascending x; columns
 * value p50_ms p95_ms p99_ms requests_per_s ok_percent requests variant)
 * and sweep.gp into dir, then runs gnuplot to draw sweep.png: latency
 * p50/p95/p99 against the swept value above, requests/s below, one colour
 * per variant. xs are all the swept values (the x tics), x_label names
 * them. Returns as plot_cdf: 0 drawn, 1 no gnuplot, or a negative code. */
int plot_sweep(const char *dir, const char *title, const char *x_label, const double *xs,
               size_t n_xs, const plot_sweep_series *series, size_t n, char *err,
               size_t err_size);

#endif
