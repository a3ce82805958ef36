/* test_plot_labels.c - the CDF's p50/p95/p99 labels never print over each
 * other or over a marker (issue 17: "p99p99" where two curves were close).
 * Overlaps are computed, not looked at: first on the placement itself,
 * with four curves whose percentiles all but coincide, then on the boxes
 * that plot_cdf writes into latency_cdf.gp. */
#include "check.h"
#include "plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether two boxes {x0, x1, y0, y1} meet. */
static int meet(const double *a, const double *b) {
    return a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3];
}

/* No two boxes meet. */
static void check_apart(const double (*boxes)[4], size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (meet(boxes[i], boxes[j])) {
                fprintf(stderr, "labels %zu and %zu overlap\n", i + 1, j + 1);
                CHECK(0);
            }
}

static void test_placement(void) {
    plot_frame f;
    plot_frame_for(1, 400, 4, &f);
    /* four curves within 3% of each other at every percentile */
    plot_label l[12];
    const double ms[] = {100, 136, 160}, qs[] = {50, 95, 99};
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < 3; k++) {
            plot_label *x = &l[c * 3 + k];
            memset(x, 0, sizeof *x);
            snprintf(x->text, sizeof x->text, "p%.0f", qs[k]);
            x->x_ms = ms[k] * (1 + 0.01 * c), x->y = qs[k] / 100;
        }
    plot_place_labels(&f, l, 12);
    double boxes[12][4];
    for (int i = 0; i < 12; i++) {
        boxes[i][0] = l[i].x0, boxes[i][1] = l[i].x1, boxes[i][2] = l[i].y0, boxes[i][3] = l[i].y1;
        CHECK(l[i].x1 - l[i].x0 == 3 * PLOT_CHAR_W); /* a box as wide as its text */
    }
    check_apart((const double (*)[4])boxes, 12);
    /* and off every marker (8 px either side of it) */
    for (int i = 0; i < 12; i++)
        for (int m = 0; m < 12; m++) {
            double u = (log10(l[m].x_ms) - f.lx0) / (f.lx1 - f.lx0);
            double px = (f.left + u * (f.right - f.left)) * PLOT_WIDTH;
            double py = (f.bottom + l[m].y / PLOT_Y_MAX * (f.top - f.bottom)) * PLOT_HEIGHT;
            const double mark[4] = {px - 8, px + 8, py - 8, py + 8};
            CHECK(!meet(boxes[i], mark));
        }
    printf("placement: 12 labels of 4 near-identical curves, none over another or a marker\n");
}

/* plot_cdf's script: its label boxes, one per percentile of each curve,
 * apart. */
static void test_script(void) {
    char dir[256];
    snprintf(dir, sizeof dir, "/tmp/test_plot_labels.%d", (int)getpid());
    CHECK(mkdir(dir, 0755) == 0);
    static double lat[3][200];
    plot_curve curves[3];
    const char *names[] = {"a", "b", "c"};
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 200; i++) lat[c][i] = (0.010 + 0.0001 * i) * (1 + 0.005 * c);
        curves[c] = (plot_curve){names[c], names[c], lat[c], 200,
                                 {lat[c][100] * 1e3, lat[c][190] * 1e3, lat[c][198] * 1e3},
                                 NULL, NULL, 0};
    }
    char err[512];
    int rc = plot_cdf(dir, "labels", curves, 3, err, sizeof err);
    CHECK(rc == 0 || rc == 1); /* 1: no gnuplot, the script is written all the same */
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/latency_cdf.gp", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    double boxes[16][4];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned k;
        double b[4];
        if (sscanf(line, "# label %u box %lf %lf %lf %lf", &k, &b[0], &b[1], &b[2], &b[3]) == 5 &&
            n < 16)
            memcpy(boxes[n++], b, sizeof b);
    }
    fclose(f);
    CHECK_EQ_INT(n, 9);
    check_apart((const double (*)[4])boxes, n);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    printf("latency_cdf.gp: 9 label boxes for 3 curves 0.5%% apart, none over another\n");
}

int main(void) {
    test_placement();
    test_script();
    return 0;
}
