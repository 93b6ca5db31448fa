/* markup_escape.h — text written into a markup (HTML, LaTeX) with its special characters
 * replaced: one writer, and a table per markup beside the writer that uses it. */
#ifndef HZPROF_VIZ_MARKUP_ESCAPE_H
#define HZPROF_VIZ_MARKUP_ESCAPE_H

#include <stdio.h>

/* Writes s to f (nothing when s is NULL), each character c whose table[c] is set replaced
 * by table[c]. */
static inline void markup_escape(FILE *f, const char *s, const char *const table[256])
{
    for (; s && *s; s++) {
        const char *with = table[(unsigned char)*s];
        if (with)
            fputs(with, f);
        else
            fputc(*s, f);
    }
}

#endif
