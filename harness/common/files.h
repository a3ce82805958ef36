/* files.h - writing output files so that none is ever half-written. */
#ifndef HARNESS_FILES_H
#define HARNESS_FILES_H

#include <stddef.h>

/* Writes data to PATH.tmp.PID, fsyncs it and renames it over path, so a
 * reader sees the old file or the whole new one, never a part. Returns 0 or
 * a negative errno; on failure the temporary file is removed. */
int hs_write_atomic(const char *path, const char *data, size_t len);

/* Reads a whole file (at most max bytes) into a NUL-terminated malloc'd
 * buffer. Returns 0, a negative errno, or -EFBIG. */
int hs_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
