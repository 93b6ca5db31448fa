/*
 * fuzz_text.h — a fuzz input as the text parsers get it from a file (read_file): a
 * NUL-terminated copy, with the input's bytes (NULs included) before the terminator.
 */
#ifndef HZPROF_FUZZ_TEXT_H
#define HZPROF_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The copy (to free), or NULL when it cannot be allocated: the target then skips the input. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

#endif
