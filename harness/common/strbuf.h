/* strbuf.h - a growing string for building text files (reports, scripts,
 * data) before writing them in one go. */
#ifndef HARNESS_STRBUF_H
#define HARNESS_STRBUF_H

#include <stddef.h>

typedef struct {
    char *s;    /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    int ok;     /* 0 once an allocation failed; later appends do nothing */
} hs_strbuf;

/* Starts an empty buffer with room for hint bytes. */
void hs_strbuf_init(hs_strbuf *b, size_t hint);

/* Appends printf-style text. */
void hs_strbuf_printf(hs_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void hs_strbuf_free(hs_strbuf *b);

#endif
