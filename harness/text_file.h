/* text_file.h — reading a whole file into memory, for the command-line tools. */
#ifndef HZPROF_TEXT_FILE_H
#define HZPROF_TEXT_FILE_H

#include <stddef.h>
#include <stdio.h>

#define TEXT_FILE_MAX_BYTES (1ull << 31)

/* Reads all of f into a malloc'd, NUL-terminated buffer (binary data is fine; *len says
 * how long). Returns NULL with errno set on a read error, out of memory, or more than
 * TEXT_FILE_MAX_BYTES (EFBIG). */
char *read_stream(FILE *f, size_t *len);

/* The same for a path; NULL with errno set if it cannot be opened or read. */
char *read_file(const char *path, size_t *len);

#endif
