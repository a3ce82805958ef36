/* revisit.h - what `harness plot` (plot.c) and `harness check` (check.c)
 * share: which folder they work on, and a sweep's folder read back. */
#ifndef HARNESS_REVISIT_H
#define HARNESS_REVISIT_H

#include "run.h"

#include <stdio.h>

/* dir, or the newest experiment folder, into out; prints why not and
 * returns -1. */
int hs_pick_dir(const char *dir, const hs_paths *p, char *out, size_t size);

/* Reads dir as a sweep's folder into *s (malloc'd). Returns 1 if it is
 * one, 0 if it is not (a single run's folder, or no manifest), or -1 after
 * saying why it cannot be read. */
int hs_as_sweep(const char *dir, hs_sweep **s);

/* Point i's folder under dir into out; 1 if the point has one, else 0
 * after saying on out_f why it is skipped: it never ran, or failed before
 * its run made a folder. */
int hs_point_folder(const char *dir, const hs_sweep *s, int i, FILE *out_f, char *out,
                    size_t size);

#endif
