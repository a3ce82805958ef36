/* strbuf.c - a growing string for building text files. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hs_strbuf_init(hs_strbuf *b, size_t hint) {
    b->cap = hint ? hint : 64;
    b->len = 0;
    b->s = malloc(b->cap);
    b->ok = b->s != NULL;
    if (b->ok) b->s[0] = '\0';
}

void hs_strbuf_printf(hs_strbuf *b, const char *fmt, ...) {
    if (!b->ok) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->ok = 0;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->ok = 0;
            return;
        }
        b->s = s, b->cap = cap;
    }
}

void hs_strbuf_free(hs_strbuf *b) {
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
