/* internal.h - what the plots share and nobody else needs: the palette,
 * gnuplot string quoting, and running gnuplot on a script. */
#ifndef PLOTS_INTERNAL_H
#define PLOTS_INTERNAL_H

#include "strbuf.h"

#include <stddef.h>

/* Colour-blind-safe colours (ColorBrewer Dark2), each with its own dash
 * pattern and marker, so series stay apart even in grey. */
#define PLOT_N_STYLES 8
extern const char *const plot__colours[PLOT_N_STYLES];
extern const int plot__dashes[PLOT_N_STYLES];
extern const int plot__points[PLOT_N_STYLES];

/* Appends s to b as a gnuplot double-quoted string. */
void plot__quoted(hs_strbuf *b, const char *s);

/* Writes b to dir/name atomically. Returns 0 or a negative errno with err
 * naming the file. */
int plot__write(const char *dir, const char *name, hs_strbuf *b, char *err,
                size_t err_size);

/* Runs `gnuplot -e "outfile='PNG.tmp.PID'" script` in dir and renames the
 * result to dir/png, so a reader never sees half a picture. Returns 0, 1
 * when gnuplot is not installed, or a negative code with err saying why. */
int plot__run_gnuplot(const char *dir, const char *script, const char *png, char *err,
                      size_t err_size);

#endif
