/* cdf_labels.c - where the CDF's p50/p95/p99 labels go, so that no two
 * print over each other ("p99p99" where two curves' p99 are close).
 *
 * The plot's frame is fixed (margins and x range are set in the script,
 * not left to gnuplot's autoscale), so each marker's place in pixels is
 * known here. Each label is a box of its text's width in characters; it
 * takes the first of a list of spots beside its marker (right, left, then
 * a row lower or higher, further out each time) that meets no label placed
 * before it and no marker. The boxes go into the script as comments, so a test can check
 * them without looking at the picture. */
#include "plots.h"

#include <math.h>
#include <string.h>

void plot_frame_for(double min_ms, double max_ms, size_t n_legend, plot_frame *f) {
    if (!(min_ms > 0) || !isfinite(min_ms)) min_ms = 1e-3;
    if (!isfinite(max_ms)) max_ms = min_ms * 10;
    if (!(max_ms > min_ms)) max_ms = min_ms * 10;
    f->lx0 = floor(log10(min_ms));
    f->lx1 = ceil(log10(max_ms));
    if (f->lx1 <= f->lx0) f->lx1 = f->lx0 + 1;
    f->left = 0.08, f->right = 0.97, f->top = 0.93;
    /* room below for the x label and the key, a line per entry */
    double bottom = (95.0 + 20.0 * (double)n_legend) / PLOT_HEIGHT;
    f->bottom = bottom < 0.5 ? bottom : 0.5;
}

/* A marker at (x_ms, y) in pixels from the picture's bottom left. */
static void to_pixels(const plot_frame *f, double x_ms, double y, double *px, double *py) {
    double u = (log10(x_ms) - f->lx0) / (f->lx1 - f->lx0);
    *px = (f->left + u * (f->right - f->left)) * PLOT_WIDTH;
    *py = (f->bottom + y / PLOT_Y_MAX * (f->top - f->bottom)) * PLOT_HEIGHT;
}

static int overlap(const plot_label *a, const plot_label *b) {
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* Half a marker's width in pixels (point size 1.6): labels keep off the
 * markers too, or a marker hides a label's first letters. */
#define MARK_HALF 8.0
#define MAX_MARKS (16 * 3)

void plot_place_labels(const plot_frame *f, plot_label *labels, size_t n) {
    /* spots in characters from the marker: right of it, left of it, then
     * rows below and above, each further out */
    static const double rows[] = {0, -1.2, 1.2, -2.4, 2.4, -3.6, 3.6, -4.8, 4.8, -6, 6};
    plot_label marks[MAX_MARKS];
    size_t nm = n < MAX_MARKS ? n : MAX_MARKS;
    for (size_t i = 0; i < nm; i++) {
        double px, py;
        to_pixels(f, labels[i].x_ms, labels[i].y, &px, &py);
        marks[i].x0 = px - MARK_HALF, marks[i].x1 = px + MARK_HALF;
        marks[i].y0 = py - MARK_HALF, marks[i].y1 = py + MARK_HALF;
    }
    for (size_t i = 0; i < n; i++) {
        plot_label *l = &labels[i];
        double px, py, len = (double)strlen(l->text);
        to_pixels(f, l->x_ms, l->y, &px, &py);
        int placed = 0;
        for (size_t r = 0; r < sizeof rows / sizeof rows[0] && !placed; r++)
            for (int side = 0; side < 2 && !placed; side++) {
                l->dx = side ? -(len + 1) : 1, l->dy = rows[r];
                l->x0 = px + l->dx * PLOT_CHAR_W, l->x1 = l->x0 + len * PLOT_CHAR_W;
                l->y0 = py + l->dy * PLOT_CHAR_H - PLOT_CHAR_H / 2, l->y1 = l->y0 + PLOT_CHAR_H;
                placed = 1;
                for (size_t k = 0; k < i && placed; k++) placed = !overlap(l, &labels[k]);
                for (size_t k = 0; k < nm && placed; k++) placed = !overlap(l, &marks[k]);
            }
        /* no free spot (dozens of curves on one point): the last one tried */
    }
}
