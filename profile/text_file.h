/* text_file.h — reading a whole file into memory, and writing files whose every write is
 * checked, for the command-line tools. */
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

/* Closes f, a file written with stdio, checking every write to it: the error flag that an
 * earlier write left (stdio keeps it, and a later flush may succeed), then fclose's own
 * flush. Returns 0, or -1 with errno set (EIO when an earlier write failed and fclose did
 * not say why). */
int file_close_checked(FILE *f);

/* Writing a file so that it is never seen half-written: the text goes to a temporary
 * file beside path (same directory, so the rename is atomic), which replaces path only
 * when every byte is written and fsync'ed. A full disk or any error leaves path as it
 * was (the old file, or none). */
struct atomic_file {
    FILE *f;
    char path[4096], tmp[4112];
};

/* Opens the temporary file. Returns 0, or -1 with errno set. */
int atomic_file_open(struct atomic_file *a, const char *path);
/* Checks every write, fsyncs, renames onto path. Returns 0, or -1 with errno set and the
 * temporary file removed. */
int atomic_file_commit(struct atomic_file *a);
/* Gives up: the temporary file is removed, path untouched. */
void atomic_file_abort(struct atomic_file *a);

#endif
